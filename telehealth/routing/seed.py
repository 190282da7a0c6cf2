"""Demo specialist profiles and a routing rule for the embedded run (idempotent)."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from telehealth.accounts.models import User
from telehealth.routing.models import RoutingRule, SpecialistProfile

# demo user key -> (specialties, subspecialties, modalities, languages, time zone)
PROFILES = {
    "specialist": (["general radiology"], [], ["CR", "DX", "CT", "MR", "US"], ["en", "de"], "Europe/Berlin"),
    "neuro": (["radiology"], ["neuroradiology"], ["CT", "MR"], ["en", "de", "fr"], "Europe/Berlin"),
    "msk": (["radiology"], ["musculoskeletal"], ["CR", "DX", "CT", "MR"], ["en", "de"], "Europe/Berlin"),
}
RULES = [
    # name, match body part, match modality, required subspecialty, position
    ("Brain and spine imaging to neuroradiology", "BRAIN", None, "neuroradiology", 10),
    ("Knee imaging to musculoskeletal", "KNEE", None, "musculoskeletal", 20),
]


def seed_demo(session: Session, users: dict[str, User]) -> None:
    """Give the three demo specialists profiles (all licensed for EU-DE) and add example rules."""
    for key, (specialties, subs, modalities, languages, tz) in PROFILES.items():
        user = users.get(key)
        if user is None:
            continue
        if session.scalar(select(SpecialistProfile.id).where(SpecialistProfile.user_id == user.id)):
            continue
        # No working hours: the demo specialists take cases at any time, so the demo routes at night too.
        session.add(SpecialistProfile(user_id=user.id, specialties=specialties, subspecialties=subs,
                                      modalities=modalities, licensed_regions=["EU-DE"], languages=languages,
                                      capacity=10, time_zone=tz, working_hours={}, absences=[]))
    for name, body_part, modality, sub, position in RULES:
        if session.scalar(select(RoutingRule.id).where(RoutingRule.name == name)) is None:
            session.add(RoutingRule(name=name, position=position, match_body_part=body_part, match_modality=modality,
                                    required_subspecialty=sub, weights={}))
    session.commit()
