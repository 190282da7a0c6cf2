"""Demo data for the embedded run: organizations, one user per role, specialists, a sample case.

Idempotent (run it as often as you like) and refused in production mode.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from telehealth.accounts.models import Organization, User
from telehealth.accounts.service import create_user
from telehealth.cases.models import Case
from telehealth.cases.service import create_case, transition
from telehealth.config import ConfigError

DEMO_PASSWORD = "demo-password-2026"
DOMAIN = "demo.telehealth.local"

# (e-mail local part, name, roles, organization key, specialty note)
DEMO_USERS = [
    ("patient", "Pat Jones", ["patient"], None),
    ("referrer", "Dr. Rita Referrer", ["referrer"], "clinic"),
    ("specialist", "Dr. Sam Specialist", ["specialist"], "network"),
    ("neuro", "Dr. Nora Neuro", ["specialist"], "network"),
    ("msk", "Dr. Max Bones", ["specialist"], "network"),
    ("coordinator", "Cora Coordinator", ["coordinator"], "network"),
    ("admin", "Ada Admin", ["admin"], "network"),
]


def demo_email(local: str) -> str:
    """The e-mail address of a demo account."""
    return f"{local}@{DOMAIN}"


def _org(session: Session, name: str, kind: str, network_id: str | None = None) -> Organization:
    org = session.scalar(select(Organization).where(Organization.name == name))
    if org is None:
        org = Organization(name=name, kind=kind, network_id=network_id, region="EU-DE",
                           letterhead={"address": "1 Demo Street, Berlin", "phone": "+49 30 000000"})
        session.add(org)
        session.flush()
    return org


def seed_demo(session: Session, *, env_name: str = "development") -> dict[str, User]:
    """Create the demo organizations, users and sample case if missing; returns users by key."""
    if env_name == "production":
        raise ConfigError("The demo seed is refused in production mode")
    network = _org(session, "Telehealth Specialist Network", "network")
    clinic = _org(session, "Northside Clinic", "referring", network_id=network.id)
    orgs = {"network": network, "clinic": clinic}
    users: dict[str, User] = {}
    for local, name, roles, org_key in DEMO_USERS:
        email = demo_email(local)
        user = session.scalar(select(User).where(User.email == email))
        if user is None:
            user = create_user(session, email=email, name=name, password=DEMO_PASSWORD, roles=roles,
                               organization_id=orgs[org_key].id if org_key else None, region="EU-DE", language="en")
        users[local] = user
    session.commit()
    _extend(session, users)
    if session.scalar(select(Case.id).where(Case.created_by_id == users["patient"].id)) is None:
        case = create_case(session, users["patient"], title="Second opinion on my brain MRI",
                           question="Is the lesion seen on my MRI likely benign? My local report was unclear.",
                           history="Headaches for 3 months. MRI done locally last week.", priority="routine",
                           requested_specialty="neuroradiology", consent=True)
        transition(session, users["patient"], case.id, "submit")
    return users


def _extend(session: Session, users: dict[str, User]) -> None:
    """Let other features add their demo data (specialist profiles, studies, reports)."""
    import importlib

    from telehealth.features import BLUEPRINTS

    for path in BLUEPRINTS:
        package = path.rsplit(".", 1)[0]
        if package == "telehealth":
            continue
        try:
            mod = importlib.import_module(f"{package}.seed")
        except ModuleNotFoundError as e:
            if e.name != f"{package}.seed":
                raise
            continue
        mod.seed_demo(session, users)
