"""A registration's identity: its private link's secret (only a hash is stored), its check-in
code, and the id and secret derived from an Idempotency-Key, so a repeat finds the same one."""

import base64
import hashlib
import hmac
import json
import secrets

from services.scheduling.domain.seats import CODE_ALPHABET


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def new_codes(n: int = 1, length: int = 6) -> tuple[str, ...]:
    return tuple("".join(secrets.choice(CODE_ALPHABET) for _ in range(length)) for _ in range(n))


def fingerprint(session_id: str, contact: dict, party_size: int, language: str) -> str:
    """What makes two requests "the same registration" under one Idempotency-Key."""
    body = {"session_id": session_id, "name": contact["name"], "email": contact.get("email"), "phone": contact.get("phone"),
            "party_size": party_size, "language": language}
    return sha256(json.dumps(body, sort_keys=True, ensure_ascii=False))


def keyed_identity(session_id: str, key: str, body_fingerprint: str) -> tuple[str, str, str]:
    """(registration id, secret, key reference) of a keyed request, derived, not drawn: a repeat
    (after a lost answer, a crash, a retry racing the first) finds the same registration and
    answers the same private link, though only the secret's hash is stored. Derived with the key
    as HMAC key, so the database alone does not give the link; the seat book keeps only a hash of
    the key. Another body under the same key derives another id, and the key's entry refuses it."""
    mac = hmac.new(key.encode(), f"{session_id}\0{body_fingerprint}".encode(), hashlib.sha256).digest()
    secret = base64.urlsafe_b64encode(hmac.new(key.encode(), b"secret\0" + mac, hashlib.sha256).digest()[:24]).decode()
    return mac[:16].hex(), secret, sha256(f"{session_id}\0{key}")
