"""Synthetic CT-like instances (512x512, 16-bit, Explicit VR Little Endian) written with pydicom.

The layout is fixed by counts so both servers get byte-identical files: one large series
(`big_series` instances, for WADO-RS metadata and frame benchmarks), then series of
`series_size` instances, `series_per_study` series per study, one patient per study.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field

import numpy as np
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import PYDICOM_IMPLEMENTATION_UID, UID, CTImageStorage, ExplicitVRLittleEndian

ROOT_UID = "1.2.826.0.1.3680043.8.498.77"  # pydicom's example root; fine for synthetic data
SIZE = 512
_FAMILY = ["SMITH", "JONES", "MUELLER", "ROSSI", "GARCIA", "DUBOIS", "NOVAK", "TANAKA", "SILVA", "BERG"]


@dataclass
class Series:
    """One generated series: its UID, modality and instance UIDs (in instance-number order)."""

    uid: str
    number: int
    sop_uids: list[str] = field(default_factory=list)


@dataclass
class Study:
    """One generated study with its patient and series."""

    uid: str
    patient_id: str
    patient_name: str
    study_date: str
    accession: str
    series: list[Series] = field(default_factory=list)


@dataclass
class Corpus:
    """Every generated file and the UIDs the workloads address."""

    files: list[str]
    studies: list[Study]

    @property
    def big_series(self) -> tuple[Study, Series]:
        """The study and series holding the large series (the first one generated)."""
        return self.studies[0], self.studies[0].series[0]

    def instances(self) -> list[tuple[str, str, str]]:
        """(study, series, sop) for every instance."""
        return [(st.uid, se.uid, sop) for st in self.studies for se in st.series for sop in se.sop_uids]


def _phantom(rng: np.random.Generator, z: float) -> np.ndarray:
    """A body-like slice in stored values (HU + 1024): air, soft tissue ellipse, bone ring, noise."""
    y, x = np.mgrid[-1:1:SIZE * 1j, -1:1:SIZE * 1j]
    hu = np.full((SIZE, SIZE), -1000.0)
    body = (x / 0.85) ** 2 + (y / (0.65 + 0.05 * np.sin(z))) ** 2 < 1
    hu[body] = 40.0
    hu[((x / 0.55) ** 2 + (y / 0.45) ** 2 < 1) & ((x / 0.5) ** 2 + (y / 0.4) ** 2 > 1)] = 700.0
    hu[(x + 0.3) ** 2 + (y - 0.1) ** 2 < 0.02] = -800.0  # a lung-ish hole
    hu += rng.normal(0, 12, hu.shape)
    return np.clip(hu + 1024, 0, 4095).astype(np.uint16)


def _dataset(study: Study, series: Series, number: int, sop: str, pixels: bytes) -> Dataset:
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = CTImageStorage
    meta.MediaStorageSOPInstanceUID = UID(sop)
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    meta.ImplementationClassUID = PYDICOM_IMPLEMENTATION_UID
    ds = Dataset()
    ds.file_meta = meta
    ds.SpecificCharacterSet = "ISO_IR 100"
    ds.ImageType = ["ORIGINAL", "PRIMARY", "AXIAL"]
    ds.SOPClassUID = CTImageStorage
    ds.SOPInstanceUID = sop
    ds.StudyDate = study.study_date
    ds.SeriesDate = study.study_date
    ds.StudyTime = "101500"
    ds.AccessionNumber = study.accession
    ds.Modality = "CT"
    ds.Manufacturer = "BENCH"
    ds.ReferringPhysicianName = "REFERRER^ALICE"
    ds.StudyDescription = "CT CHEST ABDOMEN"
    ds.SeriesDescription = f"AXIAL {series.number}"
    ds.PatientName = study.patient_name
    ds.PatientID = study.patient_id
    ds.PatientBirthDate = "19600101"
    ds.PatientSex = "F"
    ds.BodyPartExamined = "CHEST"
    ds.SliceThickness = "1.0"
    ds.KVP = "120"
    ds.StudyInstanceUID = study.uid
    ds.SeriesInstanceUID = series.uid
    ds.StudyID = "1"
    ds.SeriesNumber = series.number
    ds.InstanceNumber = number
    ds.ImagePositionPatient = [-250.0, -250.0, float(-number)]
    ds.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
    ds.FrameOfReferenceUID = study.uid + ".0"
    ds.SliceLocation = float(-number)
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.Rows = SIZE
    ds.Columns = SIZE
    ds.PixelSpacing = [0.977, 0.977]
    ds.BitsAllocated = 16
    ds.BitsStored = 12
    ds.HighBit = 11
    ds.PixelRepresentation = 0
    ds.WindowCenter = "40"
    ds.WindowWidth = "400"
    ds.RescaleIntercept = "-1024"
    ds.RescaleSlope = "1"
    ds.RescaleType = "HU"
    ds.PixelData = pixels
    ds["PixelData"].VR = "OW"
    return ds


def generate(folder: str, count: int, *, big_series: int = 300, series_size: int = 50,
             series_per_study: int = 2, seed: int = 7) -> Corpus:
    """Write `count` instances under `folder` (deterministic for a seed) and describe them."""
    os.makedirs(folder, exist_ok=True)
    rng = np.random.default_rng(seed)
    # A few distinct slices reused with a changing noise row keep generation fast yet each file unique.
    slices = [_phantom(rng, z) for z in np.linspace(0, 3, 8)]
    studies: list[Study] = []
    files: list[str] = []
    left, n_series = count, 0
    while left > 0:
        if not studies or len(studies[-1].series) >= series_per_study:
            k = len(studies)
            studies.append(Study(f"{ROOT_UID}.{seed}.{k + 1}", f"PAT{k:05d}",
                                 f"{_FAMILY[k % len(_FAMILY)]}^PATIENT{k:05d}", f"2026{(k % 12) + 1:02d}15",
                                 f"ACC{k:06d}"))
        study = studies[-1]
        size = min(left, big_series if n_series == 0 else series_size)
        n_series += 1
        series = Series(f"{study.uid}.{len(study.series) + 1}", len(study.series) + 1)
        study.series.append(series)
        for i in range(size):
            sop = f"{series.uid}.{i + 1}"
            series.sop_uids.append(sop)
            arr = slices[i % len(slices)].copy()
            arr[i % SIZE, :] = rng.integers(0, 4095, SIZE, dtype=np.uint16)
            path = os.path.join(folder, f"{len(files):06d}.dcm")
            _dataset(study, series, i + 1, sop, arr.tobytes()).save_as(path, enforce_file_format=True)
            files.append(path)
        left -= size
    return Corpus(files, studies)
