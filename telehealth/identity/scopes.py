"""OAuth2 scopes of integration clients and the scope each API route needs.

A route may declare its scope (`route(..., scope="cases:read")`); otherwise it is derived
from the URL and method here: DICOMweb paths and uploads need `dicomweb:read|write`, report
paths `reports:read` (writing, signing and amending reports is for people only), other case
paths `cases:read|write`. Everything else (accounts, admin,
audit, live sessions, notifications...) needs no scope a client can hold: client tokens
are refused there.
"""
from __future__ import annotations

SCOPES = ("cases:read", "cases:write", "dicomweb:read", "dicomweb:write", "reports:read")
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def derive_scope(path: str, method: str) -> str | None:
    """The scope a client token needs for this route (a URL rule or a path) and method; None: never."""
    read = method.upper() in READ_METHODS
    if "/dicomweb" in path and (path.startswith("/api/cases/") or path.startswith("/api/cases")):
        return "dicomweb:read" if read else "dicomweb:write"
    if not path.startswith("/api/cases"):
        return None
    segments = path.split("/")
    if any(s == "report" or s.startswith("report.") for s in segments):
        return "reports:read" if read else None
    if any(s in ("sessions", "share-links") for s in segments):
        return None  # live sessions and capability links are for people, not integrations
    if "uploads" in segments:
        return "dicomweb:write" if not read else "dicomweb:read"  # adding images to a case
    return "cases:read" if read else "cases:write"


def parse(scope: str | None) -> list[str]:
    """A space-separated scope string as a list, in canonical order, unknown scopes dropped."""
    have = set((scope or "").split())
    return [s for s in SCOPES if s in have]
