"""Who is concerned by a case: its requesting side, its specialist, its coordinators."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from telehealth.accounts.models import User, UserRole
from telehealth.cases.models import Case


def requesters(case: Case) -> list[User]:
    """The patient and referring side taking part in the case."""
    return [p.user for p in case.participants if p.role in ("patient", "referrer")]


def specialists(case: Case) -> list[User]:
    """The specialist(s) taking part (offered or assigned)."""
    return [p.user for p in case.participants if p.role == "specialist"]


def participants(case: Case) -> list[User]:
    """Everyone taking part in the case."""
    return [p.user for p in case.participants]


def coordinators(session: Session, case: Case) -> list[User]:
    """The active coordinators of the network that handles the case."""
    if not case.network_id:
        return []
    return list(session.scalars(
        select(User).join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == "coordinator", User.organization_id == case.network_id, User.is_active.is_(True))
        .order_by(User.created_at)
    ).unique())
