"""DICOM archive: ingest, storage, decoding, rendering, de-identification and DICOMweb (PS3.18)."""
