"""Identity and access: OIDC single sign-on, the OAuth2 server for integrations, TOTP MFA,
re-authentication, password change and reset."""
