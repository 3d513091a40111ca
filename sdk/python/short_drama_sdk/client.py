from __future__ import annotations

from typing import Optional

import httpx

from ._http import Transport
from .generation import Generation
from .resources import (
    Admin,
    Auth,
    Automation,
    Billing,
    Characters,
    Exports,
    Projects,
    Storyboards,
    Subscriptions,
    Workflows,
)


class Client:
    """The Short Drama Studio API from Python:

    >>> client = Client(api_key="sds_...", base_url="http://localhost:8787")
    >>> project = client.projects.create(name="我的短剧", description="一个有趣的故事")

    ``max_rate_limit_retries`` opts into waiting out 429 answers (``Retry-After``, capped at
    ``max_retry_wait`` seconds) before raising RateLimitError.
    """

    def __init__(
        self,
        api_key: Optional[str] = None,
        base_url: str = "http://localhost:8787",
        *,
        token: Optional[str] = None,
        timeout: float = 60.0,
        max_rate_limit_retries: int = 0,
        max_retry_wait: float = 60.0,
        http_client: Optional[httpx.Client] = None,
    ) -> None:
        self.http = Transport(base_url, api_key, token, timeout, max_rate_limit_retries, max_retry_wait, http_client)
        self.auth = Auth(self.http)
        self.projects = Projects(self.http)
        self.characters = Characters(self.http)
        self.storyboards = Storyboards(self.http)
        self.workflows = Workflows(self.http)
        self.generation = Generation(self.http)
        self.export = Exports(self.http)
        self.exports = self.export
        self.subscriptions = Subscriptions(self.http)
        self.billing = Billing(self.http)
        self.admin = Admin(self.http)
        self.automation = Automation(self.http)
        # What an AI worker needs, at the top level too.
        self.tasks = self.automation.tasks
        self.inspirations = self.automation.inspirations
        self.platform_accounts = self.automation.platform_accounts

    def health(self):
        return self.http.request("GET", "/health")

    def close(self) -> None:
        self.http.client.close()

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
