"""A center's own pages (its home, the staff home, members) and the platform's management of centers:
creating, editing and suspending them, and syncing them from ``tenants/*/tenant.toml``.

Above accounts (its pages invite and remove members) and the audit log (every change is recorded); the
machinery every request needs (resolving and scoping the tenant) stays in :mod:`clusterhub.tenancy`.
"""
