"""Report outputs of one version (PDF, SR, Encapsulated PDF, FHIR), cached per version in DATA_DIR."""
from __future__ import annotations

import base64
import json
import logging
import os
import tempfile
from dataclasses import dataclass
from typing import Any

import pydicom
from sqlalchemy.orm import Session

from telehealth.accounts.models import Organization
from telehealth.cases.models import Case
from telehealth.reports import encapsulated, fhir, keyimages, pdf, sr
from telehealth.reports.document import Report as Document
from telehealth.reports.evidence import NoEvidence, live_annotations, load_headers
from telehealth.reports.models import Report, ReportVersion

log = logging.getLogger(__name__)

KINDS = {
    "pdf": ("report.pdf", "application/pdf"),
    "sr": ("sr.dcm", "application/dicom"),
    "encapsulated": ("encapsulated-pdf.dcm", "application/dicom"),
    "fhir": ("fhir.json", "application/fhir+json"),
}
_LIVE_SHAPES = {
    "length": keyimages.ShapeKind.LENGTH, "arrow": keyimages.ShapeKind.ARROW,
    "angle": keyimages.ShapeKind.ANGLE, "cobb_angle": keyimages.ShapeKind.ANGLE,
    "bidirectional": keyimages.ShapeKind.POLYLINE, "rectangle_roi": keyimages.ShapeKind.POLYLINE,
    "polygon_roi": keyimages.ShapeKind.POLYLINE, "freehand_roi": keyimages.ShapeKind.POLYLINE,
    "ellipse_roi": keyimages.ShapeKind.ELLIPSE, "circle_roi": keyimages.ShapeKind.CIRCLE,
    "probe": keyimages.ShapeKind.PROBE, "text": keyimages.ShapeKind.TEXT,
}


@dataclass(frozen=True)
class Output:
    """Bytes of one output with its file name and media type."""

    data: bytes
    filename: str
    mimetype: str


def _cache_path(config: Any, report: Report, version: ReportVersion, kind: str, identified: bool = False) -> str:
    # A signed version never changes; a draft is keyed by the report's concurrency version.
    stamp = "signed" if version.is_signed else f"r{report.version}"
    variant = "identified-" if identified else ""
    return os.path.join(str(config["DATA_DIR"]), "reports", version.id, f"{stamp}-{variant}{KINDS[kind][0]}")


def _write_atomically(path: str, data: bytes) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    handle, tmp = tempfile.mkstemp(dir=os.path.dirname(path))
    with os.fdopen(handle, "wb") as out:
        out.write(data)
    os.replace(tmp, path)


def letterhead(session: Session, case: Case, document: Document) -> pdf.Letterhead:
    """The letterhead of the network that reads the case (Organization.letterhead JSON), else a plain one."""
    org = session.get(Organization, case.network_id) if case.network_id else None
    data = dict(org.letterhead or {}) if org is not None else {}
    logo = data.get("logo_base64")
    address = data.get("address") or ()
    if isinstance(address, str):  # one string, lines separated by newlines
        address = [line.strip() for line in address.splitlines() if line.strip()]
    return pdf.Letterhead(
        name=data.get("name") or (org.name if org else "") or "Telehealth second opinion",
        address=tuple(str(line) for line in address), phone=data.get("phone", ""), email=data.get("email", ""),
        website=data.get("website", ""), logo=base64.b64decode(logo) if logo else None,
        logo_mime=data.get("logo_mime", "image/png"), accent=data.get("accent", "#1d4e89"),
    )


def _references(document: Document) -> list[str]:
    return [m.image.sop_instance_uid for m in document.measurements] + [
        k.image.sop_instance_uid for k in document.key_images]


def _evidence(session: Session, config: Any, case: Case, document: Document) -> tuple[list[Any], dict[str, str]]:
    try:
        return load_headers(session, config, case.id, _references(document), document.case.study_instance_uid)
    except NoEvidence:
        raise
    except ImportError as e:  # the archive feature is not installed
        raise NoEvidence(f"the image archive is unavailable: {e}") from None


def _shapes(session: Session, case: Case, document: Document, ids: tuple[str, ...]) -> list[keyimages.Shape]:
    shapes = keyimages.shapes_from_measurements(document.measurements, ids)
    measured = {m.annotation_id for m in document.measurements}
    for a in live_annotations(session, case.id, [i for i in ids if i not in measured]):
        kind = _LIVE_SHAPES.get(a.kind)
        try:
            if kind is not None:
                shapes.append(keyimages.Shape(kind, tuple((float(x), float(y)) for x, y in a.points), a.label or ""))
        except ValueError:
            log.warning("annotation %s cannot be drawn", a.id)
    return shapes


