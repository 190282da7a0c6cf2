"""The feature registry: blueprints and Socket.IO namespaces wired by create_app().

Each entry is a dotted module path; blueprint modules expose `bp`, namespace modules
expose `namespace` (a flask_socketio.Namespace instance).
"""

BLUEPRINTS = [
    "telehealth.health",
    "telehealth.openapi",
    "telehealth.accounts.views",
    "telehealth.accounts.admin_views",
    "telehealth.cases.views",
    "telehealth.audit.views",
    "telehealth.routing.views",
    "telehealth.notifications.views",
    "telehealth.identity.views",
    "telehealth.identity.sso_views",
    "telehealth.identity.oauth_views",
    "telehealth.identity.admin_views",
    "telehealth.reports.views",
    "telehealth.dicom.views",
    "telehealth.live.views",
    # The single-page app: every other path (routing prefers the more specific rules).
    "telehealth.web",
]

NAMESPACES: list[str] = [
    "telehealth.live.events",
    "telehealth.notifications.events",
]
