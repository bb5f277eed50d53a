"""Strimzi resources made from the platform's own tables, so the cluster never drifts from the code.

- ``kafka_topics()``: one ``KafkaTopic`` per topic of ``shared.topics.ALL_TOPICS`` with its declared
  configs (retention, compaction), plus each service's leadership topic (``shared/leadership.py``:
  one partition, nothing written to it).
- ``kafka_users()``: one ``KafkaUser`` per service with exactly its ACLs — WRITE on the topics it
  owns (``shared.topics``) and its contract sends (``shared.contracts``); READ on what its consumers read, as the service itself
  declares them (its ``create_app()`` is built, no engine touched, and its runtime's subscriptions
  read: topics, and a pattern's literal start); READ on its consumer groups (``<service>.``
  prefixed: shared, per-replica and leadership groups alike) — and one example publisher that may
  WRITE its own inbox topic only.

Topic names here are the production ones (``TOPIC_PREFIX`` unset).
"""

import functools
import importlib
import re

from services.registry.domain.inbox import INBOX_PATTERN, inbox_topic
from shared.contracts import CONTRACTS
from shared.runtime import Runtime
from shared.settings import ServiceSettings
from shared.topics import ALL_TOPICS, REGISTRY_SUBMISSIONS


def literal_prefix(pattern: str) -> str:
    """The literal start of a topic pattern, e.g. ``registry.inbox.`` of ``registry\\.inbox\\.[a-z]+\\.v1``:
    the prefix a prefixed ACL grants (the broker has no regular expressions)."""
    literal = re.match(r"(?:\\.|[^.\\\[\](){}*+?|^$])*", pattern).group(0)
    return re.sub(r"\\(.)", r"\1", literal)


CLUSTER = "oppna-malmo"
STRIMZI_API = "kafka.strimzi.io/v1beta2"
PARTITIONS = 4  # == TOPIC_PARTITIONS in config.yaml: a key's partition must not change under the services
REPLICAS = 3  # == TOPIC_REPLICATION_FACTOR; min.insync.replicas=2 in kafka.yaml
SERVICES = ("registry", "scheduling", "notifications", "reporting")

# Owned topics the owner only reads: publishers wrote registry.submissions.v1 before each got its
# inbox; no principal in the cluster may write it now (docs/security.md).
WRITTEN_BY_OTHERS = frozenset({REGISTRY_SUBMISSIONS.name})

# Publishers prove their source by the topic they may write (docs/security.md): one inbox topic per
# publisher, named after its SASL user (services/registry/domain/inbox.py), read by the registry by prefix.
INBOX_PREFIX = literal_prefix(INBOX_PATTERN)
EXAMPLE_PUBLISHER = "publisher-example"
OPERATIONS = "operations"  # the people who back up and restore

# On its own topics a service may also create them (ensure_topics, at start, where one is missing)
# and bring their configs to the declared ones (the owner only: shared/kafka/topic_admin.py).
OWNER_OPERATIONS = ["Write", "Create", "DescribeConfigs", "AlterConfigs"]


def resource_name(topic_name: str) -> str:
    """A Kubernetes name for a topic (dots are allowed, but one style for every resource)."""
    return topic_name.replace(".", "-").replace("_", "-")


def settings_of(service: str) -> ServiceSettings:
    """The service's settings with production topic names, whatever this shell's environment says."""
    module = importlib.import_module(f"services.{service}.settings")
    [cls] = [v for v in vars(module).values() if isinstance(v, type) and issubclass(v, ServiceSettings) and v.__module__ == module.__name__]
    return cls(topic_prefix="")


@functools.cache
def declared(service: str) -> tuple[frozenset[str], frozenset[str], frozenset[str], str]:
    """What ``service`` consumes, as it declares it: (topics, topic patterns, groups, leadership topic)."""
    app = importlib.import_module(f"services.{service}.main").create_app(settings_of(service))
    [runtime] = [v for v in app.state._state.values() if isinstance(v, Runtime)]
    subscriptions = runtime.subscriptions
    topics = frozenset(t.name for sub in subscriptions for t in sub.topics)
    patterns = frozenset(sub.pattern for sub in subscriptions if sub.pattern)
    groups = frozenset(sub.group(runtime.settings) for sub in subscriptions)
    return topics, patterns, groups, runtime.leadership.topic


def leadership_topic(service: str) -> str:
    """The topic whose one partition elects a service's leader (shared/leadership.py)."""
    return declared(service)[3]


