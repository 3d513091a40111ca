"""Live progress of a workflow: WebSocket with resume, Server-Sent Events as the fallback."""
from __future__ import annotations

import asyncio
import json
import queue
import threading
import time
from typing import Iterator, Optional
from urllib.parse import urlencode

import httpx
import websockets

from ._http import Transport
from .models import ProgressFrame

_TERMINAL = {"workflow_completed", "workflow_failed", "workflow_cancelled"}
_TERMINAL_STATUS = {"completed", "failed", "cancelled"}
_END = object()


class WorkflowWatch:
    """Iterate it: the snapshot, then every frame once and in ``seq`` order, across reconnects
    (resuming with ``last_seq``), until the workflow finishes. ``transport="sse"`` skips WebSockets.

    >>> for update in client.workflows.watch(workflow.id):
    ...     print(f"Progress: {update.progress * 100}%")
    """

    def __init__(
        self,
        http: Transport,
        workflow_id: int,
        *,
        transport: str = "websocket",
        max_reconnects: int = 10,
        last_seq: int = -1,
    ) -> None:
        self._http = http
        self._id = int(workflow_id)
        self._use_sse = transport == "sse"
        self._max_reconnects = max_reconnects
        self._last_seq = last_seq
        self._frames: "queue.Queue[object]" = queue.Queue()
        self._stop = threading.Event()
        self._error: Optional[BaseException] = None
        self._opened = False
        self.last: Optional[ProgressFrame] = None
        self._thread = threading.Thread(target=self._run, name=f"sds-watch-{workflow_id}", daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._stop.set()

    def __enter__(self) -> "WorkflowWatch":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __iter__(self) -> Iterator[ProgressFrame]:
        try:
            while True:
                item = self._frames.get()
                if item is _END:
                    if self._error:
                        raise self._error
                    return
                yield item  # type: ignore[misc]
        finally:
            self.close()

    # -- the connection thread --------------------------------------------------------------

    def _accept(self, frame: dict) -> bool:
        """Queues a frame unless seen; True when the workflow has ended."""
        if frame.get("type") != "snapshot":
            if frame.get("seq", -1) <= self._last_seq:
                return False
            self._last_seq = frame["seq"]
        elif isinstance(frame.get("seq"), int):
            self._last_seq = max(self._last_seq, frame["seq"])
        model = ProgressFrame.of(frame)
        self.last = model
        self._frames.put(model)
        return frame.get("type") in _TERMINAL or (
            frame.get("type") == "snapshot" and frame.get("status") in _TERMINAL_STATUS
        )

    def _run(self) -> None:
        reconnects = 0
        try:
            while not self._stop.is_set():
                self._opened = False
                try:
                    if self._use_sse:
                        ended, opened = self._sse()
                    else:
                        ended, opened = asyncio.run(self._websocket())
                except _Refused as refused:
                    self._error = refused.error
                    return
                except Exception:  # noqa: BLE001 - any transport failure is retried
                    # A connection that opened and then broke is retried the same way.
                    ended, opened = False, self._opened
                if ended or self._stop.is_set():
                    return
                if not opened and not self._use_sse:
                    self._use_sse = True  # WebSockets blocked here: Server-Sent Events instead
                reconnects = 0 if opened else reconnects + 1
                if reconnects > self._max_reconnects:
                    self._error = ConnectionError(f"lost the progress stream of workflow {self._id}")
                    return
                time.sleep(min(10.0, 0.25 * 2 ** reconnects))
        finally:
            self._frames.put(_END)

    async def _websocket(self) -> "tuple[bool, bool]":
        query = {"token": self._http.token or ""}
        if self._last_seq >= 0:
            query["last_seq"] = str(self._last_seq)
        url = self._http.base_url.replace("http", "ws", 1) + f"/ws/progress/{self._id}?{urlencode(query)}"
        opened = False
        async with websockets.connect(url, open_timeout=10, max_size=2**22) as ws:
            opened = self._opened = True
            while not self._stop.is_set():
                try:
                    message = await asyncio.wait_for(ws.recv(), timeout=1.0)
                except asyncio.TimeoutError:
                    continue
                except websockets.ConnectionClosed as closed:
                    code = closed.code
                    if 4400 <= code < 4500 and code != 4429:
                        raise _Refused(PermissionError(f"progress socket refused ({code}): {closed.reason}"))
                    return False, opened
                if isinstance(message, str) and message.startswith("{"):
                    if self._accept(json.loads(message)):
                        return True, opened
        return True, opened

    def _sse(self) -> "tuple[bool, bool]":
        headers = self._http.headers({"Accept": "text/event-stream"})
        if self._last_seq >= 0:
            headers["Last-Event-ID"] = str(self._last_seq)
        url = f"{self._http.base_url}/api/v1/workflows/{self._id}/events"
        with httpx.stream("GET", url, headers=headers, timeout=httpx.Timeout(10.0, read=None)) as res:
            if res.status_code in (401, 403, 404):
                raise _Refused(PermissionError(f"progress stream refused ({res.status_code})"))
            if res.status_code != 200:
                return False, False
            self._opened = True
            buffer = ""
            for chunk in res.iter_text():
                if self._stop.is_set():
                    return True, True
                buffer += chunk.replace("\r\n", "\n")
                while "\n\n" in buffer:
                    block, buffer = buffer.split("\n\n", 1)
                    payload = "\n".join(
                        line[5:].lstrip() for line in block.split("\n") if line.startswith("data:")
                    )
                    if payload.startswith("{") and self._accept(json.loads(payload)):
                        return True, True
        return False, True


class _Refused(Exception):
    def __init__(self, error: BaseException) -> None:
        super().__init__(str(error))
        self.error = error
