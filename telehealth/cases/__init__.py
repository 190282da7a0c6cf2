"""Cases: the consult, its lifecycle, participants, messages and timeline."""
