"""Administration: accounts and organizations (admins only)."""
from __future__ import annotations

import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from telehealth import clock
from telehealth.accounts.auth import token_hash
from telehealth.accounts.models import Invitation, Organization, User, UserRole
from telehealth.accounts.service import create_user
from telehealth.audit.service import record
from telehealth.errors import Conflict, Forbidden, NotFound, ValidationFailed


def require_admin(user: User) -> None:
    """Refuse anyone but an administrator."""
    if not user.has_role("admin"):
        raise Forbidden("Administrators only", code="admin_only")


def _org(session: Session, org_id: str | None) -> Organization | None:
    if org_id is None:
        return None
    org = session.get(Organization, org_id)
    if org is None:
        raise ValidationFailed("No such organization", code="organization_not_found",
                               details=[{"field": "organization_id", "message": "unknown"}])
    return org


def create_account(session: Session, admin: User, *, email: str, name: str, roles: list[str],
                   organization_id: str | None, password: str | None, region: str | None = None,
                   language: str | None = None) -> tuple[User | None, str | None]:
    """Create an account with a password, or e-mail an invitation to set one; returns (user, invite token)."""
    require_admin(admin)
    _org(session, organization_id)
    if password:
        user = create_user(session, email=email, name=name, password=password, roles=roles,
                           organization_id=organization_id, region=region, language=language)
        record(session, actor=admin, action="account.created", entity_type="user", entity_id=user.id,
               details={"roles": roles})
        session.commit()
        return user, None
    if session.scalar(select(User.id).where(User.email == email.lower())):
        raise Conflict("An account with this e-mail already exists", code="email_taken")
    token = secrets.token_urlsafe(32)
    inv = Invitation(email=email.lower(), roles=roles, organization_id=organization_id, token_hash=token_hash(token),
                     invited_by_id=admin.id, created_at=clock.now(),
                     expires_at=clock.now() + timedelta(hours=current_app.config["INVITATION_TTL_HOURS"]))
    session.add(inv)
    session.flush()
    record(session, actor=admin, action="invitation.created", entity_type="invitation", entity_id=inv.id,
           details={"roles": roles})
    session.commit()
    return None, token


def list_users(session: Session, admin: User, *, role: str | None, q: str | None, page: int,
               per_page: int) -> tuple[list[User], int]:
    """All accounts, filtered."""
    require_admin(admin)
    query = select(User)
    if role:
        query = query.where(User.id.in_(select(UserRole.user_id).where(UserRole.role == role)))
    if q:
        like = f"%{q.lower()}%"
        query = query.where(or_(func.lower(User.email).like(like), func.lower(User.name).like(like)))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(User.email).limit(per_page).offset((page - 1) * per_page)).all()
    return list(rows), total


def update_user(session: Session, admin: User, user_id: str, changes: dict) -> User:  # type: ignore[type-arg]
    """Change an account's roles, organization, name or activity."""
    require_admin(admin)
    user = session.get(User, user_id) if len(user_id) <= 36 else None
    if user is None:
        raise NotFound("No such user", code="user_not_found")
    if "roles" in changes and changes["roles"] is not None:
        if user.id == admin.id and "admin" not in changes["roles"]:
            raise ValidationFailed("You cannot remove your own admin role", code="self_demotion")
        user.role_rows = [UserRole(role=r) for r in dict.fromkeys(changes["roles"])]
    if "organization_id" in changes:
        _org(session, changes["organization_id"])
        user.organization_id = changes["organization_id"]
    if changes.get("is_active") is not None:
        user.is_active = changes["is_active"]
    if changes.get("name"):
        user.name = changes["name"]
    record(session, actor=admin, action="account.updated", entity_type="user", entity_id=user.id,
           details={"fields": sorted(changes)})
    session.commit()
    return user


def create_organization(session: Session, admin: User, **fields: str | None) -> Organization:
    """Add a referring organization or a specialist network."""
    require_admin(admin)
    if fields.get("network_id"):
        net = _org(session, fields["network_id"])
        if net is None or net.kind != "network":
            raise ValidationFailed("network_id must name a specialist network", code="not_a_network")
    org = Organization(**fields, created_at=clock.now())
    session.add(org)
    session.flush()
    record(session, actor=admin, action="organization.created", entity_type="organization", entity_id=org.id)
    session.commit()
    return org


def list_organizations(session: Session, user: User) -> list[Organization]:
    """Organizations (any signed-in clinician may list them, e.g. to pick a network)."""
    return list(session.scalars(select(Organization).order_by(Organization.name)))
