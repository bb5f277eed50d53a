"""The engines behind ``deploy/local/infra.py``: one module per engine, standard library only.

``common`` holds the settings every engine shares (ports, the state directory), ``processes``
the helpers that start, find and stop detached processes, ``probes`` the wire-level checks that
an engine answers; ``kafka``, ``postgres`` and ``ferretdb`` each bring one engine up and down."""
