"""An S3 server for the tests: moto's, in a thread of this process, on a free loopback port, started once
per run with fake credentials, so the S3 file storage is tested over HTTP as a real server would see it.
Without moto (the test extra not installed) every test that asks for it is skipped, never failed."""
from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass

import pytest

SKIP_REASON = "S3 storage tests skipped: moto[server] is not installed (pip install -e '.[test]')"
# boto3 reads these from the environment, as it does in production; nothing here is a real account.
FAKE_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                    "AWS_DEFAULT_REGION": "us-east-1"}


@dataclass(frozen=True)
class S3Endpoint:
    url: str
    # A bucket made when the server started, for tests that need only one.
    bucket: str

    def client(self, **config):
        import boto3
        from botocore.config import Config

        return boto3.client("s3", endpoint_url=self.url, region_name="us-east-1",
                            config=Config(s3={"addressing_style": "path"}, **config))

    def new_bucket(self) -> str:
        """A bucket of its own, for a test that must start from an empty one."""
        name = f"aftercare-{uuid.uuid4().hex[:12]}"
        self.client().create_bucket(Bucket=name)
        return name


@pytest.fixture(scope="session")
def s3_server():
    try:
        from moto.server import ThreadedMotoServer
    except ImportError:
        pytest.skip(SKIP_REASON)
    environment = pytest.MonkeyPatch()
    for name, value in FAKE_CREDENTIALS.items():
        environment.setenv(name, value)
    # A profile or config file of the machine running the tests must not reach the fake server.
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"):
        environment.delenv(name, raising=False)
    environment.setenv("AWS_CONFIG_FILE", "/nonexistent/aws-config")
    environment.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/aws-credentials")
    # One line per request on stderr would bury a failing test's own output.
    werkzeug_log = logging.getLogger("werkzeug")
    level = werkzeug_log.level
    werkzeug_log.setLevel(logging.WARNING)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        endpoint = S3Endpoint(url=f"http://{host}:{port}", bucket="aftercare-photos")
        endpoint.client().create_bucket(Bucket=endpoint.bucket)
        yield endpoint
    finally:
        server.stop()
        werkzeug_log.setLevel(level)
        environment.undo()
