"""A real SMTP server on 127.0.0.1 (aiosmtpd, in this process), and sessions to invite to."""

import email
import socket
import threading
from dataclasses import dataclass, field
from datetime import timedelta
from email.message import EmailMessage
from email.policy import default

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP

from dialogue.core.time import utcnow
from dialogue.extensions import db
from dialogue.jobs.operations import run_queued
from dialogue.sessions.models import ParticipantRole


@dataclass
class Received:
    envelope_from: str
    envelope_to: list[str]
    message: EmailMessage


@dataclass
class Mailbox:
    """What the server took, and what it should refuse: addresses answered with 550, or a
    whole server answering 451 (busy) while ``busy`` is set."""

    messages: list[Received] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)
    busy: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)

    def to(self, address: str) -> list[EmailMessage]:
        return [r.message for r in self.messages if address in r.envelope_to]


class _Handler:
    def __init__(self, mailbox: Mailbox):
        self.mailbox = mailbox

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.mailbox.busy:
            return "451 4.3.0 Try again later"
        if address in self.mailbox.refuse:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content, policy=default)
        with self.mailbox.lock:
            self.mailbox.messages.append(
                Received(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"


class _Controller(Controller):
    def factory(self):
        # SMTPUTF8 is not announced: the messages must stand on plain 7-bit SMTP.
        return SMTP(self.handler, enable_SMTPUTF8=False, decode_data=False)


def free_port() -> int:
    # aiosmtpd checks its server by connecting to the port it was given: not 0.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server(app):
    """``(mailbox)``: a server on 127.0.0.1, the app configured to send through it."""
    mailbox = Mailbox()
    port = free_port()
    controller = _Controller(_Handler(mailbox), hostname="127.0.0.1", port=port)
    controller.start()
    saved = {key: app.config[key] for key in ("MAIL_SERVER", "MAIL_PORT", "MAIL_SENDER")}
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port,
                      MAIL_SENDER="Văn phòng UBND tỉnh Gia Lai <vanphong@gialai.gov.vn>")
    try:
        yield mailbox
    finally:
        app.config.update(saved)
        controller.stop()


@pytest.fixture
def send_outbox():
    """``send_outbox()``: commit, then run the queued jobs (the sending) here and now."""

    def send() -> int:
        db.session.commit()
        return run_queued()

    return send


@pytest.fixture
def invited_session(create_session, create_official):
    """``invited_session(**overrides)``: a scheduled session ten days ahead, with three
    participants who have an address and one who has none, chaired by an official with
    one."""

    def create(**overrides):
        chair = create_official(full_name="Rơ Mah Tuấn", position="Chủ tịch UBND xã",
                                unit="Xã Ia Grai")
        chair.email = "romahtuan@iagrai.gialai.gov.vn"
        db.session.commit()
        overrides.setdefault("unit", "Xã Ia Grai")
        overrides.setdefault("title", "Hội nghị đối thoại với Nhân dân xã Ia Grai năm 2026")
        overrides.setdefault("venue", "Hội trường UBND xã Ia Grai")
        starts = (utcnow() + timedelta(days=10)).replace(hour=1, minute=0, second=0,
                                                         microsecond=0)
        overrides.setdefault("starts_at", starts)
        overrides.setdefault("chair", chair)
        overrides.setdefault("participants", [
            ("Ksor H'Bia", ParticipantRole.CITIZEN_REPRESENTATIVE, "Thôn Ia Châu",
             "ksorhbia@example.vn"),
            ("Nguyễn Văn Hùng", ParticipantRole.AGENCY, "Phòng Kinh tế",
             "hung.pkt@iagrai.gialai.gov.vn"),
            ("Siu Thuận", ParticipantRole.FATHERLAND_FRONT, "MTTQ xã", "siuthuan@example.vn"),
            ("Rơ Châm Tuấn", ParticipantRole.CITIZEN_REPRESENTATIVE, "Làng Dơ Ngol", ""),
        ])
        return create_session(**overrides)

    return create
