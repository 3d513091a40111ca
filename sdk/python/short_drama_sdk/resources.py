"""The API's resources. Keyword arguments are the API's fields (snake_case, as the API documentation writes
them); ``None`` leaves a field out. Answers are the typed models of ``models.py``."""
from __future__ import annotations

import mimetypes
import os
import time
from typing import Any, Dict, List, Optional, Union

from . import models as m
from ._http import Transport
from .errors import error_from_response
from .watch import WorkflowWatch

FileInput = Union[str, "os.PathLike[str]", bytes]


def _fields(**kw: Any) -> Dict[str, Any]:
    return {k: v for k, v in kw.items() if v is not None}


def _file(image: FileInput, default_name: str):
    if isinstance(image, (bytes, bytearray)):
        return (default_name, bytes(image), "application/octet-stream")
    path = os.fspath(image)
    with open(path, "rb") as f:
        data = f.read()
    return (os.path.basename(path), data, mimetypes.guess_type(path)[0] or "application/octet-stream")


class _Resource:
    def __init__(self, http: Transport) -> None:
        self._http = http


class Auth(_Resource):
    def register(self, *, email: str, password: str, username: str) -> m.User:
        return self._http.request(
            "POST", "/api/v1/auth/register", json=_fields(email=email, password=password, username=username), model=m.User
        )

    def login(self, email: str, password: str) -> m.TokenPair:
        """Logs in; the client uses the access token from then on."""
        out = self._http.request("POST", "/api/v1/auth/login", json={"email": email, "password": password}, model=m.TokenPair)
        self._http.token = out.access_token
        return out

    def refresh(self, refresh_token: str) -> m.TokenPair:
        out = self._http.request("POST", "/api/v1/auth/refresh", json={"refresh_token": refresh_token}, model=m.TokenPair)
        self._http.token = out.access_token
        return out

    def logout(self) -> m.Model:
        return self._http.request("POST", "/api/v1/auth/logout", json={})

    def me(self) -> m.CurrentUser:
        return self._http.request("GET", "/api/v1/auth/me", model=m.CurrentUser)

    def create_api_key(self, *, name: str, scopes: List[str], expires_in_days: Optional[int] = None) -> m.CreatedApiKey:
        return self._http.request(
            "POST", "/api/v1/auth/api-keys", json=_fields(name=name, scopes=scopes, expires_in_days=expires_in_days),
            model=m.CreatedApiKey,
        )

    def list_api_keys(self) -> m.Model:
        return self._http.request("GET", "/api/v1/auth/api-keys")

    def revoke_api_key(self, key_id: str) -> m.Model:
        return self._http.request("DELETE", f"/api/v1/auth/api-keys/{key_id}")


class Projects(_Resource):
    def create(self, *, name: str, description: Optional[str] = None, script: Optional[str] = None,
               aspect_ratio: Optional[str] = None) -> m.Project:
        return self._http.request(
            "POST", "/api/v1/projects",
            json=_fields(name=name, description=description, script=script, aspect_ratio=aspect_ratio), model=m.Project,
        )

    def list(self, *, skip: int = 0, limit: int = 20, status: Optional[str] = None) -> m.ProjectList:
        return self._http.request("GET", "/api/v1/projects", params=_fields(skip=skip, limit=limit, status=status), model=m.ProjectList)

    def get(self, project_id: str) -> m.ProjectDetail:
        return self._http.request("GET", f"/api/v1/projects/{project_id}", model=m.ProjectDetail)

    def update(self, project_id: str, **fields: Any) -> m.Project:
        return self._http.request("PUT", f"/api/v1/projects/{project_id}", json=_fields(**fields), model=m.Project)

    def delete(self, project_id: str) -> m.Model:
        return self._http.request("DELETE", f"/api/v1/projects/{project_id}")


class Characters(_Resource):
    def create(self, *, project_id: str, name: str, image_path: Optional[FileInput] = None,
               image: Optional[FileInput] = None, description: Optional[str] = None) -> m.Character:
        """Uploads a reference image from a path (``image_path``, as documented) or bytes (``image``)."""
        source = image_path if image_path is not None else image
        if source is None:
            raise TypeError("characters.create needs image_path (or image bytes)")
        return self._http.request(
            "POST", "/api/v1/characters",
            data=_fields(project_id=project_id, name=name, description=description),
            files={"image": _file(source, "character.png")}, model=m.Character,
        )

    def list(self, *, project_id: str) -> m.CharacterList:
        return self._http.request("GET", "/api/v1/characters", params={"project_id": project_id}, model=m.CharacterList)

    def get(self, character_id: int) -> m.Character:
        return self._http.request("GET", f"/api/v1/characters/{character_id}", model=m.Character)

    def update(self, character_id: int, **fields: Any) -> m.Character:
        return self._http.request("PUT", f"/api/v1/characters/{character_id}", json=_fields(**fields), model=m.Character)

    def replace_image(self, character_id: int, image: FileInput) -> m.Character:
        return self._http.request("PUT", f"/api/v1/characters/{character_id}/image",
                                  files={"image": _file(image, "character.png")}, model=m.Character)

    def delete(self, character_id: int) -> m.Model:
        return self._http.request("DELETE", f"/api/v1/characters/{character_id}")


