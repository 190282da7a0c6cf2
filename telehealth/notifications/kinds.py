"""The catalogue of notification kinds with their default delivery (in-app, e-mail)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    """One kind of notification: what it is about and how it is delivered unless the user chose."""

    name: str
    label: str
    email: bool  # e-mailed by default (in-app is always on by default)


KINDS: dict[str, Kind] = {k.name: k for k in (
    Kind("offer_received", "A case is offered to you", True),
    Kind("offer_expired", "An offer to you expired", False),
    Kind("offer_withdrawn", "An offer to you was withdrawn or the case reassigned", False),
    Kind("case_submitted", "Your case was submitted", False),
    Kind("case_accepted", "A specialist accepted your case", True),
    Kind("case_status", "Other changes of a case's status", False),
    Kind("info_requested", "The specialist asks for more information", True),
    Kind("info_provided", "The information you asked for was provided", True),
    Kind("report_ready", "The report is ready", True),
    Kind("message", "New message in a case conversation", False),
    Kind("live_session", "A live session on your case starts or is scheduled", True),
    Kind("routing_escalation", "Coordinators: a case needs routing by hand", True),
    Kind("case_returned", "Coordinators: a case was handed back or declined", False),
    Kind("sla_warning", "A case is close to its due time", False),
    Kind("sla_breach", "A case is overdue", True),
    Kind("case_delayed", "Your case is delayed", True),
)}
