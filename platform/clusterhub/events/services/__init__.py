"""Operations on events, by sub-domain; import the sub-module you need (there are no re-exports here).

``events`` (organising an event, its workflow, venues and organisers, the public listings), ``agenda``
(its items), ``registration`` (registering, confirming, approving, cancelling, the waiting list),
``signups`` (places on agenda items), ``rosters`` (who holds an item's seats, the participant list and
the figures), ``check_in``, ``notifications`` (mail, reminders), ``links`` (absolute links and signed
tickets), ``history`` (the enterprise's cross-region history), ``imports`` (a delegation from a file),
``exports`` (participant lists) and ``ical`` (calendar feeds). ``common`` holds the time zone helpers
and :func:`~.common.touch` that the others share.

Services validate, change rows and flush; the request's unit of work commits (a command commits itself).
Every state change is audited.
"""
