"""Typed errors, the opt-in 429 retry, an AI worker on the automation API, SSE watching, and the
models checked against the server's OpenAPI document."""
import subprocess
import sys
import uuid
from pathlib import Path

import httpx
import pytest

from short_drama_sdk import (
    AuthenticationError,
    Client,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ShortDramaError,
    ValidationError,
)
from short_drama_sdk.models import ClaimedTask

from conftest import new_account, new_session, wait_until

ROOT = Path(__file__).resolve().parents[3]


def test_models_are_generated_from_the_servers_openapi_document():
    result = subprocess.run(
        [sys.executable, str(ROOT / "sdk/python/scripts/generate_models.py"), "--check"],
        capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stderr


def test_typed_errors(api_url, account):
    with pytest.raises(AuthenticationError) as bad_key:
        Client(api_key="sds_not_a_real_key", base_url=api_url).projects.list()
    assert bad_key.value.status == 401 and bad_key.value.error_code == "UNAUTHORIZED"

    other = new_account(api_url)
    theirs = other.projects.create(name="别人的项目")
    with pytest.raises(NotFoundError) as foreign:
        account.projects.get(theirs.id)
    assert foreign.value.status == 404 and foreign.value.error_code == "NOT_FOUND"

    with pytest.raises(ValidationError) as invalid:
        account.projects.create(name="")
    assert "body.name" in [e["field"] for e in invalid.value.errors]

    with pytest.raises(NotFoundError) as missing:
        account.automation.projects.get(99999999)
    assert missing.value.code == 404 and missing.value.error_code is None

    # A key cannot make keys (only a login session can), and a studio-only key may not use the
    # automation API: both 403, typed, in each surface's own format.
    with pytest.raises(PermissionDeniedError) as no_keys:
        account.auth.create_api_key(name="more", scopes=["studio"])
    assert no_keys.value.error_code == "FORBIDDEN"
    session = new_session(api_url)
    studio_only = Client(api_key=session.auth.create_api_key(name="studio", scopes=["studio"]).key, base_url=api_url)
    with pytest.raises(PermissionDeniedError) as denied:
        studio_only.tasks.list()
    assert denied.value.code == 403


def test_invoices_without_stripe_keys_have_no_pay_url(api_url):
    # The local stack runs without Stripe keys: invoices are listed with pay_url None, and the
    # operator endpoint refuses anyone not in ADMIN_EMAILS.
    client = new_session(api_url)
    client.subscriptions.upgrade(tier="professional")
    invoices = client.billing.invoices()
    assert invoices.total == 1
    first = invoices["items"][0]  # (`.items` is the dict method: models are dicts)
    assert (first.kind, first.amount, first.status, first.pay_url, first.hosted_invoice_url) == (
        "proration", 0, "paid", None, None)
    assert client.billing.events().total == 0
    with pytest.raises(PermissionDeniedError) as denied:
        client.admin.mark_invoice_paid(first.invoice_id, reference="not an operator")
    assert denied.value.error_code == "FORBIDDEN"


def test_rate_limits_raise_with_retry_after_and_can_be_retried(api_url):
    email = f"locked-{uuid.uuid4().hex[:8]}@example.com"
    Client(base_url=api_url).auth.register(email=email, password="SecurePassword123!", username="l")
    attempts = []
    client = Client(
        base_url=api_url,
        max_rate_limit_retries=1,
        max_retry_wait=0.5,
        http_client=httpx.Client(event_hooks={"request": [lambda r: attempts.append(r.url.path)]}),
    )
    error = None
    for _ in range(12):
        try:
            client.auth.login(email, "WrongPassword123!")
        except RateLimitError as e:
            error = e
            break
        except AuthenticationError:
            continue
    assert error is not None, "10 failed logins should lock the account"
    assert error.retry_after and error.retry_after > 0 and error.error_code == "RATE_LIMIT_EXCEEDED"
    # The locking answer was retried once after Retry-After before raising.
    assert len(attempts) == 12


def test_a_python_ai_worker_claims_heartbeats_and_completes(api_url, account, png):
    project = account.automation.projects.create(
        name="流水线", tasks=[{"task_type": "image_generation", "commit_id": "img"},
                           {"task_type": "video_generation", "dependencies": ["img"]}],
    )
    assert len(project.tasks) == 2
    assert account.tasks.claim(task_types=["video_generation"], worker_id="py-1") is None
    task = account.tasks.claim(task_types=["image_generation"], worker_id="py-1")
    assert isinstance(task, ClaimedTask) and task.lease_token
    account.tasks.heartbeat(task.id, lease_token=task.lease_token)
    asset = account.automation.assets.create(name="frame", asset_type="image")
    account.automation.assets.upload(asset.id, png)
    assert account.automation.assets.download(asset.id) == png.read_bytes()
    done = account.tasks.complete(task.id, lease_token=task.lease_token, output={"asset_id": asset.id})
    assert done.status == "completed"
    with pytest.raises(ShortDramaError) as stale:
        account.tasks.complete(task.id, lease_token=task.lease_token)
    assert stale.value.code == 400
    nxt = account.tasks.claim(task_types=["video_generation"], worker_id="py-1")
    assert nxt is not None and nxt.task_type == "video_generation"


def test_watch_over_server_sent_events(api_url, account):
    project = account.projects.create(name="SSE", description="一个场景：雨夜的街道")
    workflow = account.workflows.start(project_id=project.id, workflow_type="storyboard")
    frames = list(account.workflows.watch(workflow.id, transport="sse"))
    assert frames[0].type == "snapshot"
    assert frames[-1].type == "workflow_completed"
    assert wait_until(lambda: account.workflows.get(workflow.id).status == "completed")


def test_watch_resumes_after_a_sequence_number(api_url, account):
    project = account.projects.create(name="续传", description="一个场景：清晨的车站")
    workflow = account.workflows.start(project_id=project.id, workflow_type="storyboard")
    first = list(account.workflows.watch(workflow.id))
    numbered = [f.seq for f in first if f.type != "snapshot"]
    assert len(numbered) >= 3
    cut = numbered[len(numbered) // 2]
    # Reconnecting with last_seq replays exactly what came after it: no snapshot, no repeats.
    resumed = list(account.workflows.watch(workflow.id, last_seq=cut))
    assert [f.seq for f in resumed] == [s for s in numbered if s > cut]
    assert resumed[-1].type == "workflow_completed"


def _complete_frames(buffer: bytes):
    """How many whole server WebSocket frames follow the HTTP 101 head, and where the last one ends."""
    head_end = buffer.find(b"\r\n\r\n")
    if head_end < 0:
        return 0, 0
    i = head_end + 4
    count, end = 0, i
    while i + 2 <= len(buffer):
        length = buffer[i + 1] & 0x7F
        j = i + 2
        if length == 126:
            if j + 2 > len(buffer):
                break
            length = int.from_bytes(buffer[j:j + 2], "big")
            j += 2
        elif length == 127:
            if j + 8 > len(buffer):
                break
            length = int.from_bytes(buffer[j:j + 8], "big")
            j += 8
        if j + length > len(buffer):
            break
        i = j + length
        count, end = count + 1, i
    return count, end


class _DroppingProxy:
    """A TCP proxy to the Worker that cuts the first progress WebSocket after a few frames, the way
    a flaky network would (no close frame): the SDK must reconnect and resume without repeats."""

    def __init__(self, upstream: str, cut_after_frames: int = 3) -> None:
        import socket
        import threading
        from urllib.parse import urlparse

        u = urlparse(upstream)
        self.target = (u.hostname, u.port)
        self.cut_after = cut_after_frames
        self.cut_done = False
        self.ws_connections = 0
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        import socket
        import threading

        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            threading.Thread(target=self._pump, args=(client, upstream, True), daemon=True).start()

    def _pump(self, client, upstream, first: bool) -> None:
        import socket
        import threading

        head = client.recv(65536)
        is_ws = head.startswith(b"GET /ws/progress/")
        cut = is_ws and not self.cut_done
        if is_ws:
            self.ws_connections += 1
        if cut:
            self.cut_done = True
        upstream.sendall(head)

        def up() -> None:
            try:
                while data := client.recv(65536):
                    upstream.sendall(data)
            except OSError:
                pass

        threading.Thread(target=up, daemon=True).start()
        buffer = b""
        try:
            while data := upstream.recv(65536):
                if not cut:
                    client.sendall(data)
                    continue
                # Pass the 101 answer and whole WebSocket frames until enough went through.
                buffer += data
                frames, upto = _complete_frames(buffer)
                if frames >= self.cut_after:
                    client.sendall(buffer[:upto])
                    break
        except OSError:
            pass
        if cut and buffer and frames < self.cut_after:
            client.sendall(buffer)
        for s in (client, upstream):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()

    def close(self) -> None:
        self.server.close()


def test_watch_reconnects_after_a_dropped_socket_and_repeats_nothing(api_url, account):
    proxy = _DroppingProxy(api_url)
    try:
        via_proxy = Client(api_key=account.http.token, base_url=f"http://127.0.0.1:{proxy.port}")
        project = via_proxy.projects.create(
            name="断线", script="第1场 街道\n雨夜，霓虹闪烁。\n\n第2场 屋顶\n风很大。\n\n第3场 车站\n雪落下来。"
        )
        workflow = via_proxy.workflows.start(project_id=project.id, workflow_type="storyboard")
        frames = list(via_proxy.workflows.watch(workflow.id))
    finally:
        proxy.close()
    assert proxy.cut_done and proxy.ws_connections >= 2
    numbered = [f.seq for f in frames if f.type != "snapshot"]
    assert numbered == sorted(set(numbered))
    assert frames[-1].type == "workflow_completed"
    # Everything the workflow published arrived: compare with a clean replay from the start.
    replay = list(account.workflows.watch(workflow.id, last_seq=0))
    assert [f.seq for f in replay if f.seq > 0] == [s for s in numbered if s > 0]
