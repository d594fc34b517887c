"""What the other sub-modules share: the center's time zone and marking an event changed."""

from datetime import datetime
from zoneinfo import ZoneInfo

from ...tenancy.models import Tenant, utcnow
from ..models import Event

# --- time zones ---------------------------------------------------------------------------------------


def zone(tenant: Tenant) -> ZoneInfo:
    return ZoneInfo(tenant.timezone)


def to_utc(local: datetime, tenant: Tenant) -> datetime:
    """A wall-clock time in the tenant's zone → naive UTC for storage."""
    aware = local.replace(tzinfo=zone(tenant)) if local.tzinfo is None else local
    return aware.astimezone(ZoneInfo("UTC")).replace(tzinfo=None)


def to_local(utc: datetime, tenant: Tenant) -> datetime:
    """Stored naive UTC → an aware datetime in the tenant's zone."""
    return utc.replace(tzinfo=ZoneInfo("UTC")).astimezone(zone(tenant))


def touch(event: Event) -> None:
    """Mark the event changed: its public page (cached by ``updated_at``) is rendered afresh."""
    event.updated_at = utcnow()
