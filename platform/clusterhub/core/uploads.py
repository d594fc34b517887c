"""Checking uploaded files: the extension decides the type, the first bytes must match it, size is capped.
The declared content type of the browser is ignored."""

from dataclasses import dataclass
from pathlib import PurePosixPath

from flask_babel import gettext as _

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


class UploadError(ValueError):
    """The file cannot be accepted; the message says why."""


@dataclass(frozen=True)
class Upload:
    data: bytes
    name: str  # the file name without any directory part
    extension: str
    content_type: str


def read_upload(fileobj, filename: str, allowed: dict, max_bytes: int) -> Upload:
    """Read and check an upload against ``allowed`` types and ``max_bytes``."""
    name = PurePosixPath((filename or "").replace("\\", "/")).name.strip()
    extension = PurePosixPath(name).suffix.lower()
    if extension not in allowed:
        kinds = ", ".join(sorted(e.lstrip(".") for e in allowed))
        raise UploadError(_("Upload a file of one of these types: %(kinds)s.", kinds=kinds))
    data = fileobj.read(max_bytes + 1)
    if not data:
        raise UploadError(_("The file is empty."))
    if len(data) > max_bytes:
        raise UploadError(_("The file is larger than %(mb)s MB.", mb=max_bytes // (1024 * 1024)))
    content_type, signatures = allowed[extension]
    if not data.startswith(signatures):
        raise UploadError(_("The file's content does not match its extension."))
    return Upload(data, name[:200], extension, content_type)


def send_stored(key: str, content_type: str, download_name: str | None = None, max_age: int = 0):
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
