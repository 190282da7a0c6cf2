"""Demo data: report templates and a case that went through the whole journey to a final report.

Named ``demo`` (not ``seed``) so that ``telehealth.seed`` does not pick it up by itself yet: wiring
it in adds a second demo case, which the foundation's seed test must then expect.
"""
from __future__ import annotations

import copy
import os
import tempfile
from typing import Any

import pydicom
from flask import current_app
from pydicom.data import get_testdata_file
from sqlalchemy import select
from sqlalchemy.orm import Session

from telehealth.accounts.models import User
from telehealth.cases import offers
from telehealth.cases.models import Case
from telehealth.cases.service import create_case, transition
from telehealth.reports import outputs, service
from telehealth.reports.models import ReportTemplate

DEMO_CASE_TITLE = "Chest CT: lung nodule second opinion (demo, reported)"
TEMPLATES: list[dict[str, Any]] = [
    {"name": "Chest CT", "specialty": None, "modality": "CT", "title": "Chest CT second opinion",
     "required_fields": ["technique"],
     "sections": [{"key": "lungs", "title": "Lungs and airways", "required": True, "hint": "", "default": ""},
                  {"key": "mediastinum", "title": "Mediastinum and hila", "required": False, "hint": "",
                   "default": "No enlarged lymph nodes."},
                  {"key": "pleura", "title": "Pleura", "required": False, "hint": "", "default": "Unremarkable."},
                  {"key": "other", "title": "Upper abdomen and bones", "required": False, "hint": "",
                   "default": ""}]},
    {"name": "Brain MRI", "specialty": "neuroradiology", "modality": "MR", "title": "Brain MRI second opinion",
     "required_fields": ["technique", "comparison"],
     "sections": [{"key": "parenchyma", "title": "Brain parenchyma", "required": True, "hint": "", "default": ""},
                  {"key": "ventricles", "title": "Ventricles and extra-axial spaces", "required": False,
                   "hint": "", "default": "Normal."},
                  {"key": "vessels", "title": "Vessels", "required": False, "hint": "", "default": ""}]},
    {"name": "Knee MRI", "specialty": "musculoskeletal", "modality": "MR", "title": "Knee MRI second opinion",
     "required_fields": ["technique"],
     "sections": [{"key": "menisci", "title": "Menisci", "required": True, "hint": "", "default": ""},
                  {"key": "ligaments", "title": "Ligaments", "required": True, "hint": "", "default": ""},
                  {"key": "cartilage", "title": "Cartilage and bone", "required": False, "hint": "", "default": ""}]},
]


def _templates(session: Session) -> dict[str, ReportTemplate]:
    out = {}
    for data in TEMPLATES:
        template = session.scalar(select(ReportTemplate).where(ReportTemplate.name == data["name"]))
        if template is None:
            template = ReportTemplate(**data)
            session.add(template)
        out[data["name"]] = template
    session.commit()
    return out


def _ingest_demo_images(session: Session, case: Case) -> list[pydicom.Dataset]:
    from telehealth.dicom.service import ingest_file
    from telehealth.dicom.settings import blob_store

    source = get_testdata_file("CT_small.dcm")
    assert isinstance(source, str), "pydicom's bundled test files are missing"
    ct = pydicom.dcmread(source)
    second = copy.deepcopy(ct)
    second.SOPInstanceUID = pydicom.uid.generate_uid(entropy_srcs=["telehealth-demo-ct-2"])
    second.InstanceNumber = 2
    with tempfile.TemporaryDirectory() as tmp:
        for i, ds in enumerate((ct, second)):
            path = os.path.join(tmp, f"demo-ct-{i}.dcm")
            ds.save_as(path)
            ingest_file(session, blob_store(current_app.config), case, path, name=os.path.basename(path))
    return [ct, second]


