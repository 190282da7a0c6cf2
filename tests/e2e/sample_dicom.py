"""A small synthetic CT series for the browser tests (a phantom; no real patient data)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
from pydicom.dataset import FileDataset, FileMetaDataset
from pydicom.uid import PYDICOM_IMPLEMENTATION_UID, CTImageStorage, ExplicitVRLittleEndian, generate_uid


def phantom_slice(size: int, index: int, count: int) -> np.ndarray:
    """Hounsfield units of one slice: air, a water body, a bone ring and a lesion that moves with the slice."""
    y, x = np.mgrid[0:size, 0:size]
    c = (size - 1) / 2
    r = np.hypot(x - c, y - c)
    hu = np.full((size, size), -1000, dtype=np.int16)
    hu[r < size * 0.42] = 40
    hu[(r >= size * 0.36) & (r < size * 0.42)] = 900
    lx = c + (index - count / 2) * size / (count * 3)
    hu[np.hypot(x - lx, y - c * 0.8) < size * 0.06] = 120
    hu[np.hypot(x - c * 1.3, y - c * 1.2) < size * 0.08] = -700  # a little "lung"
    return hu


def write_ct_series(folder: Path, *, count: int = 12, size: int = 128, patient_name: str = "PHANTOM^E2E") -> list[Path]:
    """Write `count` CT slices (Explicit VR Little Endian) into `folder`; returns their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    study, series, frame = generate_uid(), generate_uid(), generate_uid()
    paths = []
    for i in range(count):
        meta = FileMetaDataset()
        meta.MediaStorageSOPClassUID = CTImageStorage
        meta.MediaStorageSOPInstanceUID = generate_uid()
        meta.TransferSyntaxUID = ExplicitVRLittleEndian
        meta.ImplementationClassUID = PYDICOM_IMPLEMENTATION_UID
        path = folder / f"CT{i + 1:04d}.dcm"
        ds = FileDataset(str(path), {}, file_meta=meta, preamble=b"\0" * 128)
        ds.SOPClassUID = CTImageStorage
        ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
        ds.StudyInstanceUID, ds.SeriesInstanceUID, ds.FrameOfReferenceUID = study, series, frame
        ds.PatientName, ds.PatientID, ds.PatientBirthDate, ds.PatientSex = patient_name, "E2E-0001", "19700101", "O"
        ds.StudyDate = ds.SeriesDate = ds.ContentDate = "20261120"
        ds.StudyTime = ds.SeriesTime = ds.ContentTime = "101500"
        ds.AccessionNumber, ds.StudyID, ds.ReferringPhysicianName = "E2E1", "1", ""
        ds.StudyDescription, ds.SeriesDescription = "CT PHANTOM", "Axial 5mm"
        ds.Modality, ds.Manufacturer, ds.SeriesNumber, ds.InstanceNumber = "CT", "Telehealth tests", 1, i + 1
        ds.ImageType = ["ORIGINAL", "PRIMARY", "AXIAL"]
        ds.ImagePositionPatient = [-size / 2, -size / 2, i * 5.0]
        ds.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
        ds.SliceThickness, ds.SliceLocation, ds.PixelSpacing = 5.0, i * 5.0, [1.0, 1.0]
        ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
        ds.Rows = ds.Columns = size
        ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 16, 15, 1
        ds.RescaleIntercept, ds.RescaleSlope, ds.RescaleType = -1024, 1, "HU"
        ds.WindowCenter, ds.WindowWidth = 40, 400
        ds.KVP = 120
        ds.PixelData = (phantom_slice(size, i, count) + 1024).astype(np.int16).tobytes()
        ds.save_as(path, enforce_file_format=True)
        paths.append(path)
    return paths
