"""Messages as they leave: MIME built with the standard library (UTF-8, encoded headers,
CRLF) and sent over SMTP with the configured server."""

import smtplib
import ssl
from dataclasses import dataclass
from email.header import Header
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, getaddresses
from urllib.parse import urlsplit

from flask import current_app

from ..core.time import utcnow


class PermanentFailure(Exception):
    """The server refused the message for good (a 5xx: unknown mailbox, refused sender):
    trying again would fail the same way."""


class TransientFailure(Exception):
    """The server could not be reached or asked to come back later (a 4xx): try again."""


def mail_configured() -> bool:
    return bool(current_app.config["MAIL_SERVER"])


def sender_address() -> Address:
    """MAIL_SENDER ("Văn phòng UBND tỉnh <vanphong@gialai.gov.vn>"), else noreply@ the host
    of PUBLIC_URL."""
    configured = current_app.config["MAIL_SENDER"]
    if configured:
        (name, addr), *_rest = getaddresses([configured])
        if addr and "@" in addr:
            return Address(display_name=" ".join(name.split()), addr_spec=addr)
    host = urlsplit(current_app.config["PUBLIC_URL"]).hostname or "localhost"
    return Address(display_name="Lịch đối thoại", addr_spec=f"noreply@{host}")


def message_domain() -> str:
    return sender_address().domain or "localhost"


class EncodedHeader:
    """A header folded by :class:`email.header.Header`, whose RFC 2047 words keep the
    spaces between words: Python 3.11's own folder drops a space between two encoded words
    of a long Vietnamese subject ("sắp đến hạn" read back as "sắp đếnhạn", CPython
    gh-144156). The email policy uses a header object's own ``fold``."""

    def __init__(self, name: str, value: str):
        self.name, self._value = name, value

    def fold(self, *, policy) -> str:
        encoded = Header(self._value, "utf-8", header_name=self.name).encode(
            linesep=policy.linesep)
        return f"{self.name}: {encoded}{policy.linesep}"

    def __str__(self) -> str:
        return self._value


@dataclass(frozen=True)
class Attachment:
    filename: str
    data: bytes
    maintype: str
    subtype: str
    params: dict | None = None


def build_message(*, to_email: str, to_name: str, subject: str, text: str, html: str,
                  message_id: str, calendar: bytes | None = None, method: str = "",
                  attachments: tuple[Attachment, ...] = (),
                  unsubscribe_url: str = "") -> EmailMessage:
    """One message. Names and subjects are folded onto one line first, and the standard
    library refuses any header value that would still hold a line break."""
    message = EmailMessage(policy=SMTP)
    message["From"] = sender_address()
    message["To"] = Address(display_name=" ".join(to_name.split()), addr_spec=to_email)
    message["Subject"] = EncodedHeader("Subject", " ".join(subject.split()))
    message["Date"] = format_datetime(utcnow())
    message["Message-ID"] = f"<{message_id}@{message_domain()}>"
    # Out-of-office answers and other robots are not to reply (RFC 3834).
    message["Auto-Submitted"] = "auto-generated"
    if unsubscribe_url:
        message["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(text, subtype="plain", charset="utf-8", cte="quoted-printable")
    message.add_alternative(html, subtype="html", charset="utf-8", cte="quoted-printable")
    if calendar is not None:
        # Inline for Outlook and Gmail (they act on the alternative with its method), and as
        # a file for the clients that only import attachments.
        message.add_alternative(calendar.decode(), subtype="calendar", charset="utf-8",
                                cte="base64", params={"method": method})
    for attachment in attachments:
        message.add_attachment(attachment.data, maintype=attachment.maintype,
                               subtype=attachment.subtype, filename=attachment.filename,
                               params=attachment.params or {})
    return message


class Connection:
    """One SMTP conversation for a batch, opened on the first message."""

    def __init__(self):
        self._smtp: smtplib.SMTP | None = None

    def _open(self) -> smtplib.SMTP:
        config = current_app.config
        host, port, timeout = config["MAIL_SERVER"], config["MAIL_PORT"], config["MAIL_TIMEOUT"]
        mode = (config["MAIL_USE_TLS"] or "").lower()
        if mode == "ssl":
            smtp = smtplib.SMTP_SSL(host, port, timeout=timeout,
                                    context=ssl.create_default_context())
        else:
            smtp = smtplib.SMTP(host, port, timeout=timeout)
            if mode in ("starttls", "1", "true", "yes"):
                smtp.starttls(context=ssl.create_default_context())
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        return smtp

    def send(self, message: EmailMessage, recipient: str) -> None:
        """Hand ``message`` to the server for ``recipient`` (the envelope is this address
        alone, whatever the headers say)."""
        try:
            if self._smtp is None:
                self._smtp = self._open()
            self._smtp.send_message(message, to_addrs=[recipient])
        except smtplib.SMTPRecipientsRefused as error:
            code, reply = next(iter(error.recipients.values()))
            raise _failure(code, reply) from error
        except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as error:
            raise _failure(error.smtp_code, error.smtp_error) from error
        except smtplib.SMTPAuthenticationError as error:
            self.close()
            raise TransientFailure(f"đăng nhập máy chủ thư không được ({error.smtp_code})") \
                from error
        except (smtplib.SMTPException, OSError) as error:
            self.close()
            raise TransientFailure(f"không gửi được tới máy chủ thư: {error}") from error

    def close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (smtplib.SMTPException, OSError):
                self._smtp.close()
            self._smtp = None

    def __enter__(self):
        return self

    def __exit__(self, *_exc) -> None:
        self.close()


def _failure(code: int, reply) -> Exception:
    text = reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)
    message = f"{code} {text}".strip()[:400]
    return PermanentFailure(message) if 500 <= code < 600 else TransientFailure(message)
