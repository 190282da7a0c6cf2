"""Who may see a case: decided here, once, for every feature.

Access is per case, never by role alone: a patient sees the cases they take part in;
a referrer also sees their organization's cases; a specialist sees only cases offered
or assigned to them (they are participants then); a coordinator sees the submitted
cases of their specialist network. Anything else is "not found", never "forbidden",
so case ids do not leak.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, and_, or_, select
from sqlalchemy.orm import Session, lazyload

from telehealth.accounts.models import User
from telehealth.cases.models import Case, CaseParticipant
from telehealth.errors import NotFound


def visible_cases_query(user: User) -> Select[tuple[Case]]:
    """A SELECT of the cases this user may see."""
    conditions: list[ColumnElement[bool]] = [
        Case.id.in_(select(CaseParticipant.case_id).where(CaseParticipant.user_id == user.id))
    ]
    if user.organization_id and user.has_role("referrer"):
        conditions.append(Case.organization_id == user.organization_id)
    if user.organization_id and user.has_role("coordinator"):
        conditions.append(and_(Case.network_id == user.organization_id, Case.status != "draft"))
    return select(Case).where(or_(*conditions))


def participant_role(case: Case, user: User) -> str | None:
    """The user's role in this case, if they take part in it."""
    for p in case.participants:
        if p.user_id == user.id:
            return p.role
    return None


def can_see(case: Case, user: User) -> bool:
    """Whether the user may see this case (same rule as visible_cases_query)."""
    return participant_role(case, user) is not None or _visible_to_organization(case, user)


def _visible_to_organization(case: Case, user: User) -> bool:
    """A referrer's organization's case, or a submitted case of a coordinator's network."""
    if user.organization_id and user.has_role("referrer") and case.organization_id == user.organization_id:
        return True
    return bool(
        user.organization_id
        and user.has_role("coordinator")
        and case.network_id == user.organization_id
        and case.status != "draft"
    )


def get_visible_case(session: Session, user: User, case_id: str) -> Case:
    """The case, or NotFound if it does not exist or the user may not see it.

    One statement (same rule as can_see): the case row and whether the user takes part. Its creator and
    participants load when a caller uses them, not for the check; every case-scoped request runs this.
    """
    if len(case_id) > 36:
        raise NotFound("No such case", code="case_not_found")
    takes_part = select(CaseParticipant.id).where(
        CaseParticipant.case_id == Case.id, CaseParticipant.user_id == user.id).exists()
    row = session.execute(
        select(Case, takes_part).where(Case.id == case_id)
        .options(lazyload(Case.created_by), lazyload(Case.participants))
    ).first()
    if row is None:
        raise NotFound("No such case", code="case_not_found")
    case, participant = row
    if not (participant or _visible_to_organization(case, user)):
        raise NotFound("No such case", code="case_not_found")
    return case



def is_owner_side(case: Case, user: User) -> bool:
    """The patient and referring side: may edit, submit, cancel, answer and close."""
    role = participant_role(case, user)
    if role in ("patient", "referrer") or case.created_by_id == user.id:
        return True
    return bool(user.organization_id and user.has_role("referrer") and case.organization_id == user.organization_id)


def is_coordinator_of(case: Case, user: User) -> bool:
    """A coordinator of the network that handles the case."""
    return bool(user.has_role("coordinator") and user.organization_id and case.network_id == user.organization_id)


def is_assigned_specialist(case: Case, user: User) -> bool:
    """The specialist who accepted the case."""
    return participant_role(case, user) == "specialist" and user.has_role("specialist")
