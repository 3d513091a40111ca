"""Python client for the Short Drama Studio API (studio and automation surfaces)."""
from . import models
from ._model import Model
from .client import Client
from .errors import (
    APIConnectionError,
    AuthenticationError,
    ConflictError,
    NotFoundError,
    PaymentRequiredError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    ShortDramaError,
    ValidationError,
)
from .watch import WorkflowWatch

__version__ = "0.1.0"
__all__ = [
    "APIConnectionError",
    "AuthenticationError",
    "Client",
    "ConflictError",
    "Model",
    "NotFoundError",
    "PaymentRequiredError",
    "PermissionDeniedError",
    "RateLimitError",
    "ServerError",
    "ShortDramaError",
    "ValidationError",
    "WorkflowWatch",
    "models",
]
