"""The mail of B2B meetings: to one participant, and a late change of a published schedule to both sides."""

from ....events.models import Registration
from ....outbox.services import enqueue_template
from ..models import MeetingBlock, MeetingRequest


def _mail(
    person: Registration,
    template: str,
    meeting: MeetingRequest | None,
    block: MeetingBlock | None = None,
    **context,
) -> None:
    from ....events.services.common import to_local
    from ....events.services.links import absolute_url

    block = block or meeting.block
    tenant = block.event.tenant
    slug = tenant.slug
    enqueue_template(
        person.email,
        template,
        person.locale,
        tenant_slug=slug,
        person=person,
        meeting=meeting,
        block=block,
        link=absolute_url("meetings.mine", tenant=slug, meeting_block_id=block.id),
        local=lambda value: to_local(value, tenant).strftime("%d.%m.%Y %H:%M"),
        **context,
    )


def _notify_change(meeting: MeetingRequest, cancelled: bool = False) -> None:
    """A late change of a published schedule, mailed to both sides."""
    for person in (meeting.requester, meeting.recipient):
        _mail(
            person,
            "cooperation_meeting_changed",
            meeting,
            other=meeting.other_side(person.id),
            cancelled=cancelled or not meeting.is_scheduled,
        )
