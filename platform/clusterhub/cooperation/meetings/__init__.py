"""B2B meetings at a session: meeting blocks, requests between participants, the schedule, outcomes."""
