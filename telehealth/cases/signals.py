"""Signals other features subscribe to (notifications, routing) without cases importing them."""
from blinker import Namespace

_signals = Namespace()

# Sent after a committed case transition: sender=Case, kwargs action, actor, from_status, note.
case_transitioned = _signals.signal("case-transitioned")
# Sent after a committed new case message: sender=CaseMessage, kwargs case, actor.
message_posted = _signals.signal("message-posted")
