"""The members of a cluster as CSV or XLSX, in the columns the import reads back."""

from ...core.exports import csv_bytes, xlsx_bytes
from .clusters import ClusterView

EXPORT_HEADER = ("inn", "ogrn", "name", "role", "joined_on", "left_on", "okved_main", "region")


def _export_rows(view: ClusterView):
    for m in view.members:
        e = m.enterprise
        yield (
            e.inn,
            e.ogrn or "",
            e.full_name,
            m.role,
            m.joined_on.isoformat() if m.joined_on else "",
            m.left_on.isoformat() if m.left_on else "",
            e.okved_main or "",
            e.region.tax_code if e.region else "",
        )


def members_csv(view: ClusterView) -> bytes:
    """Members as CSV (UTF-8 with BOM so that Excel opens Cyrillic correctly), importable again."""
    return csv_bytes(EXPORT_HEADER, _export_rows(view), delimiter=";")


def members_xlsx(view: ClusterView) -> bytes:
    return xlsx_bytes(EXPORT_HEADER, _export_rows(view), sheet_title="members")
