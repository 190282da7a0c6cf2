"""Stored report content (JSON) to the document model, with the case's people and study."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import date, datetime
from typing import Any

from telehealth.reports import document as doc
from telehealth.reports.sr import COMPREHENSIVE_SR, sr_uids_of

REQUIRED_FIELD_LABELS = {
    "history": "History", "technique": "Technique", "comparison": "Comparison", "findings": "Findings",
    "impression": "Impression", "recommendations": "Recommendations", "agreement": "Agreement",
    "key_images": "Key images", "measurements": "Measurements",
}


def empty_content(template: dict[str, Any] | None) -> dict[str, Any]:
    """A new draft body: the template's sections with their default text."""
    template = template or {}
    return {
        "title": template.get("title") or "Second opinion report",
        "history": "", "technique": "", "comparison": "",
        "findings": [{"key": s["key"], "title": s["title"], "text": s.get("default", "")}
                     for s in template.get("sections", [])],
        "measurements": [], "impression": [], "recommendations": [], "agreement": None, "key_images": [],
    }


def missing_fields(content: dict[str, Any], template: dict[str, Any] | None) -> list[str]:
    """Required fields (template fields and required sections) still empty; impression is always required."""
    template = template or {}
    missing = []
    for name in dict.fromkeys(["impression", *template.get("required_fields", [])]):
        value = content.get(name)
        if not value or (isinstance(value, str) and not value.strip()):
            missing.append(name)
    texts = {s.get("key"): s.get("text", "") for s in content.get("findings", [])}
    for section in template.get("sections", []):
        if section.get("required") and not str(texts.get(section["key"], "")).strip():
            missing.append(f"findings.{section['key']}")
    return missing


def content_sha256(content: dict[str, Any]) -> str:
    """Digest of the canonical JSON of the content (what the signature covers)."""
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def verification_code(secret: str, version_id: str, digest: str, signed_at: datetime) -> str:
    """A short code printed on the report: HMAC of the version, its content and signing time."""
    mac = hmac.new(secret.encode(), f"{version_id}|{digest}|{signed_at.isoformat()}".encode(),
                   hashlib.sha256).digest()
    code = base64.b32encode(mac).decode()[:12]
    return "-".join(code[i:i + 4] for i in range(0, 12, 4))


def _image(item: dict[str, Any]) -> doc.ImageRef:
    return doc.ImageRef(item["study_instance_uid"], item["series_instance_uid"], item["sop_class_uid"],
                        item["sop_instance_uid"], item.get("frame_number"))


def _birth_date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def person(name: str, identifier: str = "", organization: str = "") -> doc.Person:
    """A document Person."""
    return doc.Person(name=name, identifier=identifier, organization=organization)


def to_document(
    content: dict[str, Any],
    *,
    report_id: str,
    number: int,
    status: str,
    case: doc.CaseDetails,
    author: doc.Person,
    signer: doc.Person | None = None,
    signed_at: datetime | None = None,
    verification: str = "",
    amendment_reason: str | None = None,
    predecessor: tuple[int, datetime | None] | None = None,
    created_at: datetime | None = None,
) -> doc.Report:
    """The validated document of one version (raises ``ReportInvalid``)."""
    amendment = None
    if predecessor is not None:
        series, sop = sr_uids_of(report_id, predecessor[0])
        amendment = doc.Amendment(
            reason=amendment_reason or "",
            predecessor=doc.PredecessorRef(predecessor[0], case.study_instance_uid or "", series, sop,
                                           COMPREHENSIVE_SR, predecessor[1]),
        )
    agreement = content.get("agreement")
    return doc.Report(
        report_id=report_id,
        case=case,
        author=author,
        status=doc.ReportStatus(status),
        version=number,
        title=content.get("title") or "Second opinion report",
        history=content.get("history", ""),
        technique=content.get("technique", ""),
        comparison=content.get("comparison", ""),
        findings=tuple(doc.FindingSection(f["title"], f.get("text", "")) for f in content.get("findings", [])),
        measurements=tuple(
            doc.Measurement(
                annotation_id=m["annotation_id"], kind=doc.MeasurementKind(m["kind"]), value=m["value"],
                unit=m["unit"], image=_image(m), graphic_type=doc.GraphicType(m["graphic_type"]),
                points=tuple((float(x), float(y)) for x, y in m["points"]), finding=m.get("finding", ""),
            )
            for m in content.get("measurements", [])
        ),
        impression=tuple(content.get("impression", [])),
        recommendations=tuple(content.get("recommendations", [])),
        agreement=doc.AgreementAssessment(doc.Agreement(agreement["agreement"]), agreement.get("comment", ""))
        if agreement else None,
        key_images=tuple(
            doc.KeyImage(_image(k), k.get("window_center"), k.get("window_width"),
                         tuple(k.get("annotation_ids", [])), k.get("caption", ""))
            for k in content.get("key_images", [])
        ),
        signer=signer,
        signed_at=signed_at,
        amendment=amendment,
        verification_code=verification,
        created_at=created_at,
    )


def case_details(
    *, case_id: str, title: str, question: str, patient_name: str | None, birth_date: str | None,
    sex: str | None, priority: str, specialty: str | None, referrer: doc.Person | None,
    study_instance_uid: str, modality: str, patient_identifier: str = "",
) -> doc.CaseDetails:
    """Document case details from the case's fields."""
    return doc.CaseDetails(
        case_id=case_id, reference=f"C-{case_id[:8].upper()}",
        patient=doc.Patient(patient_name or "Unnamed patient", patient_identifier, _birth_date(birth_date),
                            sex or ""),
        clinical_question=question or title, referrer=referrer, specialty=specialty or "",
        modality=modality, priority=priority, study_instance_uid=study_instance_uid,
    )
