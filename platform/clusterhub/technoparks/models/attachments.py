"""Files kept in the storage backend: photos of a technopark, files attached to a service request."""

from sqlalchemy.orm import Mapped, mapped_column

from ...core.files import StoredFile
from ...extensions import db
from ...tenancy.scoping import TenantOwned, tenant_fk


class TechnoparkPhoto(StoredFile, TenantOwned, db.Model):
    """A photo of the technopark, shown on its public page."""

    __tablename__ = "technopark_photos"
    __tenant_table_args__ = (tenant_fk("technopark_id", "technoparks"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    technopark_id: Mapped[int] = mapped_column(index=True)


class RequestAttachment(StoredFile, TenantOwned, db.Model):
    """A file attached to a service request by the enterprise or the technopark; seen only by the two."""

    __tablename__ = "technopark_request_attachments"
    __tenant_table_args__ = (tenant_fk("request_id", "technopark_service_requests"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(index=True)
