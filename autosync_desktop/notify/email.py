"""Email through the user's SMTP server (smtplib): plain SMTP, STARTTLS or implicit TLS, optional login.

Settings: notify.email.host, port, security (none | starttls | ssl), username, from, to (comma list).
The password lives in the keyring (`autosync notify set-secret email`).
"""

from __future__ import annotations

import smtplib
import socket
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from autosync_desktop.notify.base import DEFAULT_TIMEOUT_S, DeliveryError, NotConfigured
from autosync_desktop.notify.config import EmailSettings
from autosync_desktop.notify.messages import Notification, as_text

SECURITY_LABEL = {"none": "no encryption", "starttls": "STARTTLS", "ssl": "SSL/TLS"}


def default_tls_context() -> ssl.SSLContext:
    """The system's trusted CAs and hostname checking (a test may substitute its own CA)."""
    return ssl.create_default_context()


class EmailChannel:
    name = "email"

    def __init__(self, settings: EmailSettings, password: str | None, timeout_s: float = DEFAULT_TIMEOUT_S) -> None:
        self.settings = settings
        self._password = password
        self.timeout_s = timeout_s

    def _server(self) -> str:
        s = self.settings
        return f"{s.host}:{s.port} ({SECURITY_LABEL.get(s.security, s.security)})"

    def target(self) -> str:
        s = self.settings
        if not s.host or not s.recipients:
            return "not set up"
        return f"{', '.join(s.recipients)} via {self._server()}"

    def missing(self) -> str | None:
        s = self.settings
        unset = [key for key, value in (("notify.email.host", s.host), ("notify.email.from", s.sender),
                                        ("notify.email.to", s.recipients)) if not value]
        if unset:
            return f"Email is not set up: set {', '.join(unset)} (autosync settings set KEY VALUE)"
        if s.username and not self._password:
            return ("No SMTP password in the keyring for user " f"{s.username!r}: store it with "
                    "'autosync notify set-secret email' (or clear notify.email.username for a server without login)")
        return None

    def compose(self, n: Notification) -> EmailMessage:
        s = self.settings
        msg = EmailMessage()
        msg["Subject"] = " ".join(f"[AutoSync] {n.title}".split())  # a name with a line break stays one header
        msg["From"] = s.sender
        msg["To"] = ", ".join(s.recipients)
        msg["Date"] = formatdate(localtime=True)
        msg["Message-ID"] = make_msgid(domain="autosync.invalid")
        msg["X-AutoSync-Event"] = n.kind
        msg.set_content(as_text(n))
        return msg

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        if s.security == "ssl":
            return smtplib.SMTP_SSL(s.host, s.port, timeout=self.timeout_s, context=default_tls_context())
        smtp = smtplib.SMTP(s.host, s.port, timeout=self.timeout_s)
        try:
            if s.security == "starttls":
                smtp.ehlo()
                smtp.starttls(context=default_tls_context())
                smtp.ehlo()
        except BaseException:
            smtp.close()
            raise
        return smtp

    def send(self, message: Notification) -> str:
        problem = self.missing()
        if problem:
            raise NotConfigured(problem)
        s = self.settings
        try:
            with self._connect() as smtp:
                if s.username:
                    smtp.login(s.username, self._password or "")
                refused = smtp.send_message(self.compose(message))
        except Exception as exc:
            raise self._explain(exc) from None
        delivered = [r for r in s.recipients if r not in refused]
        note = f" (refused by the server: {', '.join(refused)})" if refused else ""
        return f"Sent to {', '.join(delivered)} via {self._server()}{note}"

    def _explain(self, exc: Exception) -> DeliveryError:
        s = self.settings
        where = f"{s.host}:{s.port}"
        if isinstance(exc, smtplib.SMTPAuthenticationError):
            return DeliveryError(f"The mail server {where} refused the user name or password ({_smtp_reply(exc)}); "
                                 "check notify.email.username and store the password again with "
                                 "'autosync notify set-secret email'")
        if isinstance(exc, smtplib.SMTPNotSupportedError) and "STARTTLS" in str(exc):
            return DeliveryError(f"The mail server {where} does not offer STARTTLS; set notify.email.security to "
                                 "ssl (usually port 465) or none, as your provider documents")
        if isinstance(exc, smtplib.SMTPNotSupportedError):
            return DeliveryError(f"The mail server {where} does not offer login on this connection; most servers "
                                 "allow it only after encryption: set notify.email.security to starttls (port 587) "
                                 "or ssl (port 465)")
        if isinstance(exc, smtplib.SMTPSenderRefused):
            return DeliveryError(f"The mail server {where} refused the sender {s.sender} ({_smtp_reply(exc)}); "
                                 "check notify.email.from")
        if isinstance(exc, smtplib.SMTPRecipientsRefused):
            return DeliveryError(f"The mail server {where} refused every recipient ({', '.join(exc.recipients)}); "
                                 "check notify.email.to")
        if isinstance(exc, smtplib.SMTPServerDisconnected):
            return DeliveryError(f"The mail server {where} closed the connection unexpectedly; check "
                                 "notify.email.port and notify.email.security (ssl is usually port 465, "
                                 "starttls 587)", retryable=True)
        if isinstance(exc, smtplib.SMTPResponseException):
            return DeliveryError(f"The mail server {where} refused the message ({_smtp_reply(exc)})",
                                 retryable=exc.smtp_code >= 400 and exc.smtp_code < 500)
        if isinstance(exc, ssl.SSLCertVerificationError):
            return DeliveryError(f"The TLS certificate of {s.host} could not be verified ({exc.verify_message}); "
                                 "check notify.email.host")
        if isinstance(exc, ssl.SSLError):
            return DeliveryError(f"The TLS handshake with {where} failed ({exc.reason or 'TLS error'}); check "
                                 "notify.email.security (ssl is usually port 465, starttls 587)")
        if isinstance(exc, TimeoutError | socket.timeout):
            return DeliveryError(f"The mail server {where} did not answer within {self.timeout_s:g} s",
                                 retryable=True)
        if isinstance(exc, ConnectionRefusedError):
            return DeliveryError(f"Could not connect to the mail server {where} (connection refused); check "
                                 "notify.email.host and notify.email.port", retryable=True)
        if isinstance(exc, socket.gaierror):
            return DeliveryError(f"Unknown mail server {s.host!r}; check notify.email.host", retryable=True)
        if isinstance(exc, OSError):
            return DeliveryError(f"Could not reach the mail server {where} ({exc.strerror or type(exc).__name__})",
                                 retryable=True)
        return DeliveryError(f"Sending mail through {where} failed ({type(exc).__name__})")


def _smtp_reply(exc: smtplib.SMTPResponseException) -> str:
    text = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
    return f"{exc.smtp_code} {' '.join(text[:4000].split())}"  # cut after redaction (dispatcher.deliver_once)
