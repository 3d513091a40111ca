from __future__ import annotations

from typing import Any


class Model(dict):
    """A JSON object from the API with attribute access: ``project.id`` is ``project["id"]``.

    Nested objects are Models too, lists of objects lists of Models; the dict stays the API's JSON.
    """

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(f"{type(self).__name__} has no field {name!r}") from None

    @classmethod
    def of(cls, value: Any) -> Any:
        """Wraps a decoded JSON value: dicts become ``cls`` (nested ones plain Models)."""
        if isinstance(value, dict):
            return cls({k: Model.of(v) for k, v in value.items()})
        if isinstance(value, list):
            return [Model.of(v) for v in value]
        return value
