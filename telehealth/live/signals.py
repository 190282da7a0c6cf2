"""Signals of live sessions, for notifications to subscribe to without live importing them."""
from blinker import Namespace

_signals = Namespace()

# Sent after a committed new session (started or scheduled): sender=LiveSession, kwargs case, actor.
session_scheduled = _signals.signal("live-session-scheduled")
# Sent after a session was ended: sender=LiveSession, kwargs case, actor.
session_ended = _signals.signal("live-session-ended")
