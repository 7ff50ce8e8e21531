"""E-mail notifications through the configured SMTP server (``TRUCEWATCH_SMTP_*``)."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from email.utils import formatdate

from trucewatch.notifications.webhooks import Outcome


def message(*, sender: str, to: str, subject: str, text: str, message_id: str,
            event: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = formatdate(usegmt=True)
    msg["Message-ID"] = message_id  # one per delivery: a receiver can drop a repeat
    msg["X-Trucewatch-Event"] = event
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(text)
    return msg


def send(msg: EmailMessage, *, host: str, port: int, timeout: float, starttls: bool = False,
         user: str = "", password: str = "") -> Outcome:
    """Hand ``msg`` to the SMTP server; a 5xx refusal is final, anything else is retried."""
    try:
        with smtplib.SMTP(host, port, timeout=timeout) as smtp:
            if starttls:
                smtp.starttls()
            if user:
                smtp.login(user, password)
            refused = smtp.send_message(msg)
            if refused:
                return Outcome(False, None, f"refused: {refused}", retry=False)
            code, _ = smtp.noop()
            return Outcome(True, 250 if code == 250 else code)
    except smtplib.SMTPResponseException as exc:
        return Outcome(False, exc.smtp_code, f"SMTP {exc.smtp_code} {exc.smtp_error!r}",
                       retry=exc.smtp_code < 500)
    except smtplib.SMTPRecipientsRefused as exc:
        return Outcome(False, None, f"recipients refused: {exc.recipients}", retry=False)
    except (smtplib.SMTPException, OSError) as exc:
        return Outcome(False, None, f"{type(exc).__name__}: {exc}")