def _content(images: list[pydicom.Dataset], draft: dict[str, Any]) -> dict[str, Any]:
    def ref(ds: pydicom.Dataset) -> dict[str, Any]:
        return {"study_instance_uid": ds.StudyInstanceUID, "series_instance_uid": ds.SeriesInstanceUID,
                "sop_class_uid": ds.SOPClassUID, "sop_instance_uid": ds.SOPInstanceUID, "frame_number": None}

    a, b = images
    findings = [dict(f) for f in draft["findings"]]
    findings[0]["text"] = "Solid 12 mm nodule in the right upper lobe with a spiculated margin. No consolidation."
    line_id, roi_id = "6f3c9a52-1d7e-4b8a-9f41-0c2d5e7a8b10", "8d2e4f61-3a5b-4c7d-8e9f-1a2b3c4d5e6f"
    return {
        **draft, "findings": findings,
        "history": "Former smoker (30 pack-years). Nodule reported on an outside CT as benign.",
        "technique": "Non-contrast CT of the chest, 1 mm slices, lung and soft-tissue kernels.",
        "comparison": "No prior imaging available.",
        "measurements": [
            {**ref(a), "annotation_id": line_id, "kind": "length", "value": 12.4, "unit": "mm",
             "graphic_type": "POLYLINE", "points": [[38.0, 47.5], [56.5, 47.5]], "finding": "RUL nodule"},
            {**ref(a), "annotation_id": roi_id, "kind": "area", "value": 113.1, "unit": "mm2",
             "graphic_type": "ELLIPSE", "points": [[36, 48], [58, 48], [47, 40], [47, 56]], "finding": "RUL nodule"},
            {**ref(a), "annotation_id": roi_id, "kind": "mean", "value": 31.5, "unit": "[hnsf'U]",
             "graphic_type": "ELLIPSE", "points": [[36, 48], [58, 48], [47, 40], [47, 56]], "finding": ""},
        ],
        "impression": ["Spiculated solid right upper lobe nodule of 12 mm, suspicious for malignancy (Lung-RADS 4B).",
                       "No lymphadenopathy or pleural effusion."],
        "recommendations": ["PET-CT and multidisciplinary tumour board review; tissue sampling if FDG-avid."],
        "agreement": {"agreement": "major_discrepancy",
                      "comment": "The original read called the nodule benign; its margin and size need work-up."},
        "key_images": [
            {**ref(a), "window_center": 40, "window_width": 400, "annotation_ids": [line_id, roi_id],
             "caption": "RUL nodule, soft-tissue window"},
            {**ref(b), "window_center": -600, "window_width": 1500, "annotation_ids": [],
             "caption": "Lung window"},
        ],
    }


def seed_demo(session: Session, users: dict[str, User]) -> None:
    """Templates, and one referrer case reported by a specialist with every output (idempotent)."""
    templates = _templates(session)
    referrer, specialist, coordinator = users.get("referrer"), users.get("specialist"), users.get("coordinator")
    if referrer is None or specialist is None or coordinator is None:
        return
    if session.scalar(select(Case.id).where(Case.title == DEMO_CASE_TITLE)) is not None:
        return
    case = create_case(session, referrer, title=DEMO_CASE_TITLE, consent=True, priority="routine",
                       question="Is the 12 mm right upper lobe nodule suspicious for malignancy?",
                       history="Former smoker. Outside CT read the nodule as benign.",
                       patient_name="Alex Demo", patient_birth_date="1958-07-02", patient_sex="M")
    transition(session, referrer, case.id, "submit")
    session.refresh(case)
    if case.status == "triage":
        offers.offer_case(session, coordinator, case.id, specialist.id)
    reader = offers.assigned_specialist(session, case) or specialist
    offers.respond(session, reader, case.id, accept=True)
    images = _ingest_demo_images(session, case)
    report = service.create_draft(session, reader, case.id, templates["Chest CT"].id)

    def document_of(case: Case, report: Any, version: Any, body: Any, **kw: Any) -> Any:
        return service.build_document(session, case, report, version, body, **kw)

    service.save_draft(session, reader, case.id, report.version, _content(images, report.current.content),
                       document_of)
    session.refresh(case)
    service.finalize(session, reader, case, report, report.current, secret=current_app.config["SECRET_KEY"],
                     document_of=document_of)
    version = report.current
    outputs.publish(session, current_app.config, case, report, version)
    session.commit()
