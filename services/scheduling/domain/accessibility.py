"""Accessibility: what a venue must have, and what the organiser brings.

The registry's accessibility vocabulary mixes two kinds of promise. Most codes are features of
the room (``wheelchair_access``, ``step_free``, ``accessible_toilet``, ``hearing_loop``,
``quiet_room``, …): a session promising one can only take place where the venue has it. A few are
services the organiser brings to any room (an interpreter, easy-to-read material, captions, a
describer): no venue has or lacks them, so they are never a venue requirement nor a conflict.

A code this module does not list as a service — a term curators add later included — counts as a
venue feature: better a session left unplaced naming the feature (a scheduler can add it to a
venue or place the session by hand) than one placed where residents who need it cannot attend.
"""

from collections.abc import Iterable

# Codes of the registry's accessibility vocabulary that are services the organiser provides.
ORGANISER_SERVICES = frozenset({"sign_language", "captioning", "easy_swedish", "audio_description"})


def venue_needs(codes: Iterable[str]) -> frozenset[str]:
    """The codes among ``codes`` a venue must have (every one that is not an organiser's service)."""
    return frozenset(codes) - ORGANISER_SERVICES
