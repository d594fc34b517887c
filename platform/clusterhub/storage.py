"""Where uploaded files live: a local folder by default, S3-compatible object storage in production.

Callers name a file by a key such as ``komi/projects/12/protocol.pdf`` and never see paths or
buckets, so the web pods stay stateless and can be scaled out without shared disks.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from abc import ABC, abstractmethod
from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO

__all__ = ["InvalidKey", "LocalStorage", "S3Storage", "Storage", "storage_from_config"]


class InvalidKey(ValueError):
    """A key that could escape its storage root or that an object store would treat differently."""


def check_key(key: str) -> str:
    """Return ``key`` if it is a plain relative path of safe segments, else raise :class:`InvalidKey`.

    Both backends apply the same rule, so a key that works on a laptop also works in production.
    """
    if not key or key.startswith("/") or "\\" in key or "\x00" in key:
        raise InvalidKey(f"invalid storage key: {key!r}")
    if any(part in ("", ".", "..") for part in key.split("/")):
        raise InvalidKey(f"invalid storage key: {key!r}")
    return key


class Storage(ABC):
    """A flat namespace of binary files addressed by key.

    ``open`` and ``delete``/``exists`` raise :class:`InvalidKey` for unsafe keys; ``open`` raises
    :class:`FileNotFoundError` for a missing file, whatever the backend.
    """

    @abstractmethod
    def save(self, key: str, fileobj: BinaryIO, content_type: str | None = None) -> str:
        """Store the contents of ``fileobj`` under ``key``, replacing any file there; return the key."""

    @abstractmethod
    def open(self, key: str) -> BinaryIO:
        """Return a readable binary stream; the caller closes it."""

    @abstractmethod
    def delete(self, key: str) -> None:
        """Remove the file; deleting a missing file is not an error."""

    @abstractmethod
    def exists(self, key: str) -> bool: ...

    def url(self, key: str, expires_in: int = 300) -> str | None:
        """A time-limited direct download URL, or ``None`` when the app must stream the file itself."""
        return None


class LocalStorage(Storage):
    """Files under one folder on the local disk: development, tests and single-pod installs."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root).resolve()

    def path(self, key: str) -> Path:
        path = (self.root / PurePosixPath(check_key(key))).resolve()
        # resolve() follows symlinks, so a link planted inside the root cannot lead outside it either.
        if not path.is_relative_to(self.root):
            raise InvalidKey(f"invalid storage key: {key!r}")
        return path

    def save(self, key: str, fileobj: BinaryIO, content_type: str | None = None) -> str:
        path = self.path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        # Write beside the target and rename, so a reader never sees a half-written file.
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as out:
                shutil.copyfileobj(fileobj, out)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return key

    def open(self, key: str) -> BinaryIO:
        return self.path(key).open("rb")

    def delete(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()


class S3Storage(Storage):
    """Objects in an S3-compatible bucket (AWS S3, Yandex Object Storage, MinIO, ...)."""

    def __init__(self, bucket: str, client: Any, prefix: str = "") -> None:
        self.bucket = bucket
        self.client = client
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""

    def object_key(self, key: str) -> str:
        return self.prefix + check_key(key)

    def save(self, key: str, fileobj: BinaryIO, content_type: str | None = None) -> str:
        extra = {"ContentType": content_type} if content_type else {}
        self.client.upload_fileobj(fileobj, self.bucket, self.object_key(key), ExtraArgs=extra)
        return key

    def open(self, key: str) -> BinaryIO:
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=self.object_key(key))
        except self.client.exceptions.NoSuchKey:
            raise FileNotFoundError(key) from None
        return response["Body"]

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self.object_key(key))

    def exists(self, key: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=self.object_key(key))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False
            raise
        return True

    def url(self, key: str, expires_in: int = 300) -> str | None:
        return self.client.generate_presigned_url(
            "get_object",
            Params={"Bucket": self.bucket, "Key": self.object_key(key)},
            ExpiresIn=expires_in,
        )


def storage_from_config(config: Mapping[str, Any]) -> Storage:
    """Build the storage named by ``STORAGE_BACKEND`` (``local`` or ``s3``) from a Flask-style config."""
    backend = (config.get("STORAGE_BACKEND") or "local").lower()
    if backend == "local":
        return LocalStorage(config.get("STORAGE_LOCAL_PATH") or "uploads")
    if backend == "s3":
        bucket = config.get("S3_BUCKET")
        if not bucket:
            raise ValueError("STORAGE_BACKEND=s3 needs S3_BUCKET")
        # Imported here so that local installs and tests that never touch S3 do not pay for boto3.
        import boto3

        # Keys left as None fall back to boto3's own chain (environment, web identity, instance role).
        client = boto3.client(
            "s3",
            endpoint_url=config.get("S3_ENDPOINT_URL") or None,
            region_name=config.get("S3_REGION") or None,
            aws_access_key_id=config.get("AWS_ACCESS_KEY_ID") or None,
            aws_secret_access_key=config.get("AWS_SECRET_ACCESS_KEY") or None,
        )
        return S3Storage(bucket, client, prefix=config.get("S3_PREFIX") or "")
    raise ValueError(f"unknown STORAGE_BACKEND {backend!r}; expected 'local' or 's3'")
