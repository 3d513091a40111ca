"""Starts the Worker for the tests: the whole local stack (wrangler dev with local D1/R2/DO/Queues,
the renderer on BullMQ and redis-server) through `node scripts/stack.mjs`, once per session.
Set SDS_API_URL to test against a server that is already running (e.g. `npm run dev`)."""
import json
import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "sdk" / "python"))

from short_drama_sdk import Client  # noqa: E402


@pytest.fixture(scope="session")
def api_url():
    if os.environ.get("SDS_API_URL"):
        yield os.environ["SDS_API_URL"].rstrip("/")
        return
    node = shutil.which("node")
    if not node:
        pytest.fail("node is not on PATH: run the tests with `npm run test:python`")
    proc = subprocess.Popen(
        [node, "scripts/stack.mjs"], cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    line = proc.stdout.readline()
    if not line:
        proc.wait(timeout=30)
        pytest.fail(f"the local stack did not start (exit {proc.returncode})")
    urls = json.loads(line)
    try:
        yield urls["apiUrl"]
    finally:
        proc.stdin.close()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


def new_session(api_url: str) -> Client:
    """A signed-up user's client on a login session (JWT): the only kind that can make API keys."""
    client = Client(base_url=api_url)
    email = f"py-{uuid.uuid4().hex[:10]}@example.com"
    client.auth.register(email=email, password="SecurePassword123!", username="py")
    client.auth.login(email, "SecurePassword123!")
    return client


def new_account(api_url: str, session: "Client | None" = None) -> Client:
    """A client holding an API key with every scope but webhooks (as the documented example starts)."""
    session = session or new_session(api_url)
    key = session.auth.create_api_key(name="python", scopes=["studio", "automation", "worker"])
    return Client(api_key=key.key, base_url=api_url)


@pytest.fixture
def account(api_url):
    return new_account(api_url)


@pytest.fixture
def png(tmp_path):
    """A real PNG made by ffmpeg (a test pattern), as a user's character picture would be."""
    path = tmp_path / "character.png"
    subprocess.run(
        ["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
         "testsrc2=size=240x320:rate=1", "-frames:v", "1", str(path)],
        check=True,
    )
    return path


def wait_until(predicate, timeout=60.0, interval=0.25):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return False
