"""The standalone devservers' SMTP server speaks SMTP as a sender expects: a message arrives as
sent (dot-stuffing undone, UTF-8 addresses), commands out of order are refused, pipelined
commands are answered in order, and the service's own adapter hands over through it — its
transactions pipelined where the server offers it, one command at a time where not."""

import asyncio
from datetime import UTC, datetime, timedelta

import aiosmtplib

from services.notifications.adapters.smtp import SmtpAdapter
from services.notifications.adapters.smtp_transactions import data_section
from services.notifications.devservers import SmtpSink, free_port
from services.notifications.devservers.smtp_server import SmtpProtocol, serve
from shared.events.notifications import EmailRequestedV1


async def _server(taken: list):
    async def accept(mail_from, recipients, content):
        taken.append((mail_from, recipients, content))
        return "250 Message accepted for delivery"

    port = free_port()
    return port, await serve(port, accept)


async def _lines(reader: asyncio.StreamReader, n: int) -> list[str]:
    """The next ``n`` replies (a multi-line reply counts once, by its last line)."""
    out = []
    while len(out) < n:
        line = (await asyncio.wait_for(reader.readline(), 5)).decode()
        if line[3:4] != "-":
            out.append(line.strip())
    return out


async def test_a_message_arrives_as_sent_with_its_dot_lines_and_utf8_addresses():
    taken = []
    port, server = await _server(taken)
    body = b"Subject: hej\r\n\r\n.a line that starts with a dot\r\n..two dots\r\n.\r\nend\r\n"
    try:
        async with aiosmtplib.SMTP(hostname="127.0.0.1", port=port) as smtp:
            await smtp.sendmail("no-reply@oppna.malmo.se", ["åsa@exempel.se", "b@example.org"], body, mail_options=["SMTPUTF8"])
            await smtp.sendmail("x@example.org", ["c@example.org"], b"Subject: two\r\n\r\nsecond\r\n")
    finally:
        server.close()
        await server.wait_closed()
    assert taken[0][0] == "no-reply@oppna.malmo.se" and taken[0][1] == ["åsa@exempel.se", "b@example.org"]
    assert taken[0][2] == body
    assert taken[1][1] == ["c@example.org"] and taken[1][2].endswith(b"second\r\n")


async def test_commands_out_of_order_are_refused_and_pipelined_ones_answered_in_order():
    taken = []
    port, server = await _server(taken)
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        assert (await _lines(reader, 1))[0].startswith("220 ")
        writer.write(b"MAIL FROM:<a@example.org>\r\n")
        assert (await _lines(reader, 1))[0].startswith("503 ")  # no EHLO yet
        writer.write(b"EHLO client\r\nRCPT TO:<b@example.org>\r\nDATA\r\nHELLO\r\n")
        ehlo, rcpt, data, unknown = await _lines(reader, 4)
        assert ehlo.startswith("250 ") and rcpt.startswith("503 ") and data.startswith("503 ") and unknown.startswith("500 ")
        # one write: a whole transaction, then the next, pipelined (RFC 2920)
        writer.write(b"MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nDATA\r\nSubject: 1\r\n\r\none\r\n.\r\n"
                     b"MAIL FROM:<a@example.org>\r\nRCPT TO:<c@example.org>\r\nDATA\r\nSubject: 2\r\n\r\ntwo\r\n.\r\nQUIT\r\n")
        replies = await _lines(reader, 9)
        assert [r[:3] for r in replies] == ["250", "250", "354", "250", "250", "250", "354", "250", "221"]
        assert [(t[1], t[2]) for t in taken] == [(["b@example.org"], b"Subject: 1\r\n\r\none\r\n"), (["c@example.org"], b"Subject: 2\r\n\r\ntwo\r\n")]
    finally:
        writer.close()
        server.close()
        await server.wait_closed()


async def test_the_service_adapter_hands_over_to_the_standalone_sink_with_its_stall():
    sink = await SmtpSink(keep_messages=False, stall_s=0.05).serve()
    now = datetime.now(UTC)
    email = EmailRequestedV1(message_id="m-1", recipient="a@example.org", subject="Hej då", text="t\n.\n", html="<p>t</p>", headers={},
                             attachments=[], language="sv", category="digest", not_before=now, expires_at=now + timedelta(days=1))
    adapter = SmtpAdapter("127.0.0.1", sink.port, "Öppna Malmö <no-reply@oppna.malmo.se>")
    try:
        await asyncio.gather(*(adapter.send(email) for _ in range(3)))
    finally:
        await adapter.close()
        await sink.aclose()
    assert sink.receptions == [{"message_id": "m-1", "to": "a@example.org", "subject": "Hej då"}] * 3
    assert sink.envelopes == [("no-reply@oppna.malmo.se", ["a@example.org"])] * 3


class _Refusing:
    """A receiving server's answers to RCPT: 550 for ``nobody@``, 450 for ``later@``."""

    def __init__(self):
        self.taken = []

    async def handle_RCPT(self, server, session, envelope, address, options):  # noqa: N802 - aiosmtpd's hook name
        if address.startswith("nobody@"):
            return "550 5.1.1 No such user nobody@example.org"
        if address.startswith("later@"):
            return "450 4.2.1 Mailbox busy, try later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.taken.append((envelope.mail_from, envelope.rcpt_tos, envelope.mail_options))
        return "250 Message accepted for delivery"