class Storyboards(_Resource):
    def create(self, *, project_id: str, description: str, **fields: Any) -> m.Storyboard:
        return self._http.request("POST", "/api/v1/storyboards",
                                  json=_fields(project_id=project_id, description=description, **fields), model=m.Storyboard)

    def list(self, *, project_id: str) -> m.StoryboardList:
        return self._http.request("GET", "/api/v1/storyboards", params={"project_id": project_id}, model=m.StoryboardList)

    def get(self, storyboard_id: int) -> m.Storyboard:
        return self._http.request("GET", f"/api/v1/storyboards/{storyboard_id}", model=m.Storyboard)

    def update(self, storyboard_id: int, **fields: Any) -> m.Storyboard:
        return self._http.request("PUT", f"/api/v1/storyboards/{storyboard_id}", json=_fields(**fields), model=m.Storyboard)

    def delete(self, storyboard_id: int) -> m.Model:
        return self._http.request("DELETE", f"/api/v1/storyboards/{storyboard_id}")

    def reorder(self, *, project_id: str, order: List[int]) -> m.Model:
        return self._http.request("POST", "/api/v1/storyboards/reorder", json={"project_id": project_id, "order": order})

    def generate(self, storyboard_id: int, *, style: str) -> m.Model:
        return self._http.request("POST", f"/api/v1/storyboards/{storyboard_id}/generate", json={"style": style})


class Workflows(_Resource):
    def start(self, *, project_id: str, workflow_type: str, generator: Optional[str] = None,
              options: Optional[Dict[str, Any]] = None, quote_id: Optional[str] = None,
              idempotency_key: Optional[str] = None) -> m.WorkflowSummary:
        return self._http.request(
            "POST", "/api/v1/workflows",
            json=_fields(project_id=project_id, workflow_type=workflow_type, generator=generator, options=options,
                         quote_id=quote_id),
            headers={"Idempotency-Key": idempotency_key} if idempotency_key else None, model=m.WorkflowSummary,
        )


    def list(self, *, project_id: Optional[str] = None, skip: int = 0, limit: int = 20) -> m.Model:
        return self._http.request("GET", "/api/v1/workflows", params=_fields(project_id=project_id, skip=skip, limit=limit))

    def get(self, workflow_id: int) -> m.WorkflowDetail:
        return self._http.request("GET", f"/api/v1/workflows/{workflow_id}", model=m.WorkflowDetail)

    def pause(self, workflow_id: int) -> m.Model:
        return self._http.request("POST", f"/api/v1/workflows/{workflow_id}/pause", json={})

    def resume(self, workflow_id: int) -> m.Model:
        return self._http.request("POST", f"/api/v1/workflows/{workflow_id}/resume", json={})

    def cancel(self, workflow_id: int) -> m.Model:
        return self._http.request("POST", f"/api/v1/workflows/{workflow_id}/cancel", json={})

    def retry(self, workflow_id: int) -> m.Model:
        return self._http.request("POST", f"/api/v1/workflows/{workflow_id}/retry", json={})

    def watch(self, workflow_id: int, *, transport: str = "websocket", last_seq: int = -1) -> WorkflowWatch:
        return WorkflowWatch(self._http, workflow_id, transport=transport, last_seq=last_seq)


class Exports(_Resource):
    def estimate(self, *, project_id: str, resolution: str = "1080p") -> m.ExportEstimate:
        return self._http.request("POST", "/api/v1/export/estimate",
                                  json={"project_id": project_id, "resolution": resolution}, model=m.ExportEstimate)

    def create(self, *, project_id: str, resolution: str = "1080p", format: Optional[str] = None,
               include_subtitles: Optional[bool] = None, music_asset_id: Optional[int] = None,
               idempotency_key: Optional[str] = None) -> m.ExportStarted:
        return self._http.request(
            "POST", "/api/v1/export",
            json=_fields(project_id=project_id, resolution=resolution, format=format,
                         include_subtitles=include_subtitles, music_asset_id=music_asset_id),
            headers={"Idempotency-Key": idempotency_key} if idempotency_key else None, model=m.ExportStarted,
        )

    def get(self, export_id: int) -> m.Export:
        return self._http.request("GET", f"/api/v1/export/{export_id}", model=m.Export)

    def history(self, *, skip: int = 0, limit: int = 20) -> m.ExportHistory:
        return self._http.request("GET", "/api/v1/export/history", params={"skip": skip, "limit": limit}, model=m.ExportHistory)

    def cancel(self, export_id: int) -> m.Model:
        return self._http.request("POST", f"/api/v1/export/{export_id}/cancel", json={})

    def wait(self, export_id: int, *, interval: float = 1.0, timeout: float = 1800.0) -> m.Export:
        """Polls until the export completed, failed or was cancelled."""
        deadline = time.monotonic() + timeout
        while True:
            e = self.get(export_id)
            if e.status in ("completed", "failed", "cancelled"):
                return e
            if time.monotonic() > deadline:
                raise TimeoutError(f"export {export_id} is still {e.status}")
            time.sleep(interval)


