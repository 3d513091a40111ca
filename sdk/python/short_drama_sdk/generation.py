"""AI generation: providers, a workflow's quote before it runs, a storyboard's takes."""

from __future__ import annotations

from typing import Any, Dict, Optional

from . import models as m
from .resources import _fields, _Resource


class Generation(_Resource):
    """`client.generation`. The provider a step uses goes in a workflow's options.image / options.llm;
    `client.workflows.get(id).steps[i].provider` names it."""

    def providers(self) -> m.ProviderList:
        return self._http.request("GET", "/api/v1/providers", model=m.ProviderList)

    def estimate(self, *, project_id: str, workflow_type: str, generator: Optional[str] = None,
                 options: Optional[Dict[str, Any]] = None) -> m.WorkflowQuote:
        """The quote of a start with the same body; pass its quote_id to workflows.start."""
        return self._http.request(
            "POST", "/api/v1/workflows/estimate",
            json=_fields(project_id=project_id, workflow_type=workflow_type, generator=generator, options=options),
            model=m.WorkflowQuote,
        )

    def takes(self, storyboard_id: int) -> m.StoryboardTakes:
        return self._http.request("GET", f"/api/v1/storyboards/{storyboard_id}/takes", model=m.StoryboardTakes)

    def select_take(self, storyboard_id: int, take_id: int) -> m.StoryboardTakes:
        return self._http.request("POST", f"/api/v1/storyboards/{storyboard_id}/takes/{take_id}/select", json={},
                                  model=m.StoryboardTakes)
