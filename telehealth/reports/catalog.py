"""Report templates (admin-edited data) and the import of live-session measurements."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from telehealth.accounts.models import User
from telehealth.audit.service import record
from telehealth.cases.access import get_visible_case
from telehealth.errors import Forbidden, NotFound
from telehealth.reports.evidence import case_annotations
from telehealth.reports.models import ReportTemplate

# Live measurement names (telehealth.live schemas) -> report measurement kinds.
_NAMES = {
    "length": "length", "long_axis": "length", "short_axis": "length", "diameter": "diameter",
    "perimeter": "perimeter", "area": "area", "angle": "angle", "mean": "mean", "stddev": "standard_deviation",
    "std_dev": "standard_deviation", "standard_deviation": "standard_deviation", "min": "minimum",
    "minimum": "minimum", "max": "maximum", "maximum": "maximum", "value": "probe", "probe": "probe",
}


def list_templates(session: Session) -> list[ReportTemplate]:
    """Every template, active first."""
    return list(session.scalars(select(ReportTemplate).order_by(ReportTemplate.active.desc(),
                                                                ReportTemplate.name)).all())


def save_template(session: Session, actor: User, template_id: str | None, data: dict[str, Any]) -> ReportTemplate:
    """Create or replace a template (admins only)."""
    if not actor.has_role("admin"):
        raise Forbidden("Only administrators edit report templates", code="admin_only")
    if template_id is None:
        template = ReportTemplate()
        session.add(template)
    else:
        found = session.get(ReportTemplate, template_id)
        if found is None:
            raise NotFound("No such report template", code="template_not_found")
        template = found
    for key in ("name", "specialty", "modality", "title", "sections", "required_fields", "active"):
        setattr(template, key, data[key])
    session.flush()
    record(session, actor=actor, action="report_template.saved", entity_type="report_template",
           entity_id=template.id, details={"name": template.name})
    session.commit()
    return template


def _measurement(a: Any, name: str, value: float, unit: str, points: list[list[float]], suffix: str = "",
                 graphic_type: str | None = None) -> dict[str, Any]:
    return {
        "annotation_id": a.id + suffix, "kind": _NAMES[name], "value": value, "unit": unit,
        "study_instance_uid": a.study_instance_uid, "series_instance_uid": a.series_instance_uid,
        "sop_class_uid": getattr(a, "sop_class_uid", None) or "", "sop_instance_uid": a.sop_instance_uid,
        "frame_number": a.frame_number, "graphic_type": graphic_type or a.graphic_type,
        "points": [[float(x), float(y)] for x, y in points], "finding": a.label or "",
    }


def measurements_from_annotations(session: Session, actor: User, case_id: str
                                  ) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    """The case's annotations with measured values, as report measurements (annotations stay linked by id)."""
    case = get_visible_case(session, actor, case_id)
    items: list[dict[str, Any]] = []
    skipped: list[dict[str, str]] = []
    for a in case_annotations(session, case.id):
        for m in a.measurements or []:
            name = str(m.get("name", "")).lower()
            if name not in _NAMES:
                skipped.append({"annotation_id": a.id, "reason": f"unknown measurement {name!r}"})
                continue
            if a.kind == "bidirectional":
                # Two axes of one MULTIPOINT: each axis becomes a 2-point line (TID 1410 needs a region).
                axis = a.points[2:4] if name == "short_axis" else a.points[:2]
                items.append(_measurement(a, name, m["value"], m["unit"], axis,
                                          "/short" if name == "short_axis" else "", "POLYLINE"))
                continue
            items.append(_measurement(a, name, m["value"], m["unit"], a.points))
    _sop_classes(session, case.id, items)
    record(session, actor=actor, action="report.annotations_listed", entity_type="case", entity_id=case.id,
           case_id=case.id, details={"count": len(items)})
    session.commit()
    return items, skipped


def _sop_classes(session: Session, case_id: str, items: list[dict[str, Any]]) -> None:
    """Fill SOP Class UIDs from the archive (annotations reference instances by SOP Instance UID)."""
    missing = {i["sop_instance_uid"] for i in items if not i["sop_class_uid"]}
    if not missing:
        return
    from telehealth.dicom.models import DicomInstance

    rows = session.execute(select(DicomInstance.sop_instance_uid, DicomInstance.sop_class_uid).where(
        DicomInstance.case_id == case_id, DicomInstance.sop_instance_uid.in_(missing))).all()
    classes: dict[str, str] = {str(uid): str(cls) for uid, cls in rows}
    for item in items:
        item["sop_class_uid"] = item["sop_class_uid"] or classes.get(item["sop_instance_uid"], "")
