"""What the API itself stores: the answers of idempotent requests, so that a retry gets the same one."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..tenancy.models import utcnow
from ..tenancy.scoping import TenantOwned


class IdempotentRequest(TenantOwned, db.Model):
    """The first answer to a request sent with an ``Idempotency-Key`` (a door scanner's check-in): a retry
    with the same key, by the same user, to the same operation gets this answer and changes nothing."""

    __tablename__ = "api_idempotent_requests"
    __tenant_table_args__ = (sa.UniqueConstraint("tenant_id", "user_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(sa.String(200))
    operation: Mapped[str] = mapped_column(
        sa.String(300)
    )  # method and path: a key reused elsewhere is refused
    status: Mapped[int] = mapped_column()
    body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
