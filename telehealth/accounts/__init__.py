"""Accounts: users, organizations, roles, sessions, tokens, invitations."""
