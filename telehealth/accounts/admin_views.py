"""Admin routes: accounts and organizations."""
from __future__ import annotations

from flask import Blueprint, current_app, g

from telehealth.accounts import admin
from telehealth.accounts.schemas import (
    AdminUserCreated,
    AdminUserIn,
    AdminUserPatch,
    OrganizationIn,
    OrganizationList,
    OrganizationOut,
    UserList,
    UserOut,
    UserQuery,
)
from telehealth.api import route
from telehealth.extensions import db

bp = Blueprint("admin", __name__, url_prefix="/api/admin")


@route(bp, "/users", query=UserQuery, response=UserList, summary="List accounts (admins)")
def list_users(query: UserQuery) -> UserList:
    rows, total = admin.list_users(db.session, g.user, role=query.role, q=query.q, page=query.page,
                                   per_page=query.per_page)
    return UserList(items=[UserOut.model_validate(u) for u in rows], total=total)


@route(bp, "/users", methods=["POST"], body=AdminUserIn, response=AdminUserCreated, status=201,
       summary="Create a clinician/staff account, or invite them by e-mail when no password is given")
def create_user(body: AdminUserIn) -> tuple[dict, int]:  # type: ignore[type-arg]
    user, token = admin.create_account(db.session, g.user, email=body.email, name=body.name, roles=list(body.roles),
                                       organization_id=body.organization_id, password=body.password,
                                       region=body.region, language=body.language)
    url = f"{current_app.config['PUBLIC_URL']}/invitations/{token}" if token else None
    if token:
        from telehealth.mail import send_mail
        send_mail(body.email, "You are invited to Telehealth",
                  f"{g.user.name} invited you to join Telehealth. Accept within "
                  f"{current_app.config['INVITATION_TTL_HOURS']} hours: {url}")
    out = AdminUserCreated(user=UserOut.model_validate(user) if user else None, invitation_url=url)
    return out.model_dump(mode="json"), 201


@route(bp, "/users/<user_id>", methods=["PATCH"], body=AdminUserPatch, response=UserOut,
       summary="Change roles, organization or activity of an account")
def update_user(user_id: str, body: AdminUserPatch) -> UserOut:
    user = admin.update_user(db.session, g.user, user_id, body.model_dump(exclude_unset=True))
    return UserOut.model_validate(user)


@route(bp, "/organizations", response=OrganizationList, summary="List organizations")
def list_organizations() -> OrganizationList:
    return OrganizationList(items=[OrganizationOut.model_validate(o)
                                   for o in admin.list_organizations(db.session, g.user)])


@route(bp, "/organizations", methods=["POST"], body=OrganizationIn, response=OrganizationOut, status=201,
       summary="Add an organization (admins)")
def create_organization(body: OrganizationIn) -> OrganizationOut:
    return OrganizationOut.model_validate(admin.create_organization(db.session, g.user, **body.model_dump()))