class Subscriptions(_Resource):
    def me(self) -> m.Subscription:
        return self._http.request("GET", "/api/v1/subscriptions/me", model=m.Subscription)

    def upgrade(self, *, tier: str, billing_cycle: str = "monthly") -> m.SubscriptionUpgraded:
        return self._http.request("POST", "/api/v1/subscriptions/upgrade",
                                  json={"tier": tier, "billing_cycle": billing_cycle}, model=m.SubscriptionUpgraded)


class Billing(_Resource):
    def usage(self, *, start_date: Optional[str] = None, end_date: Optional[str] = None) -> m.Usage:
        return self._http.request("GET", "/api/v1/billing/usage", params=_fields(start_date=start_date, end_date=end_date), model=m.Usage)

    def invoices(self, *, skip: int = 0, limit: int = 20) -> m.Invoices:
        """Newest first; an open invoice is paid at its ``pay_url`` (Stripe's hosted page, when configured)."""
        return self._http.request("GET", "/api/v1/billing/invoices", params={"skip": skip, "limit": limit}, model=m.Invoices)

    def events(self, *, skip: int = 0, limit: int = 20) -> m.BillingEvents:
        """What invoices did to the plan: ``subscription.past_due``, ``.downgraded``, ``.restored``."""
        return self._http.request("GET", "/api/v1/billing/events", params={"skip": skip, "limit": limit}, model=m.BillingEvents)


class Admin(_Resource):
    """Operator endpoints: a logged-in user listed in the server's ADMIN_EMAILS (scope ``admin``)."""

    def mark_invoice_paid(self, invoice_id: int, *, reference: Optional[str] = None) -> m.InvoiceMarkedPaid:
        return self._http.request("POST", f"/api/v1/admin/invoices/{invoice_id}/mark-paid",
                                  json=_fields(reference=reference), model=m.InvoiceMarkedPaid)


# -- the automation API: envelopes unwrapped to their data ------------------------


class _Automation(_Resource):
    def _call(self, method: str, path: str, *, model: type = m.Model, **kw: Any) -> Any:
        return self._http.request(method, path, envelope=True, model=model, **kw)


class PipelineProjects(_Automation):
    def create(self, *, name: str, project_type: str = "video_generation", **fields: Any) -> m.Model:
        return self._call("POST", "/projects", json=_fields(name=name, project_type=project_type, **fields))

    def list(self, **params: Any) -> Any:
        return self._call("GET", "/projects", params=params)

    def get(self, project_id: int) -> m.Model:
        return self._call("GET", f"/projects/{project_id}")

    def update(self, project_id: int, **fields: Any) -> m.Model:
        return self._call("PUT", f"/projects/{project_id}", json=_fields(**fields))

    def delete(self, project_id: int) -> m.Model:
        return self._call("DELETE", f"/projects/{project_id}")

    def regenerate(self, project_id: int, **parameters: Any) -> m.Model:
        return self._call("POST", f"/projects/{project_id}/regenerate", json=_fields(**parameters))


class Tasks(_Automation):
    """What an AI worker uses: claim a task, keep its lease with heartbeats, complete or fail it."""

    def create(self, **fields: Any) -> m.Task:
        return self._call("POST", "/api/tasks", json=_fields(**fields), model=m.Task)

    def list(self, **params: Any) -> Any:
        return self._call("GET", "/api/tasks", params=params)

    def get(self, task_id: int) -> m.Task:
        return self._call("GET", f"/api/tasks/{task_id}", model=m.Task)

    def claim(self, *, task_types: List[str], worker_id: Optional[str] = None,
              lease_seconds: Optional[int] = None, platform: Optional[str] = None) -> Optional[m.ClaimedTask]:
        """The next task of these types with a lease, or None when there is nothing to do."""
        return self._call(
            "POST", "/api/tasks/claim",
            json=_fields(task_types=task_types, worker_id=worker_id, lease_seconds=lease_seconds, platform=platform),
            model=m.ClaimedTask,
        )

    def heartbeat(self, task_id: int, *, lease_token: str, lease_seconds: Optional[int] = None) -> m.Model:
        return self._call("POST", f"/api/tasks/{task_id}/heartbeat",
                          json=_fields(lease_token=lease_token, lease_seconds=lease_seconds))

    def update(self, task_id: int, **fields: Any) -> m.Task:
        return self._call("PATCH", f"/api/tasks/{task_id}", json=_fields(**fields), model=m.Task)

    def complete(self, task_id: int, *, lease_token: str, output: Optional[Dict[str, Any]] = None) -> m.Task:
        return self.update(task_id, status="completed", lease_token=lease_token, task_output=output or {})

    def fail(self, task_id: int, *, lease_token: str, error: str) -> m.Task:
        return self.update(task_id, status="failed", lease_token=lease_token, error_message=error)


