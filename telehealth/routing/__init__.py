"""Routing: specialist profiles, rules that pick candidates, offers with timeouts, the SLA clock.

- `models`: SpecialistProfile, RoutingRule (data admins edit), CaseRouting (per-case timers and flags).
- `candidates`: eligibility (network, licensure, capacity, availability, specialty, modality) and
  ranking (requested specialist, fit, load, least recently offered).
- `service`: automatic offers, expiry, escalation, coordinator reassign, specialist hand-back.
- `sla`: due time from priority (business hours for routine), pause while `info_requested`.
- `subscribers`: follows `cases.signals.case_transitioned` (start/pause/resume clock, auto-route).
- `jobs`: `tick(now)` fires due timers exactly once (conditional UPDATE claims, SKIP LOCKED on
  PostgreSQL); `flask --app telehealth worker` loops it, or an in-process thread in the embedded run.
- `worklist`, `admin`, `views`: the HTTP API (`/api/worklist`, `/api/specialists`, `/api/routing-rules`,
  `/api/cases/{id}/reassign|hand-back|candidates|routing`).
"""
