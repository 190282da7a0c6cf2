"""Notifications: persisted per user, pushed live over Socket.IO, e-mailed over SMTP."""
