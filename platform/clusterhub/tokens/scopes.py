"""What a token's scopes let it do, declared once for every endpoint.

Every token reads (scope ``read``); writing needs the write scope of the *area* the endpoint belongs to.
An endpoint declares the permissions it needs (``@requires(MANAGE_EVENTS)``), and each permission belongs to
an area: by default the part of its name before the dot (``events.manage`` → ``events``), unless
:data:`PERMISSION_AREAS` says otherwise. So a new endpoint is covered by the permission it already
declares, and a new permission of a module falls into that module's area without editing this file.

A center token holds at most what the center's administrator holds, and only in the areas below: people,
the audit log, billing and platform permissions are never a token's, whatever its scopes.
"""

from flask_babel import lazy_gettext as _l

READ = "read"

# Areas a token may be given the write scope of, with their names for the staff page.
AREAS = {
    "events": _l("Sessions, agenda and registrations"),
    "technoparks": _l("Technoparks, services and service requests"),
    "clusters": _l("Clusters and their members"),
    "projects": _l("Joint projects"),
    "defenses": _l("Defense rounds"),
    "reports": _l("Period reports"),
}
# Read-only areas: a token reads there but no scope lets it write.
READ_ONLY_AREAS = {"center"}

# Permissions whose area is not the prefix of their name.
PERMISSION_AREAS = {
    "tenant.submit_reports": "reports",
    "tenant.staff_area": "center",
}


def write_scope(area: str) -> str:
    return f"{area}:write"


SCOPES = [READ, *(write_scope(area) for area in AREAS)]


def area_of(permission) -> str:
    """The area a permission belongs to (see the module's docstring)."""
    permission = str(permission)
    return PERMISSION_AREAS.get(permission, permission.partition(".")[0])


def write_areas(scopes) -> set[str]:
    """The areas whose write scope is among ``scopes``."""
    return {area for area in AREAS if write_scope(area) in (scopes or ())}


def clean_scopes(scopes) -> list[str]:
    """``read`` plus the known write scopes among ``scopes``, in a stable order."""
    chosen = set(scopes or ())
    return [READ, *(s for s in SCOPES[1:] if s in chosen)]
