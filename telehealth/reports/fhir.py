"""FHIR R4 (4.0.1) DiagnosticReport of a report version, with its PDF as presentedForm.

Measurements become contained Observations referenced from ``result``; the imaging study
and the patient are logical references by identifier (DICOM Study Instance UID, MRN),
since this platform is not a FHIR server.
"""
from __future__ import annotations

import base64
import hashlib
import html
from datetime import UTC, datetime
from typing import Any

from telehealth.reports.document import Report, ReportStatus, unit_display
from telehealth.reports.sr import AGREEMENT_TEXT, sr_uids

LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
DICOM_UID = "urn:dicom:uid"
V2_0074 = "http://terminology.hl7.org/CodeSystem/v2-0074"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
AGREEMENT_SYSTEM = "urn:telehealth:second-opinion-agreement"
REPORT_SYSTEM = "urn:telehealth:report"

_STATUS = {
    ReportStatus.DRAFT: "preliminary",
    ReportStatus.FINAL: "final",
    ReportStatus.AMENDED: "amended",
}


def _instant(value: datetime) -> str:
    """FHIR ``instant``: seconds precision with a zone (R4 datatypes)."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _narrative(report: Report) -> str:
    parts = [f"<p><b>{html.escape(report.title)}</b> ({_STATUS[report.status]}, "
             f"version {report.version})</p>"]
    if report.amendment is not None:
        parts.append(f"<p>Amends version {report.amendment.predecessor.version}: "
                     f"{html.escape(report.amendment.reason)}</p>")
    parts.append(f"<p>Question: {html.escape(report.case.clinical_question)}</p>")
    if report.impression:
        items = "".join(f"<li>{html.escape(i)}</li>" for i in report.impression)
        parts.append(f"<p>Impression:</p><ol>{items}</ol>")
    if report.agreement is not None:
        parts.append(f"<p>{html.escape(AGREEMENT_TEXT[report.agreement.agreement])}"
                     f"{': ' + html.escape(report.agreement.comment) if report.agreement.comment else ''}</p>")
    return f'<div xmlns="http://www.w3.org/1999/xhtml">{"".join(parts)}</div>'


def _observations(report: Report, subject: dict[str, Any]) -> list[dict[str, Any]]:
    """One contained Observation per measurement (valueQuantity in UCUM)."""
    out = []
    status = "preliminary" if not report.is_signed else (
        "amended" if report.status is ReportStatus.AMENDED else "final")
    for i, m in enumerate(report.measurements, start=1):
        name = m.kind.value.replace("_", " ")
        text = f"{m.finding} {name}".strip() if m.finding else name.capitalize()
        obs: dict[str, Any] = {
            "resourceType": "Observation",
            "id": f"m{i}",
            "status": status,
            "category": [{"coding": [{"system": OBSERVATION_CATEGORY, "code": "imaging",
                                      "display": "Imaging"}]}],
            "code": {"text": text},
            "subject": subject,
            "valueQuantity": {"value": m.value, "unit": unit_display(m.unit) or m.unit,
                              "system": UCUM, "code": m.unit},
            "derivedFrom": [{"identifier": {"system": DICOM_UID,
                                            "value": f"urn:oid:{m.image.sop_instance_uid}"},
                             "display": f"Image {m.image.sop_instance_uid}"
                                        + (f" frame {m.image.frame_number}"
                                           if m.image.frame_number else "")}],
            "note": [{"text": f"Annotation {m.annotation_id}"}],
        }
        out.append(obs)
    return out


def diagnostic_report(
    report: Report,
    pdf: bytes | None = None,
    *,
    organization: str = "",
    now: datetime | None = None,
) -> dict[str, Any]:
    """The report as a FHIR R4 DiagnosticReport resource (a JSON-ready dict)."""
    patient = report.case.patient
    subject: dict[str, Any] = {"display": patient.name}
    if patient.identifier:
        subject["identifier"] = {"value": patient.identifier}
    _, sr_sop = sr_uids(report)
    resource: dict[str, Any] = {
        "resourceType": "DiagnosticReport",
        "id": f"{report.report_id}-v{report.version}"[:64],
        "meta": {"versionId": str(report.version)},
        "text": {"status": "generated", "div": _narrative(report)},
        "identifier": [
            {"system": REPORT_SYSTEM, "value": f"{report.report_id}/{report.version}"},
            {"system": DICOM_UID, "value": f"urn:oid:{sr_sop}"},
        ],
        "status": _STATUS[report.status],
        "category": [{"coding": [{"system": V2_0074, "code": "RAD", "display": "Radiology"}]}],
        "code": {"coding": [{"system": LOINC, "code": "18748-4",
                             "display": "Diagnostic imaging study"}],
                 "text": report.title},
        "subject": subject,
    }
    observations = _observations(report, subject)
    if observations:
        resource["contained"] = observations
    if report.is_signed and report.signed_at is not None:
        resource["issued"] = _instant(report.signed_at)
    elif now is not None:
        resource["issued"] = _instant(now)
    if organization:
        resource["performer"] = [{"display": organization}]
    interpreter = report.signer if report.is_signed and report.signer else report.author
    ref: dict[str, Any] = {"display": interpreter.name}
    if interpreter.identifier:
        ref["identifier"] = {"system": "urn:telehealth:user", "value": interpreter.identifier}
    resource["resultsInterpreter"] = [ref]
    if observations:
        resource["result"] = [{"reference": f"#{o['id']}"} for o in observations]
    if report.case.study_instance_uid:
        resource["imagingStudy"] = [{
            "identifier": {"system": DICOM_UID,
                           "value": f"urn:oid:{report.case.study_instance_uid}"},
            "display": f"Study {report.case.study_instance_uid}",
        }]
    if report.impression:
        resource["conclusion"] = "\n".join(
            f"{i}. {text}" for i, text in enumerate(report.impression, start=1))
    if report.agreement is not None:
        a = report.agreement.agreement
        resource["conclusionCode"] = [{
            "coding": [{"system": AGREEMENT_SYSTEM, "code": a.value, "display": AGREEMENT_TEXT[a]}],
            "text": report.agreement.comment or AGREEMENT_TEXT[a],
        }]
    if pdf is not None:
        form: dict[str, Any] = {
            "contentType": "application/pdf",
            "language": "en",
            "data": base64.b64encode(pdf).decode("ascii"),
            "size": len(pdf),
            "hash": base64.b64encode(hashlib.sha1(pdf).digest()).decode("ascii"),
            "title": f"{report.title} – {report.case.reference} v{report.version}",
        }
        if report.signed_at is not None and report.is_signed:
            form["creation"] = report.signed_at.astimezone(UTC).isoformat()
        resource["presentedForm"] = [form]
    return resource
