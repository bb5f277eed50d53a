"""Wire-level probes: an engine "answers" only when it speaks its protocol, not when a port is open.

Kafka gets an ApiVersions v0 request, FerretDB a MongoDB OP_MSG ``ping``; both are built by hand
so that the launcher needs nothing outside the standard library."""

from __future__ import annotations

import socket
import struct
import time

from .common import FERRETDB_PORT, HOST, KAFKA_PORT, PROBE_TIMEOUT


def _recv_exact(sock: socket.socket, n: int) -> bytes:
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise ConnectionError("connection closed")
        buf += chunk
    return buf


def kafka_answers(port: int = KAFKA_PORT, timeout: float = PROBE_TIMEOUT) -> bool:
    """Send a Kafka ApiVersions v0 request and check for a well-formed answer."""
    correlation_id = 0x0F0F
    client_id = b"infra-probe"
    header = struct.pack(">hhih", 18, 0, correlation_id, len(client_id)) + client_id
    try:
        with socket.create_connection((HOST, port), timeout=timeout) as sock:
            sock.settimeout(timeout)
            sock.sendall(struct.pack(">i", len(header)) + header)
            (size,) = struct.unpack(">i", _recv_exact(sock, 4))
            if not 6 <= size <= 1 << 20:
                return False
            body = _recv_exact(sock, size)
    except (OSError, ConnectionError, struct.error):
        return False
    corr, error_code = struct.unpack(">ih", body[:6])
    if corr != correlation_id or error_code != 0:
        return False
    (count,) = struct.unpack(">i", body[6:10])
    return count > 0


def _bson_ping() -> bytes:
    elements = b"\x10ping\x00" + struct.pack("<i", 1)
    db = b"admin\x00"
    elements += b"\x02$db\x00" + struct.pack("<i", len(db)) + db
    return struct.pack("<i", 4 + len(elements) + 1) + elements + b"\x00"


_BSON_FIXED = {0x01: 8, 0x07: 12, 0x08: 1, 0x09: 8, 0x0A: 0, 0x10: 4, 0x11: 8, 0x12: 8, 0x13: 16, 0x7F: 0, 0xFF: 0}


def _bson_top_level(doc: bytes) -> dict:
    """Decode the top-level numeric fields of a BSON document (others are skipped)."""
    out: dict = {}
    pos, end = 4, struct.unpack("<i", doc[:4])[0] - 1
    while pos < end:
        etype = doc[pos]
        name_end = doc.index(b"\x00", pos + 1)
        name = doc[pos + 1 : name_end].decode(errors="replace")
        pos = name_end + 1
        if etype == 0x01:
            out[name] = struct.unpack("<d", doc[pos : pos + 8])[0]
        elif etype == 0x10:
            out[name] = struct.unpack("<i", doc[pos : pos + 4])[0]
        elif etype == 0x12:
            out[name] = struct.unpack("<q", doc[pos : pos + 8])[0]
        elif etype == 0x02:
            slen = struct.unpack("<i", doc[pos : pos + 4])[0]
            out[name] = doc[pos + 4 : pos + 4 + slen - 1].decode(errors="replace")
        if etype in _BSON_FIXED:
            pos += _BSON_FIXED[etype]
        elif etype in (0x02, 0x0D, 0x0E):
            pos += 4 + struct.unpack("<i", doc[pos : pos + 4])[0]
        elif etype in (0x03, 0x04, 0x0F):
            pos += struct.unpack("<i", doc[pos : pos + 4])[0]
        elif etype == 0x05:
            pos += 5 + struct.unpack("<i", doc[pos : pos + 4])[0]
        elif etype == 0x0B:
            pos = doc.index(b"\x00", doc.index(b"\x00", pos) + 1) + 1
        elif etype == 0x0C:
            pos += 4 + struct.unpack("<i", doc[pos : pos + 4])[0] + 12
        else:
            break
    return out


def mongo_ping(port: int = FERRETDB_PORT, timeout: float = PROBE_TIMEOUT) -> bool:
    """MongoDB OP_MSG {ping: 1, $db: "admin"}; True if the reply says ok: 1."""
    body = struct.pack("<I", 0) + b"\x00" + _bson_ping()
    request_id = 0x1234
    msg = struct.pack("<iiii", 16 + len(body), request_id, 0, 2013) + body
    deadline = time.monotonic() + timeout
    try:
        with socket.create_connection((HOST, port), timeout=timeout) as sock:
            sock.settimeout(max(0.1, deadline - time.monotonic()))
            sock.sendall(msg)
            length, _rid, response_to, opcode = struct.unpack("<iiii", _recv_exact(sock, 16))
            if opcode != 2013 or response_to != request_id or not 21 <= length <= 48 * 1024 * 1024:
                return False
            sock.settimeout(max(0.1, deadline - time.monotonic()))
            payload = _recv_exact(sock, length - 16)
    except (OSError, ConnectionError, struct.error):
        return False
    if payload[4] != 0:  # section kind 0: body document
        return False
    try:
        reply = _bson_top_level(payload[5:])
    except (ValueError, IndexError, struct.error):
        return False
    return reply.get("ok") == 1