async def test_the_adapter_tells_a_refused_recipient_and_sends_utf8_addresses_with_smtputf8():
    from aiosmtpd.controller import Controller

    from services.notifications.adapters import PermanentFailure, TemporaryFailure

    handler = _Refusing()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port(), enable_SMTPUTF8=True)
    controller.start()
    now = datetime.now(UTC)
    adapter = SmtpAdapter("127.0.0.1", controller.port, "Öppna Malmö <no-reply@oppna.malmo.se>")

    def to(address: str) -> EmailRequestedV1:
        return EmailRequestedV1(message_id="m-1", recipient=address, subject="Hej", text="t", html="<p>t</p>", headers={}, attachments=[],
                                language="sv", category="digest", not_before=now, expires_at=now + timedelta(days=1))

    try:
        try:
            await adapter.send(to("nobody@example.org"))
            raise AssertionError("a refused recipient is a failure")
        except PermanentFailure as e:
            assert str(e) == "recipient refused: [550]", "the code, never the address"
        try:
            await adapter.send(to("later@example.org"))
            raise AssertionError("a refused recipient is a failure")
        except TemporaryFailure as e:
            assert str(e) == "recipient refused: [450]"
        await adapter.send(to("åsa@exempel.se"))
        await adapter.send(to("b@example.org"))
    finally:
        await adapter.close()
        controller.stop()
    assert [(t[0], t[1]) for t in handler.taken] == [("no-reply@oppna.malmo.se", ["åsa@exempel.se"]), ("no-reply@oppna.malmo.se", ["b@example.org"])]
    assert "SMTPUTF8" in handler.taken[0][2] and "SMTPUTF8" not in handler.taken[1][2]
    assert all(any(o.startswith("SIZE=") for o in t[2]) for t in handler.taken), "the size told where the server offers SIZE"


class _RefusingPipelined(SmtpProtocol):
    """The standalone server (PIPELINING offered), refusing RCPT for ``nobody@``."""

    def _rcpt(self, arg: str) -> None:
        if "nobody@" in arg:
            self._reply("550 5.1.1 No such user")
        else:
            super()._rcpt(arg)


async def test_pipelined_transactions_tell_a_refusal_and_go_on_on_a_new_connection():
    from services.notifications.adapters import PermanentFailure

    taken = []

    async def accept(mail_from, recipients, content):
        taken.append((recipients, content))
        return "250 Message accepted for delivery"

    port = free_port()
    server = await asyncio.get_running_loop().create_server(lambda: _RefusingPipelined(accept), "127.0.0.1", port)
    now = datetime.now(UTC)
    adapter = SmtpAdapter("127.0.0.1", port, "no-reply@oppna.malmo.se")

    def to(address: str) -> EmailRequestedV1:
        return EmailRequestedV1(message_id="m-1", recipient=address, subject="Hej", text="t", html="<p>t</p>", headers={}, attachments=[],
                                language="sv", category="digest", not_before=now, expires_at=now + timedelta(days=1))

    try:
        await adapter.send(to("a@example.org"))
        try:
            await adapter.send(to("nobody@example.org"))
            raise AssertionError("a refused recipient is a failure")
        except PermanentFailure as e:
            assert str(e) == "recipient refused: [550]"
        await asyncio.gather(*(adapter.send(to(f"b{i}@example.org")) for i in range(6)))
    finally:
        await adapter.close()
        server.close()
        await server.wait_closed()
    assert sorted(r[0] for r, _ in taken) == ["a@example.org", *sorted(f"b{i}@example.org" for i in range(6))]


def test_a_data_section_ends_every_line_with_crlf_and_doubles_a_leading_dot():
    assert data_section(b".one\n..two\r\nthree\rfour") == b"..one\r\n...two\r\nthree\r\nfour\r\n.\r\n"
    assert data_section(b"") == b"\r\n.\r\n"


async def test_a_signed_in_connection_hands_its_transactions_over():
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult

    def authenticator(server, session, envelope, mechanism, auth_data):
        return AuthResult(success=auth_data.login == b"oppna" and auth_data.password == b"hemligt")

    handler = _Refusing()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port(), authenticator=authenticator, auth_require_tls=False, auth_required=True)
    await _three_sent(controller, username="oppna", password="hemligt")  # the server refuses MAIL before AUTH
    assert [t[1] for t in handler.taken] == [["b@example.org"]] * 3


async def _three_sent(controller, **adapter_options) -> None:
    """Three e-mails through the service's adapter to ``controller``'s server, started and stopped here."""
    controller.start()
    now = datetime.now(UTC)
    email = EmailRequestedV1(message_id="m-1", recipient="b@example.org", subject="Hej", text="t", html="<p>t</p>", headers={}, attachments=[],
                             language="sv", category="digest", not_before=now, expires_at=now + timedelta(days=1))
    adapter = SmtpAdapter("127.0.0.1", controller.port, "no-reply@oppna.malmo.se", **adapter_options)
    try:
        await asyncio.gather(*(adapter.send(email) for _ in range(3)))
    finally:
        await adapter.close()
        controller.stop()


def _self_signed(directory) -> tuple[str, str]:
    """A certificate for 127.0.0.1 and its key, as PEM files in ``directory``."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID
    import ipaddress

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(minutes=1)).not_valid_after(now + timedelta(hours=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return str(cert_path), str(key_path)


async def test_transactions_go_over_the_connection_secured_by_starttls(tmp_path, monkeypatch):
    """A relay that requires STARTTLS: aiosmtplib secures the connection, the transactions then
    speak on the TLS transport it hands over (the certificate trusted through SSL_CERT_FILE)."""
    import ssl

    from aiosmtpd.controller import Controller

    cert, key = _self_signed(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", cert)
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(cert, key)
    handler = _Refusing()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port(), tls_context=server_tls, require_starttls=True)
    await _three_sent(controller, starttls=True)  # the server refuses MAIL before STARTTLS
    assert [t[1] for t in handler.taken] == [["b@example.org"]] * 3
