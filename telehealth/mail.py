"""Outgoing e-mail: SMTP when TELEHEALTH_SMTP_HOST is set, else files in DATA_DIR/outbox (embedded run)."""
from __future__ import annotations

import os
import smtplib
from email.message import EmailMessage

from flask import current_app

from telehealth.db import new_id


def send_mail(to: str, subject: str, body: str) -> None:
    """Send one plain-text e-mail."""
    cfg = current_app.config
    msg = EmailMessage()
    msg["From"] = cfg["MAIL_FROM"]
    msg["To"] = to
    msg["Subject"] = subject
    msg.set_content(body)
    if cfg.get("SMTP_HOST"):
        with smtplib.SMTP(cfg["SMTP_HOST"], cfg["SMTP_PORT"], timeout=10) as smtp:
            smtp.send_message(msg)
        return
    outbox = os.path.join(cfg["DATA_DIR"], "outbox")
    os.makedirs(outbox, exist_ok=True)
    with open(os.path.join(outbox, f"{new_id()}.eml"), "wb") as f:
        f.write(bytes(msg))
