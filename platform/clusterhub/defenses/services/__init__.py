"""Operations on defense rounds, by sub-domain; callers import the sub-module they need:

- ``rounds``: creating a round (standalone or at a session), its programme of project slots, closing and
  reopening the scoring;
- ``panel``: the panel's members, whether they can do their part, attendance;
- ``conflicts``: conflicts of interest, detected and declared;
- ``assignments``: who scores which project, with the balanced proposal of ``proposal`` (pure);
- ``scoring``: the experts' scores and the chair's view of their progress;
- ``results``: the ranked results (the arithmetic of ``arithmetic``, pure) and the chair's decisions;
- ``protocol``: the protocol's content, hash, signature and public verification; ``protocol_pdf`` draws it;
- ``locks``: a signed round refuses every change (:class:`~.locks.RoundLocked`).

Services validate and flush; the request commits.
"""
