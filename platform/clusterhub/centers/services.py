"""Creating, editing and suspending centers, and syncing them from ``tenants/*/tenant.toml``."""

import tomllib
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ..audit.services import record
from ..core.refusal import Refusal
from ..core.urls import InvalidWebAddress, clean_web_address, is_web_address
from ..extensions import db
from ..regions.models import Region
from ..tenancy.models import Tenant, TenantStatus

# Top-level paths that belong to the platform; a center cannot take them as its slug.
RESERVED_SLUGS = {
    "api",
    "admin",
    "account",
    "accounts",
    "calendar",
    "enterprises",
    "federal",
    "healthz",
    "readyz",
    "metrics",
    "invitations",
    "lang",
    "login",
    "logout",
    "password",
    "services",
    "static",
    "billing",
    "search",
    "technoparks",
    "stripe",
    "webhooks",
    "protocols",
    "verify",
    "about",
    "help",
    "start",
    "accessibility",
    "favicon.ico",
    "robots.txt",
}
TENANT_FIELDS = (
    "slug",
    "name_ru",
    "name_en",
    "region_id",
    "timezone",
    "default_locale",
    "email",
    "phone",
    "address_ru",
    "address_en",
    "website",
)


class TenantFile(BaseModel):
    """The schema of ``tenants/<slug>/tenant.toml``. Unknown keys are refused."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    slug: str = Field(pattern=r"^[a-z][a-z0-9-]{1,39}$")
    name_ru: str = Field(min_length=3, max_length=200)
    name_en: str = Field(min_length=3, max_length=200)
    region: str = Field(pattern=r"^\d{2}$", description="Federal Tax Service region code")
    timezone: str | None = None
    default_locale: str = Field(default="ru", pattern=r"^(ru|en)$")
    status: str = Field(default="active", pattern=r"^(active|suspended)$")
    email: str | None = Field(default=None, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    phone: str | None = None
    address_ru: str | None = None
    address_en: str | None = None
    website: str | None = Field(default=None, pattern=r"^https?://")

    @field_validator("slug")
    @classmethod
    def _not_reserved(cls, value: str) -> str:
        if value in RESERVED_SLUGS:
            raise ValueError(f"'{value}' is reserved for platform pages")
        return value

    @field_validator("website")
    @classmethod
    def _web_address(cls, value: str | None) -> str | None:
        if value is not None and not is_web_address(value):
            raise ValueError("must be an http:// or https:// address with a host")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                zoneinfo.ZoneInfo(value)
            except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
                raise ValueError(f"unknown time zone '{value}'") from exc
        return value


def region_by_code(tax_code: str) -> Region | None:
    return db.session.scalar(sa.select(Region).where(Region.tax_code == tax_code))


def validate_tenant_values(values: dict[str, Any], existing: Tenant | None = None) -> dict[str, Any]:
    slug = (values.get("slug") or "").strip().lower()
    try:
        TenantFile.model_validate(
            {
                "slug": slug,
                "name_ru": values.get("name_ru") or "",
                "name_en": values.get("name_en") or "",
                "region": "00",
                "timezone": values.get("timezone") or None,
            }
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        raise Refusal(f"{first['loc'][0]}: {first['msg']}") from exc
    clash = db.session.scalar(sa.select(Tenant.id).where(Tenant.slug == slug))
    if clash is not None and (existing is None or clash != existing.id):
        raise Refusal(_("The address %(slug)s is already taken by another center.", slug=slug), "slug")
    try:
        website = clean_web_address(values.get("website"))
    except InvalidWebAddress as error:
        raise Refusal(str(error), "website") from error
    values = {**values, "slug": slug, "website": website}
    if not values.get("timezone"):
        region = db.session.get(Region, values["region_id"])
        if region is None:
            raise Refusal(_("Choose a region from the list."), field="region_id")
        values["timezone"] = region.timezone
    return values


def create_tenant(values: dict[str, Any], actor: Any = None) -> Tenant:
    values = validate_tenant_values(values)
    tenant = Tenant(**{k: values.get(k) for k in TENANT_FIELDS})
    tenant.default_locale = tenant.default_locale or "ru"
    db.session.add(tenant)
    db.session.flush()
    record(
        "tenant.created",
        tenant,
        actor=actor,
        tenant_id=tenant.id,
        after={k: getattr(tenant, k) for k in TENANT_FIELDS},
    )
    return tenant


def update_tenant(tenant: Tenant, values: dict[str, Any], actor: Any = None) -> list[str]:
    """Apply changed values; returns the names of the fields that changed."""
    values = validate_tenant_values(values, existing=tenant)
    before = {k: getattr(tenant, k) for k in TENANT_FIELDS}
    changed = [k for k in TENANT_FIELDS if k in values and values[k] != before[k]]
    for key in changed:
        setattr(tenant, key, values[key])
    if changed:
        record(
            "tenant.updated",
            tenant,
            actor=actor,
            tenant_id=tenant.id,
            before={k: before[k] for k in changed},
            after={k: values[k] for k in changed},
        )
    db.session.flush()
    return changed


def set_tenant_status(tenant: Tenant, status: str, actor: Any = None) -> None:
    """Suspend or reactivate a center. Suspension hides it from the public and keeps all of its data."""
    if status not in set(TenantStatus):
        raise Refusal(f"unknown status {status!r}")
    if tenant.status == status:
        return
    before = tenant.status
    tenant.status = status
    record(
        "tenant.status_changed",
        tenant,
        actor=actor,
        tenant_id=tenant.id,
        before={"status": before},
        after={"status": status},
    )
    db.session.flush()


# --- tenants sync --------------------------------------------------------------------------------


@dataclass
class SyncReport:
    created: list[str] = field(default_factory=list)
    changed: dict[str, list[str]] = field(default_factory=dict)
    unchanged: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def read_tenant_files(directory: Path) -> tuple[list[TenantFile], list[str]]:
    """Parse and validate every ``<dir>/*/tenant.toml``; errors name the file, the key and the problem."""
    files, errors = [], []
    paths = sorted(Path(directory).glob("*/tenant.toml"))
    if not paths:
        errors.append(f"{directory}: no */tenant.toml files found")
    for path in paths:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            errors.append(f"{path}: not valid TOML: {exc}")
            continue
        try:
            tenant_file = TenantFile.model_validate(data)
        except ValidationError as exc:
            for problem in exc.errors():
                key = ".".join(str(p) for p in problem["loc"]) or "(file)"
                message = "unknown key" if problem["type"] == "extra_forbidden" else problem["msg"]
                errors.append(f"{path}: key '{key}': {message}")
            continue
        if tenant_file.slug != path.parent.name:
            errors.append(
                f"{path}: key 'slug': '{tenant_file.slug}' differs from the folder name '{path.parent.name}'"
            )
            continue
        if region_by_code(tenant_file.region) is None:
            errors.append(f"{path}: key 'region': no region with tax code '{tenant_file.region}'")
            continue
        files.append(tenant_file)
    return files, errors