class Assets(_Automation):
    def create(self, *, name: str, asset_type: str, **fields: Any) -> m.Asset:
        return self._call("POST", "/api/assets", json=_fields(name=name, asset_type=asset_type, **fields), model=m.Asset)

    def get(self, asset_id: int) -> m.Asset:
        return self._call("GET", f"/api/assets/{asset_id}", model=m.Asset)

    def list(self, **params: Any) -> Any:
        return self._call("GET", "/api/assets", params=params)

    def upload(self, asset_id: int, content: FileInput) -> m.Model:
        if isinstance(content, (bytes, bytearray)):
            data = bytes(content)
        else:
            with open(os.fspath(content), "rb") as f:
                data = f.read()
        return self._call("PUT", f"/api/assets/{asset_id}/content", content=bytes(data),
                          headers={"Content-Type": "application/octet-stream"})

    def download(self, asset_id: int) -> bytes:
        res = self._http.send("GET", f"/api/assets/{asset_id}/content", headers={"Accept": "*/*"})
        if res.status_code >= 400:
            raise error_from_response(res.status_code, res.headers, res.json() if res.content else None)
        return res.content


class Inspirations(_Automation):
    def create(self, *, title: str, **fields: Any) -> m.Inspiration:
        return self._call("POST", "/api/inspirations", json=_fields(title=title, **fields), model=m.Inspiration)

    def get(self, inspiration_id: int) -> m.Inspiration:
        return self._call("GET", f"/api/inspirations/{inspiration_id}", model=m.Inspiration)

    def list(self, **params: Any) -> Any:
        return self._call("GET", "/api/inspirations", params=params)

    def update(self, inspiration_id: int, **fields: Any) -> m.Inspiration:
        return self._call("PUT", f"/api/inspirations/{inspiration_id}", json=_fields(**fields), model=m.Inspiration)

    def approve(self, inspiration_id: int, **fields: Any) -> m.Inspiration:
        return self._call("POST", f"/api/inspirations/{inspiration_id}/approve", json=_fields(**fields), model=m.Inspiration)

    def reject(self, inspiration_id: int, **fields: Any) -> m.Inspiration:
        return self._call("POST", f"/api/inspirations/{inspiration_id}/reject", json=_fields(**fields), model=m.Inspiration)

    def regenerate(self, inspiration_id: int, **fields: Any) -> m.Inspiration:
        return self._call("POST", f"/api/inspirations/{inspiration_id}/regenerate", json=_fields(**fields), model=m.Inspiration)


class PlatformAccounts(_Automation):
    def create(self, *, platform: str, name: str, credentials: Dict[str, str], **fields: Any) -> m.PlatformAccount:
        return self._call("POST", "/api/platform-accounts",
                          json=_fields(platform=platform, name=name, credentials=credentials, **fields), model=m.PlatformAccount)

    def list(self, **params: Any) -> Any:
        return self._call("GET", "/api/platform-accounts", params=params)

    def get(self, account_id: int) -> m.PlatformAccount:
        return self._call("GET", f"/api/platform-accounts/{account_id}", model=m.PlatformAccount)

    def available(self, platform: str) -> Any:
        return self._call("GET", f"/api/platform-accounts/available/{platform}")

    def lease(self, account_id: int) -> m.Model:
        return self._call("POST", f"/api/platform-accounts/{account_id}/lease")


class WorkerConfigs(_Automation):
    def create(self, *, config_name: str, config_type: str, worker_type: str, **fields: Any) -> m.Model:
        return self._call("POST", "/api/worker-configs",
                          json=_fields(config_name=config_name, config_type=config_type, worker_type=worker_type, **fields))

    def list(self, **params: Any) -> Any:
        return self._call("GET", "/api/worker-configs", params=params)

    def get(self, config_id: int) -> m.Model:
        return self._call("GET", f"/api/worker-configs/{config_id}")


class Automation:
    def __init__(self, http: Transport) -> None:
        self.projects = PipelineProjects(http)
        self.tasks = Tasks(http)
        self.assets = Assets(http)
        self.inspirations = Inspirations(http)
        self.platform_accounts = PlatformAccounts(http)
        self.worker_configs = WorkerConfigs(http)
