"""Stateless tokens for links and codes: HMAC-signed, so nothing secret is stored. Pure.

- confirmation link (email double opt-in): ``confirm`` + subscription id;
- unsubscribe link: ``unsubscribe`` + a recipient key (``subscription:<id>``, ``registration:<id>``,
  ``organizer:<initiative id>``) — never an address;
- SMS confirmation code: six digits derived from the subscription id.
"""

import base64
import hashlib
import hmac


def _mac(secret: str, message: str) -> str:
    digest = hmac.new(secret.encode(), message.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:18]).decode().rstrip("=")


def sign(secret: str, purpose: str, key: str) -> str:
    body = base64.urlsafe_b64encode(f"{purpose}|{key}".encode()).decode().rstrip("=")
    return f"{body}.{_mac(secret, f'{purpose}|{key}')}"


def verify(secret: str, purpose: str, token: str) -> str | None:
    """The key a token was signed for, or None if it is not a valid token of this purpose."""
    try:
        body, mac = token.split(".", 1)
        decoded = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)).decode()
    except (ValueError, UnicodeDecodeError):
        return None
    got_purpose, _, key = decoded.partition("|")
    if got_purpose != purpose or not key or not hmac.compare_digest(mac, _mac(secret, decoded)):
        return None
    return key


def sms_code(secret: str, subscription_id: str) -> str:
    digest = hmac.new(secret.encode(), f"code|{subscription_id}".encode(), hashlib.sha256).digest()
    return f"{int.from_bytes(digest[:8], 'big') % 1_000_000:06d}"


def codes_match(secret: str, subscription_id: str, code: str) -> bool:
    return hmac.compare_digest(sms_code(secret, subscription_id), code.strip())