def sync_tenants(directory: Path, dry_run: bool = False) -> SyncReport:
    """Make the database match the tenant files. Idempotent; with any invalid file nothing changes."""
    report = SyncReport()
    files, report.errors = read_tenant_files(directory)
    if report.errors:
        return report
    for spec in files:
        region = region_by_code(spec.region)
        assert region is not None, "read_tenant_files refuses unknown regions"
        values = {
            "slug": spec.slug,
            "name_ru": spec.name_ru,
            "name_en": spec.name_en,
            "region_id": region.id,
            "timezone": spec.timezone or region.timezone,
            "default_locale": spec.default_locale,
            "email": spec.email,
            "phone": spec.phone,
            "address_ru": spec.address_ru,
            "address_en": spec.address_en,
            "website": spec.website,
        }
        tenant = db.session.scalar(sa.select(Tenant).where(Tenant.slug == spec.slug))
        if tenant is None:
            tenant = create_tenant(values)
            report.created.append(spec.slug)
            if spec.status != TenantStatus.ACTIVE:
                set_tenant_status(tenant, spec.status)
            continue
        changed = update_tenant(tenant, values)
        if tenant.status != spec.status:
            set_tenant_status(tenant, spec.status)
            changed.append("status")
        if changed:
            report.changed[spec.slug] = changed
        else:
            report.unchanged.append(spec.slug)
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    return report
