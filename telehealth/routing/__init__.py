"""Routing: specialist profiles, rules that pick candidates, offers with timeouts, the SLA clock."""
