"""Outgoing email over SMTP (or to the log when no SMTP server is configured)."""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage

from flask import current_app

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    body: str
    headers: tuple[tuple[str, str], ...] = ()


def build_message(mail: Mail, sender: str) -> EmailMessage:
    """The RFC 5322 message for ``mail``."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = mail.to
    message["Subject"] = mail.subject
    for name, value in mail.headers:
        message[name] = value
    message.set_content(mail.body)
    return message


def send_mail(mail: Mail) -> bool:
    """Send one email now; returns False (and logs) if the SMTP server fails.

    Mail is a side effect after commit: a failing mail server must not undo the user's action.
    """
    config = current_app.config
    message = build_message(mail, config["MAIL_DEFAULT_SENDER"])
    if not config["MAIL_SERVER"]:
        log.warning("MAIL_SERVER is not set; mail not sent:\n%s", message.as_string())
        return False
    smtp_class = smtplib.SMTP_SSL if config["MAIL_USE_SSL"] else smtplib.SMTP
    try:
        with smtp_class(
            config["MAIL_SERVER"], config["MAIL_PORT"], timeout=config["MAIL_TIMEOUT"]
        ) as smtp:
            if config["MAIL_USE_TLS"]:
                smtp.starttls()
            if config["MAIL_USERNAME"]:
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException):
        log.exception("Could not send mail %r to %s", mail.subject, mail.to)
        return False
    return True
