"""What a form post does with a service call: commit and say so, or roll back and say why."""

from collections.abc import Callable

from flask import flash

from ..extensions import db


def carry_out(
    action: Callable[[], object], done: str | Callable[[], str] | None, *refusals: type[Exception]
) -> bool:
    """Run ``action``; commit and flash ``done`` (a message, or a function giving it once the action
    has run), or, when it raises one of ``refusals``, roll back and flash the reason. Returns whether it
    was done."""
    try:
        action()
    except refusals as error:
        db.session.rollback()
        flash(str(error), "danger")
        return False
    db.session.commit()
    if done:
        flash(done() if callable(done) else done, "success")
    return True