def _topic(name: str, partitions: int, configs: dict[str, str], what: str) -> dict:
    return {
        "apiVersion": STRIMZI_API,
        "kind": "KafkaTopic",
        "metadata": {
            "name": resource_name(name),
            "labels": {"strimzi.io/cluster": CLUSTER, "app.kubernetes.io/part-of": "oppna-malmo"},
            "annotations": {"oppna-malmo/description": what},
        },
        "spec": {"topicName": name, "partitions": partitions, "replicas": REPLICAS, "config": dict(configs)},
    }


def kafka_topics() -> list[dict]:
    """Every catalogue topic as declared, each service's leadership topic, the example inbox."""
    topics = [_topic(t.name, PARTITIONS, t.configs, t.description) for t in ALL_TOPICS]
    topics += [
        _topic(leadership_topic(s), 1, {"cleanup.policy": "delete", "retention.ms": "3600000"}, f"Elects {s}'s leader; nothing is written to it.")
        for s in SERVICES
    ]
    topics.append(_topic(inbox_topic(EXAMPLE_PUBLISHER), PARTITIONS, REGISTRY_SUBMISSIONS.configs, f"What {EXAMPLE_PUBLISHER} publishes; only it may write here."))
    return topics


def reads(service: str) -> list[str]:
    """The topics ``service`` consumes, sorted."""
    return sorted(declared(service)[0])


def writes(service: str) -> list[str]:
    """The topics ``service`` produces to, sorted: every topic it owns (its contract's sends, and
    e.g. the gateways' receipts, which notifications' webhook puts on its own topic), but those
    only others write (``WRITTEN_BY_OTHERS``)."""
    sends = {c.topic.name for c in CONTRACTS[service].channels if c.action == "send"}
    return sorted(sends | {t.name for t in ALL_TOPICS if t.owner == service and t.name not in WRITTEN_BY_OTHERS})


def _acl(kind: str, name: str, operations: list[str], pattern: str = "literal") -> dict:
    return {"resource": {"type": kind, "name": name, "patternType": pattern}, "operations": operations, "host": "*"}


def service_acls(service: str) -> list[dict]:
    """Exactly what ``service`` needs: its produced topics, its consumed topics, its groups."""
    read, write = set(reads(service)), set(writes(service))
    kept = {t.name for t in ALL_TOPICS if t.owner == service and t.name in WRITTEN_BY_OTHERS}  # its configs, not its writes
    acls = []
    for name in sorted(read | write):
        operations = (["Read"] if name in read else []) + (OWNER_OPERATIONS if name in write else
                                                           ["DescribeConfigs", "AlterConfigs"] if name in kept else [])
        acls.append(_acl("topic", name, operations))
    for pattern in sorted(declared(service)[1]):  # e.g. the registry's: every publisher's inbox
        acls.append(_acl("topic", literal_prefix(pattern), ["Read"], "prefix"))
    acls.append(_acl("topic", leadership_topic(service), ["Read", "Create"]))
    acls.append(_acl("group", f"{service}.", ["Read"], "prefix"))
    return acls


def _user(name: str, acls: list[dict], what: str) -> dict:
    return {
        "apiVersion": STRIMZI_API,
        "kind": "KafkaUser",
        "metadata": {
            "name": name,
            "labels": {"strimzi.io/cluster": CLUSTER, "app.kubernetes.io/part-of": "oppna-malmo"},
            "annotations": {"oppna-malmo/description": what},
        },
        "spec": {"authentication": {"type": "scram-sha-512"}, "authorization": {"type": "simple", "acls": acls}},
    }


def operations_acls() -> list[dict]:
    """What backups and restores need of Kafka (deploy/README.md, "Backup and restore"): read every
    consumer group's offsets (DESCRIBE on groups and topics) and set them back (the broker wants
    READ on the group and on each topic for that, so this principal could read messages too:
    its password is for the restore's operator alone). It writes nothing."""
    return [_acl("group", "*", ["Describe", "Read"]), _acl("topic", "*", ["Describe", "Read"])]


def kafka_users() -> list[dict]:
    """One principal per service, the operators' (``OPERATIONS``: consumer groups' offsets),
    and the example publisher (WRITE on its own inbox, nothing else)."""
    users = [_user(s, service_acls(s), f"The {s} service's principal; its password is in the Secret {s}.") for s in SERVICES]
    users.append(_user(OPERATIONS, operations_acls(), "For backups and restores: lists and resets consumer groups' offsets; writes nothing."))
    users.append(_user(
        EXAMPLE_PUBLISHER,
        [_acl("topic", inbox_topic(EXAMPLE_PUBLISHER), ["Write"])],
        "An example publisher: copy it (and its inbox KafkaTopic) for each source; register the source with kafka_principal User:<name>.",
    ))
    return users
