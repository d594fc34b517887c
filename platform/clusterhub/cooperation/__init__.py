"""The cooperation exchange: enterprises' offers and requests with their matching (``offers``) and the B2B
meetings at sessions (``meetings``)."""
