"""FHIR R4 DiagnosticReport: structure checked against the R4 element definitions."""
from __future__ import annotations

import base64
import hashlib
import json
import re
from datetime import UTC, datetime
from typing import Any

import pytest
from pydicom.dataset import Dataset

from telehealth.reports.fhir import diagnostic_report
from tests.reports import samples

FAKE_PDF = b"%PDF-1.7\n% report\n%%EOF\n"

# R4 DiagnosticReport elements (hl7.org/fhir/R4/diagnosticreport.html): name -> (min, max, type)
ELEMENTS: dict[str, tuple[int, str, type]] = {
    "resourceType": (1, "1", str), "id": (0, "1", str), "meta": (0, "1", dict), "text": (0, "1", dict),
    "contained": (0, "*", dict), "identifier": (0, "*", dict), "basedOn": (0, "*", dict),
    "status": (1, "1", str), "category": (0, "*", dict), "code": (1, "1", dict),
    "subject": (0, "1", dict), "encounter": (0, "1", dict), "effectiveDateTime": (0, "1", str),
    "issued": (0, "1", str), "performer": (0, "*", dict), "resultsInterpreter": (0, "*", dict),
    "specimen": (0, "*", dict), "result": (0, "*", dict), "imagingStudy": (0, "*", dict),
    "media": (0, "*", dict), "conclusion": (0, "1", str), "conclusionCode": (0, "*", dict),
    "presentedForm": (0, "*", dict),
}
STATUS = {"registered", "partial", "preliminary", "final", "amended", "corrected", "appended",
          "cancelled", "entered-in-error", "unknown"}
REFERENCE_KEYS = {"reference", "type", "identifier", "display"}
ATTACHMENT_KEYS = {"contentType", "language", "data", "url", "size", "hash", "title", "creation"}
INSTANT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})")
ID = re.compile(r"[A-Za-z0-9\-.]{1,64}")


def check_diagnostic_report(resource: dict[str, Any]) -> None:
    """Assert the R4 structure: known elements, cardinality, types, references, attachments."""
    assert resource["resourceType"] == "DiagnosticReport"
    for name, (minimum, maximum, kind) in ELEMENTS.items():
        if minimum:
            assert name in resource, f"{name} is required"
        if name in resource:
            value = resource[name]
            if maximum == "*":
                assert isinstance(value, list) and value, f"{name} is a non-empty array"
                assert all(isinstance(v, kind) for v in value), name
            else:
                assert isinstance(value, kind), name
    assert not set(resource) - set(ELEMENTS), set(resource) - set(ELEMENTS)
    assert resource["status"] in STATUS
    assert ID.fullmatch(resource["id"])
    assert resource["code"]["coding"][0].keys() >= {"system", "code"}
    assert resource["text"]["status"] == "generated"
    assert resource["text"]["div"].startswith('<div xmlns="http://www.w3.org/1999/xhtml">')
    if "issued" in resource:
        assert INSTANT.fullmatch(resource["issued"])
    refs = [resource["subject"], *resource.get("resultsInterpreter", []), *resource.get("result", []),
            *resource.get("imagingStudy", []), *resource.get("performer", [])]
    for ref in refs:
        assert ref and set(ref) <= REFERENCE_KEYS, ref
    contained_ids = {c["id"] for c in resource.get("contained", [])}
    local = {r["reference"][1:] for r in resource.get("result", []) if r["reference"].startswith("#")}
    assert local == contained_ids  # dom-3: every contained resource is referenced
    for obs in resource.get("contained", []):
        assert obs["resourceType"] == "Observation" and obs["status"] in {"preliminary", "final", "amended"}
        assert obs["valueQuantity"]["system"] == "http://unitsofmeasure.org"
        assert "text" not in obs and "contained" not in obs  # dom-1, dom-2
    for form in resource.get("presentedForm", []):
        assert set(form) <= ATTACHMENT_KEYS
        data = base64.b64decode(form["data"], validate=True)
        assert form["size"] == len(data)
        assert base64.b64decode(form["hash"]) == hashlib.sha1(data).digest()
    json.dumps(resource)


def test_final_report(images: list[Dataset]) -> None:
    report = samples.signed(samples.full_draft(images))
    resource = diagnostic_report(report, FAKE_PDF, organization="Lakeside Imaging Consultants")
    check_diagnostic_report(resource)
    assert resource["status"] == "final"
    assert resource["issued"] == "2026-11-20T14:30:00Z"
    assert resource["conclusion"] == "1. Spiculated solid RUL nodule, Lung-RADS 4B.\n2. No lymphadenopathy."
    assert resource["conclusionCode"][0]["coding"][0]["code"] == "major_discrepancy"
    assert resource["presentedForm"][0]["contentType"] == "application/pdf"
    assert base64.b64decode(resource["presentedForm"][0]["data"]) == FAKE_PDF
    assert resource["imagingStudy"][0]["identifier"] == {
        "system": "urn:dicom:uid", "value": f"urn:oid:{images[0].StudyInstanceUID}"}
    assert resource["resultsInterpreter"][0]["display"] == "Anna Keller"
    assert resource["subject"] == {"display": "Maria Šimková", "identifier": {"value": "MRN-778812"}}
    values = [(o["valueQuantity"]["value"], o["valueQuantity"]["code"]) for o in resource["contained"]]
    assert values == [(m.value, m.unit) for m in report.measurements]


def test_amended_and_draft_status(images: list[Dataset]) -> None:
    final = samples.signed(samples.full_draft(images))
    amended = diagnostic_report(samples.amended(final), FAKE_PDF)
    check_diagnostic_report(amended)
    assert amended["status"] == "amended" and amended["id"].endswith("-v2")
    assert "Amends version 1" in amended["text"]["div"]
    draft = diagnostic_report(samples.text_only(images), now=datetime(2026, 11, 21, tzinfo=UTC))
    check_diagnostic_report(draft)
    assert draft["status"] == "preliminary"
    assert "presentedForm" not in draft and "conclusionCode" not in draft and "contained" not in draft


def test_checker_catches_broken_resources(images: list[Dataset]) -> None:
    resource = diagnostic_report(samples.signed(samples.full_draft(images)), FAKE_PDF)
    resource["status"] = "signed"
    with pytest.raises(AssertionError):
        check_diagnostic_report(resource)
