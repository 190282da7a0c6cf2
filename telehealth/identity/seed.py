"""Demo data: the demo clinicians may sign in without MFA (open-ended grace) and are asked to enrol."""
from __future__ import annotations

from sqlalchemy.orm import Session

from telehealth.accounts.models import User
from telehealth.identity.models import MfaGrace


def seed_demo(session: Session, users: dict[str, User]) -> None:
    """Give every demo account an open-ended MFA grace, so the policy never locks the demo out."""
    for user in users.values():
        if session.get(MfaGrace, user.id) is None:
            session.add(MfaGrace(user_id=user.id, until=None, reason="demo account"))
    session.commit()
