"""Uploads storage: the same behaviour on a local folder and on S3 (faked by moto, no network)."""

import io

import boto3
import pytest
from moto import mock_aws

from clusterhub.storage import InvalidKey, LocalStorage, S3Storage, storage_from_config

BUCKET = "clusterhub-test-uploads"


@pytest.fixture
def aws_credentials(monkeypatch):
    # Fake credentials so boto3 never looks for real ones (or a metadata service) on this machine.
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-central-1")


@pytest.fixture
def s3_client(aws_credentials):
    with mock_aws():
        client = boto3.client("s3", region_name="eu-central-1")
        client.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-central-1"})
        yield client


@pytest.fixture(params=["local", "s3"])
def storage(request, tmp_path):
    if request.param == "local":
        return LocalStorage(tmp_path / "uploads")
    return S3Storage(BUCKET, request.getfixturevalue("s3_client"), prefix="uploads")


def test_saved_file_reads_back(storage):
    key = storage.save("komi/projects/12/protocol.pdf", io.BytesIO(b"%PDF-1.7 ..."), "application/pdf")

    assert key == "komi/projects/12/protocol.pdf"
    assert storage.exists(key)
    with storage.open(key) as stream:
        assert stream.read() == b"%PDF-1.7 ..."


def test_save_replaces_existing_file(storage):
    storage.save("komi/logo.png", io.BytesIO(b"old"))
    storage.save("komi/logo.png", io.BytesIO(b"new"))

    with storage.open("komi/logo.png") as stream:
        assert stream.read() == b"new"


def test_delete_removes_file_and_tolerates_missing_one(storage):
    storage.save("komi/a.txt", io.BytesIO(b"a"))

    storage.delete("komi/a.txt")
    storage.delete("komi/a.txt")

    assert not storage.exists("komi/a.txt")


def test_opening_missing_file_raises_file_not_found(storage):
    with pytest.raises(FileNotFoundError):
        storage.open("komi/nothing-here.pdf")


@pytest.mark.parametrize(
    "key",
    ["", "/etc/passwd", "../secret", "komi/../../secret", "komi//a", "komi/./a", "komi\\..\\a", "a\x00b"],
)
def test_unsafe_keys_are_refused_by_every_backend(storage, key):
    with pytest.raises(InvalidKey):
        storage.save(key, io.BytesIO(b"x"))
    with pytest.raises(InvalidKey):
        storage.open(key)


def test_local_storage_does_not_follow_symlinks_out_of_root(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_bytes(b"secret")
    root = tmp_path / "uploads"
    root.mkdir()
    (root / "komi").symlink_to(outside)

    with pytest.raises(InvalidKey):
        LocalStorage(root).open("komi/secret.txt")


def test_local_storage_leaves_no_temporary_files(tmp_path):
    LocalStorage(tmp_path).save("komi/a.txt", io.BytesIO(b"a"))

    assert [p.name for p in (tmp_path / "komi").iterdir()] == ["a.txt"]


def test_s3_storage_keeps_content_type_and_prefix(s3_client):
    S3Storage(BUCKET, s3_client, prefix="/uploads/").save("komi/a.pdf", io.BytesIO(b"x"), "application/pdf")

    head = s3_client.head_object(Bucket=BUCKET, Key="uploads/komi/a.pdf")
    assert head["ContentType"] == "application/pdf"


def test_s3_storage_gives_presigned_download_url(s3_client):
    url = S3Storage(BUCKET, s3_client).url("komi/a.pdf", expires_in=60)

    assert "komi/a.pdf" in url and "Signature" in url


def test_local_storage_streams_through_the_app(tmp_path):
    assert LocalStorage(tmp_path).url("komi/a.pdf") is None


def test_factory_defaults_to_local_folder(tmp_path):
    storage = storage_from_config({"STORAGE_LOCAL_PATH": str(tmp_path)})

    assert isinstance(storage, LocalStorage)
    assert storage.root == tmp_path.resolve()


def test_factory_builds_s3_storage_from_config_keys(aws_credentials, monkeypatch):
    client_kwargs = {}
    real_client = boto3.client

    def recording_client(*args, **kwargs):
        client_kwargs.update(kwargs)
        return real_client(*args, **kwargs)

    monkeypatch.setattr(boto3, "client", recording_client)
    with mock_aws():
        config = {
            "STORAGE_BACKEND": "s3",
            "S3_BUCKET": BUCKET,
            "S3_REGION": "eu-central-1",
            "S3_ENDPOINT_URL": "",
            "AWS_ACCESS_KEY_ID": "key-from-config",
            "AWS_SECRET_ACCESS_KEY": "secret-from-config",
        }
        storage = storage_from_config(config)
        storage.client.create_bucket(
            Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-central-1"}
        )
        storage.save("komi/a.txt", io.BytesIO(b"a"))

        assert isinstance(storage, S3Storage)
        assert storage.client.get_object(Bucket=BUCKET, Key="komi/a.txt")["Body"].read() == b"a"
        assert client_kwargs["aws_access_key_id"] == "key-from-config"
        assert client_kwargs["endpoint_url"] is None  # an empty value must not become an endpoint


def test_factory_honours_custom_endpoint(aws_credentials):
    storage = storage_from_config(
        {"STORAGE_BACKEND": "s3", "S3_BUCKET": BUCKET, "S3_ENDPOINT_URL": "https://storage.example.test"}
    )

    assert storage.client.meta.endpoint_url == "https://storage.example.test"


@pytest.mark.parametrize(
    "config", [{"STORAGE_BACKEND": "s3"}, {"STORAGE_BACKEND": "ftp"}], ids=["s3-without-bucket", "unknown"]
)
def test_factory_refuses_incomplete_or_unknown_backend(config):
    with pytest.raises(ValueError):
        storage_from_config(config)
