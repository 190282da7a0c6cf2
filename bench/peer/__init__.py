"""Peer servers the archive is measured against (installed and started at bench time, never committed)."""
