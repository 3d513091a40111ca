from __future__ import annotations

import time
from typing import Any, Dict, Optional

import httpx

from ._model import Model
from .errors import APIConnectionError, ShortDramaError, error_from_response


class Transport:
    """The one place that talks HTTP: auth header, JSON, errors, envelopes, opt-in 429 retries."""

    def __init__(
        self,
        base_url: str,
        api_key: Optional[str],
        token: Optional[str],
        timeout: float,
        max_rate_limit_retries: int,
        max_retry_wait: float,
        http_client: Optional[httpx.Client],
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = api_key or token
        self.max_rate_limit_retries = max_rate_limit_retries
        self.max_retry_wait = max_retry_wait
        self.client = http_client or httpx.Client(timeout=timeout)

    def headers(self, extra: Optional[Dict[str, str]] = None) -> Dict[str, str]:
        h = {"Accept": "application/json", "User-Agent": "short-drama-sdk-python/0.1"}
        if self.token:
            h["Authorization"] = f"Bearer {self.token}"
        h.update(extra or {})
        return h

    def send(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Optional[Dict[str, Any]] = None,
        files: Any = None,
        data: Any = None,
        content: Optional[bytes] = None,
        headers: Optional[Dict[str, str]] = None,
    ) -> httpx.Response:
        clean = {k: v for k, v in (params or {}).items() if v is not None}
        attempt = 0
        while True:
            try:
                res = self.client.request(
                    method,
                    self.base_url + path,
                    json=json,
                    params=clean or None,
                    files=files,
                    data=data,
                    content=content,
                    headers=self.headers(headers),
                )
            except httpx.HTTPError as err:
                raise APIConnectionError(0, f"{method} {path}: {err}") from err
            if res.status_code == 429 and attempt < self.max_rate_limit_retries:
                attempt += 1
                wait = float(res.headers.get("retry-after") or 1)
                time.sleep(min(wait, self.max_retry_wait))
                continue
            return res

    def request(self, method: str, path: str, *, envelope: bool = False, model: type = Model, **kw: Any) -> Any:
        res = self.send(method, path, **kw)
        try:
            body = res.json() if res.content else None
        except ValueError:
            body = res.text
        if res.status_code >= 400:
            raise error_from_response(res.status_code, res.headers, body)
        if envelope:
            if not isinstance(body, dict) or not isinstance(body.get("code"), int):
                raise ShortDramaError(res.status_code, "Not an automation envelope", body=body)
            if body["code"] not in (0, 1):
                raise error_from_response(400, res.headers, body)
            body = None if body["code"] == 1 else body.get("data")
        return model.of(body) if isinstance(body, dict) else Model.of(body)
