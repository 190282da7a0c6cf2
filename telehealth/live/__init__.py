"""Live sessions: synchronized viewing, shared annotations, presence (Socket.IO namespace /live)."""
