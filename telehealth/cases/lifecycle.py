"""The case state machine of DESIGN.md: which action moves which status, and who may take it."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from telehealth.accounts.models import User
from telehealth.cases.access import is_assigned_specialist, is_coordinator_of, is_owner_side
from telehealth.cases.models import Case

OPEN_STATUSES = ("draft", "submitted", "triage", "offered", "accepted", "in_review", "info_requested")


@dataclass(frozen=True)
class Transition:
    """One action: the statuses it starts from, where it leads, and who may take it."""

    action: str
    sources: tuple[str, ...]
    target: str | None
    allowed: Callable[[Case, User, bool], bool]  # (case, user, has_pending_offer)


def _owner(c: Case, u: User, _o: bool) -> bool:
    return is_owner_side(c, u)


def _owner_or_coordinator(c: Case, u: User, _o: bool) -> bool:
    return is_owner_side(c, u) or is_coordinator_of(c, u)


def _offered(c: Case, u: User, has_offer: bool) -> bool:
    return has_offer


def _specialist(c: Case, u: User, _o: bool) -> bool:
    return is_assigned_specialist(c, u)


def _coordinator(c: Case, u: User, _o: bool) -> bool:
    return is_coordinator_of(c, u)


def _system(c: Case, u: User, _o: bool) -> bool:
    return False  # taken by the background job only, never offered to a user


TRANSITIONS: dict[str, Transition] = {t.action: t for t in (
    Transition("edit", ("draft",), None, _owner),
    Transition("submit", ("draft",), "triage", _owner),
    Transition("cancel", OPEN_STATUSES, "cancelled", _owner_or_coordinator),
    Transition("offer", ("triage",), "offered", _coordinator),
    Transition("accept", ("offered",), "accepted", _offered),
    Transition("decline", ("offered",), "triage", _offered),
    Transition("start_review", ("accepted",), "in_review", _specialist),
    Transition("request_info", ("accepted", "in_review"), "info_requested", _specialist),
    Transition("provide_info", ("info_requested",), "in_review", _owner),
    Transition("report", ("in_review",), "reported", _specialist),
    Transition("close", ("reported",), "closed", _owner_or_coordinator),
    # Routing (telehealth/routing): a coordinator takes the case back, the specialist returns it,
    # or an offer runs out; the case goes back to triage and on to the next candidate.
    Transition("reassign", ("offered", "accepted", "in_review", "info_requested"), "triage", _coordinator),
    Transition("hand_back", ("accepted", "in_review"), "triage", _specialist),
    Transition("expire_offer", ("offered",), "triage", _system),
)}


def allowed_actions(case: Case, user: User, has_pending_offer: bool = False) -> list[str]:
    """The actions this user may take on this case now (drives the UI's buttons)."""
    return [
        t.action for t in TRANSITIONS.values()
        if case.status in t.sources and t.allowed(case, user, has_pending_offer)
    ]
