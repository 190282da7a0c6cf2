"""Audit: append-only events for every PHI access and every change."""
