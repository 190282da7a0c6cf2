"""Routing follows the case lifecycle: start/pause/resume the SLA clock and offer automatically."""
from __future__ import annotations

import logging
from typing import Any

from flask import current_app
from sqlalchemy.orm import object_session

from telehealth.cases.models import Case
from telehealth.cases.offers import OFFER_CHECKS
from telehealth.cases.signals import case_transitioned
from telehealth.extensions import db
from telehealth.routing import sla
from telehealth.routing.service import auto_route_now, check_manual_offer, clear_flag

log = logging.getLogger(__name__)

AUTO_ROUTE_AFTER = ("submit", "decline", "hand_back")


def on_case_transitioned(case: Case, **kw: Any) -> None:
    """Signal receiver: keep the clock and the routing in step with a committed transition."""
    session = object_session(case) or db.session
    action, from_status = kw.get("action"), kw.get("from_status")
    try:
        if action == "submit":
            sla.start(session, case)
        if case.status == "info_requested" and from_status != "info_requested":
            sla.pause(session, case)
        elif from_status == "info_requested" and case.status != "info_requested":
            sla.resume(session, case)
        if action == "offer":
            clear_flag(sla.state(session, case))
        session.commit()
        if action in AUTO_ROUTE_AFTER and case.status == "triage" and current_app.config["ROUTING_AUTO"]:
            auto_route_now(session, case)
    except Exception:  # the transition is committed; routing retries from the background job
        log.exception("routing after %s failed", action)
        session.rollback()


case_transitioned.connect(on_case_transitioned)
if check_manual_offer not in OFFER_CHECKS:
    OFFER_CHECKS.append(check_manual_offer)
