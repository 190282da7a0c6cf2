"""The demo seed shows a case that went through the whole journey, with every report output."""
from __future__ import annotations

import importlib
import json
from io import BytesIO

import pydicom
from sqlalchemy import func, select

from telehealth.cases.models import Case
from telehealth.extensions import db
from telehealth.reports import seed as demo
from telehealth.reports.models import Report, ReportTemplate
from telehealth.reports.seed import DEMO_CASE_TITLE
from telehealth.seed import DEMO_PASSWORD, seed_demo

for _module in ("telehealth.identity.models", "telehealth.dicom.models", "telehealth.live.models"):
    try:
        importlib.import_module(_module)
    except ModuleNotFoundError:
        pass


def test_demo_case_is_reported_with_all_outputs(app, auth) -> None:
    users = seed_demo(db.session)
    demo.seed_demo(db.session, users)
    demo.seed_demo(db.session, users)  # idempotent
    case = db.session.scalar(select(Case).where(Case.title == DEMO_CASE_TITLE))
    assert case is not None and case.status == "reported"
    assert db.session.scalar(select(func.count()).select_from(Report)) == 1
    assert {"Chest CT", "Brain MRI", "Knee MRI"} <= set(db.session.scalars(select(ReportTemplate.name)).all())
    referrer = auth.login(users["referrer"], DEMO_PASSWORD)
    report = referrer.get(f"/api/cases/{case.id}/report").get_json()
    assert report["status"] == "final" and report["content"]["agreement"]["agreement"] == "major_discrepancy"
    pdf = referrer.get(f"/api/cases/{case.id}/report.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF-")
    preview = referrer.get(f"/api/cases/{case.id}/report/preview").data.decode()
    assert "Telehealth Specialist Network" in preview and "1 Demo Street, Berlin" in preview
    sr = pydicom.dcmread(BytesIO(referrer.get(f"/api/cases/{case.id}/report/sr.dcm").data))
    assert sr.VerificationFlag == "VERIFIED"
    enc = referrer.get(f"/api/cases/{case.id}/report/encapsulated-pdf.dcm")
    assert enc.status_code == 200
    assert json.loads(referrer.get(f"/api/cases/{case.id}/report/fhir").data)["status"] == "final"