def rendered_key_images(session: Session, config: Any, case: Case, document: Document,
                        paths: dict[str, str]) -> list[pdf.RenderedKeyImage]:
    """Every key image windowed and annotated, as JPEG."""
    out = []
    for key in document.key_images:
        ds = pydicom.dcmread(paths[key.image.sop_instance_uid])
        frame = keyimages.window_frame(ds, key.image.frame_number, key.window_center, key.window_width)
        drawn = keyimages.draw_annotations(frame, _shapes(session, case, document, key.annotation_ids),
                                           source_size=(int(ds.Columns), int(ds.Rows)))
        detail = f"W {key.window_width:g} / L {key.window_center:g}" if key.window_width else ""
        out.append(pdf.RenderedKeyImage(keyimages.to_jpeg(drawn), key.caption, detail))
    return out


def key_images_of(session: Session, config: Any, case: Case, document: Document) -> list[pdf.RenderedKeyImage]:
    """The key images as the PDF prints them (none when the document has none)."""
    if not document.key_images:
        return []
    _, paths = _evidence(session, config, case, document)
    return rendered_key_images(session, config, case, document, paths)


def render(session: Session, config: Any, case: Case, report: Report, version: ReportVersion, kind: str, *,
           identified: bool = False) -> Output:
    """One output of a version, from the cache or freshly made (and then cached).

    For an anonymous case the platform's outputs carry the pseudonym; ``identified`` asks for the
    variant with the patient's identity and original UIDs, for those entitled to it (the referring side).
    """
    from telehealth.reports import service

    filename, mimetype = KINDS[kind]
    identified = identified and case.anonymous
    path = _cache_path(config, report, version, kind, identified)
    if os.path.exists(path):
        with open(path, "rb") as f:
            return Output(f.read(), filename, mimetype)
    document = service.build_document(session, case, report, version, pseudonymise=case.anonymous and not identified)
    data = _make(session, config, case, report, version, document, kind, identified)
    if identified and kind in ("sr", "encapsulated"):
        from telehealth.reports.reidentify import original_uids, reidentify_bytes

        data = reidentify_bytes(data, original_uids(session, case.id), case)
    _write_atomically(path, data)
    return Output(data, filename, mimetype)


def _make(session: Session, config: Any, case: Case, report: Report, version: ReportVersion,
          document: Document, kind: str, identified: bool) -> bytes:
    if kind == "pdf":
        images = key_images_of(session, config, case, document)
        verify = f"{config.get('PUBLIC_URL', '')}/api/reports/verify/{document.verification_code}" \
            if document.verification_code else ""
        return pdf.render_pdf(document, letterhead(session, case, document), images, verify_url=verify)
    if kind == "fhir":
        pdf_bytes = render(session, config, case, report, version, "pdf", identified=identified).data
        resource = fhir.diagnostic_report(document, pdf_bytes, organization=letterhead(session, case, document).name)
        return json.dumps(resource, ensure_ascii=False).encode()
    headers, _ = _evidence(session, config, case, document)
    institution = letterhead(session, case, document).name
    if kind == "sr":
        return sr.sr_bytes(sr.build_sr(document, headers, institution=institution))
    pdf_bytes = render(session, config, case, report, version, "pdf", identified=identified).data
    return encapsulated.to_bytes(encapsulated.build_encapsulated_pdf(document, pdf_bytes, headers[0],
                                                                     institution=institution))


def publish(session: Session, config: Any, case: Case, report: Report, version: ReportVersion) -> list[str]:
    """Store the signed SR and Encapsulated PDF in the case's study (DICOMweb sees them); returns statuses."""
    if case.anonymous:
        # Ingest would de-identify (remap) the already de-identified UIDs; needs an archive entry point
        # for derived objects first (see the reports note).
        return ["skipped: anonymous case"]
    from telehealth.dicom.service import ingest_file
    from telehealth.dicom.settings import blob_store

    statuses = []
    for kind in ("sr", "encapsulated"):
        output = render(session, config, case, report, version, kind)
        path = _cache_path(config, report, version, kind)
        result = ingest_file(session, blob_store(config), case, path, name=output.filename)
        statuses.append(f"{kind}: {result.status}")
    return statuses
