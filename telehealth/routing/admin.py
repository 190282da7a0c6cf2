"""Admin services: specialist profiles and routing rules (data, not code)."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from telehealth import clock
from telehealth.accounts.models import User
from telehealth.audit.service import record
from telehealth.errors import Forbidden, NotFound, ValidationFailed
from telehealth.routing.calendar import check_working_hours, zone
from telehealth.routing.models import RoutingRule, SpecialistProfile

PROFILE_FIELDS = ("specialties", "subspecialties", "modalities", "licensed_regions", "languages", "capacity",
                  "time_zone", "working_hours", "absences", "accepting")
# What a specialist may change on their own profile: when they work, not what they are licensed for.
SELF_FIELDS = ("time_zone", "working_hours", "absences", "accepting", "languages")
RULE_FIELDS = ("name", "position", "active", "match_specialty", "match_modality", "match_body_part", "match_region",
               "match_language", "required_specialty", "required_subspecialty", "weights")


def _invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(f"{field}: {message}", code="validation_failed",
                            details=[{"field": field, "message": message}])


def list_profiles(session: Session, actor: User) -> list[SpecialistProfile]:
    """Specialist profiles (coordinators and admins see all; a specialist sees their own)."""
    q = select(SpecialistProfile).join(User, User.id == SpecialistProfile.user_id).order_by(User.name)
    if not (actor.has_role("coordinator") or actor.has_role("admin")):
        q = q.where(SpecialistProfile.user_id == actor.id)
    return list(session.scalars(q))


def get_profile(session: Session, actor: User, user_id: str) -> SpecialistProfile:
    """One profile, visible to coordinators, admins and its owner."""
    profile = session.scalar(select(SpecialistProfile).where(SpecialistProfile.user_id == user_id)) \
        if len(user_id) <= 36 else None
    if profile is None or not (actor.id == user_id or actor.has_role("coordinator") or actor.has_role("admin")):
        raise NotFound("No such specialist profile", code="profile_not_found")
    return profile


def _clean_profile(changes: dict[str, Any]) -> dict[str, Any]:
    out = dict(changes)
    if "time_zone" in out:
        try:
            zone(out["time_zone"])
        except ValueError as e:
            raise _invalid("time_zone", str(e)) from None
    if "working_hours" in out:
        try:
            out["working_hours"] = check_working_hours(out["working_hours"] or {})
        except ValueError as e:
            raise _invalid("working_hours", str(e)) from None
    if "absences" in out:
        absences = []
        for i, a in enumerate(out["absences"] or []):
            starts, ends = a["starts_at"], a["ends_at"]
            if not isinstance(starts, datetime) or starts.tzinfo is None or ends.tzinfo is None:
                raise _invalid(f"absences.{i}", "times need a UTC offset")
            if ends <= starts:
                raise _invalid(f"absences.{i}", "ends before it starts")
            absences.append({"starts_at": starts.isoformat(), "ends_at": ends.isoformat(),
                             "reason": a.get("reason")})
        out["absences"] = absences
    for key in ("licensed_regions", "modalities"):
        if key in out:
            out[key] = sorted({v.strip().upper() for v in out[key] if v.strip()})
    for key in ("specialties", "subspecialties", "languages"):
        if key in out:
            out[key] = list(dict.fromkeys(v.strip() for v in out[key] if v.strip()))
    return out


def save_profile(session: Session, actor: User, user_id: str, changes: dict[str, Any]) -> SpecialistProfile:
    """Create or update a specialist's profile: admins everything, the specialist their availability."""
    is_admin = actor.has_role("admin")
    if not is_admin:
        if actor.id != user_id:
            raise Forbidden("Only administrators edit other specialists' profiles", code="not_allowed")
        if set(changes) - set(SELF_FIELDS):
            raise Forbidden("You may change your availability and languages; ask an administrator for the rest",
                            code="not_allowed", details={"fields": sorted(set(changes) - set(SELF_FIELDS))})
    user = session.get(User, user_id) if len(user_id) <= 36 else None
    if user is None or not user.has_role("specialist"):
        raise NotFound("No such specialist", code="specialist_not_found")
    clean = _clean_profile(changes)
    profile = session.scalar(select(SpecialistProfile).where(SpecialistProfile.user_id == user.id))
    created = profile is None
    if profile is None:
        profile = SpecialistProfile(user_id=user.id, created_at=clock.now(), specialties=[], subspecialties=[],
                                    modalities=[], licensed_regions=[], languages=[], working_hours={}, absences=[])
        session.add(profile)
    for key in PROFILE_FIELDS:
        if key in clean:
            setattr(profile, key, clean[key])
    profile.updated_at = clock.now()
    session.flush()
    record(session, actor=actor, action="specialist_profile.created" if created else "specialist_profile.updated",
           entity_type="specialist_profile", entity_id=profile.id, details={"user_id": user.id,
                                                                           "fields": sorted(clean)})
    session.commit()
    return profile


def _require_admin(actor: User) -> None:
    if not actor.has_role("admin"):
        raise Forbidden("Only administrators change routing rules", code="not_allowed")


def list_rules(session: Session, actor: User) -> list[RoutingRule]:
    """The routing rules in the order they are tried (coordinators and admins)."""
    if not (actor.has_role("admin") or actor.has_role("coordinator")):
        raise Forbidden("Coordinators and administrators only", code="not_allowed")
    return list(session.scalars(select(RoutingRule).order_by(RoutingRule.position, RoutingRule.created_at)))


def _clean_rule(changes: dict[str, Any]) -> dict[str, Any]:
    out = dict(changes)
    for key in ("match_modality", "match_body_part", "match_region"):
        if out.get(key):
            out[key] = out[key].strip().upper()
    return out


def create_rule(session: Session, actor: User, fields: dict[str, Any]) -> RoutingRule:
    """Add a rule."""
    _require_admin(actor)
    rule = RoutingRule(**_clean_rule(fields), created_at=clock.now(), updated_at=clock.now())
    if not (rule.required_specialty or rule.required_subspecialty or rule.weights):
        raise _invalid("required_specialty", "a rule needs a required specialty, subspecialty or weights")
    session.add(rule)
    session.flush()
    record(session, actor=actor, action="routing_rule.created", entity_type="routing_rule", entity_id=rule.id)
    session.commit()
    return rule


def update_rule(session: Session, actor: User, rule_id: str, changes: dict[str, Any]) -> RoutingRule:
    """Change a rule."""
    _require_admin(actor)
    rule = session.get(RoutingRule, rule_id) if len(rule_id) <= 36 else None
    if rule is None:
        raise NotFound("No such routing rule", code="rule_not_found")
    for key, value in _clean_rule(changes).items():
        if key in RULE_FIELDS:
            setattr(rule, key, value)
    rule.updated_at = clock.now()
    record(session, actor=actor, action="routing_rule.updated", entity_type="routing_rule", entity_id=rule.id,
           details={"fields": sorted(changes)})
    session.commit()
    return rule


def delete_rule(session: Session, actor: User, rule_id: str) -> None:
    """Remove a rule."""
    _require_admin(actor)
    rule = session.get(RoutingRule, rule_id) if len(rule_id) <= 36 else None
    if rule is None:
        raise NotFound("No such routing rule", code="rule_not_found")
    session.delete(rule)
    record(session, actor=actor, action="routing_rule.deleted", entity_type="routing_rule", entity_id=rule_id)
    session.commit()
