"""API keys: only a hash is kept, compared in constant time; unknown, revoked and malformed keys
are refused alike. (No timing assertions: the constant-time comparison is hmac.compare_digest.)"""

import inspect

from shared import auth
from shared.auth import Authenticator, Principal, Role, StaffKey, StoredKey, hash_key, key_id_of, new_key


def test_the_stored_representation_never_contains_the_key():
    key_id, key = new_key()
    stored = StaffKey(role=Role.curator, sha256=hash_key(key))
    secret = key.split("_", 2)[2]
    dumped = stored.model_dump_json()
    assert key not in dumped and secret not in dumped
    assert stored.sha256 == hash_key(key) and len(stored.sha256) == 64
    assert key_id_of(key) == key_id


def test_the_comparison_is_constant_time():
    assert "hmac.compare_digest" in inspect.getsource(auth.Authenticator.principal)


async def _resolver_with(stored: dict):
    async def resolve(key_id):
        return stored.get(key_id)

    return resolve


async def test_a_known_key_is_accepted_and_unknown_revoked_and_malformed_ones_are_refused():
    staff_id, staff = new_key("staffx")
    src_id, src = new_key()
    revoked_id, revoked = new_key()
    stored = {
        src_id: StoredKey(src_id, hash_key(src), Principal(Role.source, src_id, "urn:x")),
        revoked_id: StoredKey(revoked_id, hash_key(revoked), Principal(Role.source, revoked_id, "urn:x"), revoked=True),
    }
    a = Authenticator({staff_id: StaffKey(role=Role.curator, sha256=hash_key(staff))}, await _resolver_with(stored))
    assert (await a.principal(staff)).role == Role.curator
    assert (await a.principal(src)).source == "urn:x"
    _, unknown = new_key()
    for bad in (None, "", unknown, revoked, staff + "x", f"om_{staff_id}_wrong", "om__x", "Bearer", "x" * 10_000, f"om_{src_id}_"):
        assert await a.principal(bad) is None, bad
