"""Typed errors: every failed call raises a ShortDramaError (a subclass by HTTP status)."""
from __future__ import annotations

from typing import Any, Dict, List, Optional


class ShortDramaError(Exception):
    """What the API said: ``error_code`` (studio API), ``code`` (automation envelope), ``detail``,
    ``retry_after`` (seconds, on 429), field ``errors`` (422) and the ``request_id`` for support."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        error_code: Optional[str] = None,
        code: Optional[int] = None,
        retry_after: Optional[float] = None,
        request_id: Optional[str] = None,
        errors: Optional[List[Dict[str, str]]] = None,
        body: Any = None,
    ) -> None:
        label = error_code or (f"code {code}" if code is not None else "")
        super().__init__(f"{status} {label}: {detail}".replace("  ", " "))
        self.status = status
        self.detail = detail
        self.error_code = error_code
        self.code = code
        self.retry_after = retry_after
        self.request_id = request_id
        self.errors = errors or []
        self.body = body


class AuthenticationError(ShortDramaError):
    pass


class PaymentRequiredError(ShortDramaError):
    pass


class PermissionDeniedError(ShortDramaError):
    pass


class NotFoundError(ShortDramaError):
    pass


class ConflictError(ShortDramaError):
    pass


class ValidationError(ShortDramaError):
    pass


class RateLimitError(ShortDramaError):
    pass


class ServerError(ShortDramaError):
    pass


class APIConnectionError(ShortDramaError):
    """The request never got an answer (network down, DNS, timeout)."""


_BY_STATUS = {
    401: AuthenticationError,
    402: PaymentRequiredError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: ValidationError,
    429: RateLimitError,
}


def error_from_response(status: int, headers: Any, body: Any) -> ShortDramaError:
    b = body if isinstance(body, dict) else {}
    retry_after: Optional[float] = None
    if isinstance(b.get("retry_after"), (int, float)):
        retry_after = float(b["retry_after"])
    else:
        try:
            retry_after = float(headers.get("retry-after")) if headers.get("retry-after") else None
        except ValueError:
            retry_after = None
    cls = _BY_STATUS.get(status) or (ServerError if status >= 500 else ShortDramaError)
    detail = b.get("detail") or b.get("msg") or (body if isinstance(body, str) and body else f"HTTP {status}")
    return cls(
        status,
        str(detail),
        error_code=b.get("error_code") if isinstance(b.get("error_code"), str) else None,
        code=b.get("code") if isinstance(b.get("code"), int) else None,
        retry_after=retry_after,
        request_id=headers.get("x-request-id"),
        errors=b.get("errors") if isinstance(b.get("errors"), list) else None,
        body=body,
    )
