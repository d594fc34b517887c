"""Checking uploaded files: the extension decides the type, the first bytes must match it, size is capped.
The declared content type of the browser is ignored."""

import json
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import IO, Any

from flask import Response
from flask_babel import gettext as _

from .refusal import Refusal

# extension -> (content type, how the file must begin)
DOCUMENTS = {
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (b"PK\x03\x04",)),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (b"PK\x03\x04",)),
    ".pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", (b"PK\x03\x04",)),
    ".odt": ("application/vnd.oasis.opendocument.text", (b"PK\x03\x04",)),
    ".ods": ("application/vnd.oasis.opendocument.spreadsheet", (b"PK\x03\x04",)),
    ".odp": ("application/vnd.oasis.opendocument.presentation", (b"PK\x03\x04",)),
}
IMAGES = {
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
}


@dataclass(frozen=True)
class Upload:
    data: bytes
    name: str  # the file name without any directory part
    extension: str
    content_type: str


def read_upload(fileobj: IO[bytes], filename: str, allowed: dict[str, Any], max_bytes: int) -> Upload:
    """Read and check an upload against ``allowed`` types and ``max_bytes``."""
    name = PurePosixPath((filename or "").replace("\\", "/")).name.strip()
    extension = PurePosixPath(name).suffix.lower()
    if extension not in allowed:
        kinds = ", ".join(sorted(e.lstrip(".") for e in allowed))
        raise Refusal(_("Upload a file of one of these types: %(kinds)s.", kinds=kinds))
    data = fileobj.read(max_bytes + 1)
    if not data:
        raise Refusal(_("The file is empty."))
    if len(data) > max_bytes:
        raise Refusal(_("The file is larger than %(mb)s MB.", mb=max_bytes // (1024 * 1024)))
    content_type, signatures = allowed[extension]
    if not data.startswith(signatures):
        raise Refusal(_("The file's content does not match its extension."))
    if content_type.startswith("image/") and _carries_markup(data):
        raise Refusal(_("The image contains web page code (a script or markup) and is refused."))
    return Upload(data, name[:200], extension, content_type)


# Images are shown inline. A polyglot (valid PNG/JPEG signature with HTML or script inside) is harmless
# behind nosniff and the CSP, but nothing legitimate carries these, so it is refused outright. Compressed
# pixel data matching one of these byte strings by chance is vanishingly unlikely.
_ACTIVE_MARKUP = (b"<script", b"<html", b"<svg", b"<!doctype", b"<iframe", b"<body", b"<?php", b"javascript:")


def _carries_markup(data: bytes) -> bool:
    lowered = data.lower()
    return any(marker in lowered for marker in _ACTIVE_MARKUP)


def send_stored(key: str, content_type: str, download_name: str | None = None, max_age: int = 0) -> Response:
    """A response with a file from the storage backend: a download when ``download_name`` is given,
    shown inline (images) otherwise. ``nosniff`` keeps browsers to the type we checked on upload."""
    from flask import current_app, send_file

    response = send_file(
        current_app.extensions["storage"].open(key),
        mimetype=content_type,
        as_attachment=download_name is not None,
        download_name=download_name,
        max_age=max_age,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


# An XLSX is a zip of XML parts. openpyxl inflates each part it reads, so a small file can unpack into
# hundreds of megabytes (a zip bomb) and hold a worker past its timeout: the archive's directory is checked
# first, which costs nothing. Real workbooks of a few thousand rows stay far below these limits.
XLSX_MAX_UNCOMPRESSED_BYTES = 30 * 1024 * 1024
XLSX_MAX_COMPRESSION_RATIO = 100
XLSX_MAX_MEMBERS = 1000


def check_xlsx_archive(data: bytes) -> None:
    """Raise :class:`Refusal` unless ``data`` is a zip whose parts unpack to a reasonable size."""
    import io
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as error:
        raise Refusal(_("The file could not be read as an XLSX workbook.")) from error
    too_big = _(
        "The workbook unpacks to more than %(mb)s MB; split it into smaller files.",
        mb=XLSX_MAX_UNCOMPRESSED_BYTES // (1024 * 1024),
    )
    if len(members) > XLSX_MAX_MEMBERS:
        raise Refusal(too_big)
    total = 0
    for member in members:
        total += member.file_size
        ratio = member.file_size / max(1, member.compress_size)
        if total > XLSX_MAX_UNCOMPRESSED_BYTES or (
            member.file_size > 1024 * 1024 and ratio > XLSX_MAX_COMPRESSION_RATIO
        ):
            raise Refusal(too_big)


def previewed_rows(posted: str) -> list[Any]:
    """The rows an import preview posted back (JSON): a list, or ValueError for anything else."""
    rows = json.loads(posted)
    if not isinstance(rows, list):
        raise ValueError("the preview's rows are not a list")
    return rows
