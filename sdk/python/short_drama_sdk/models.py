"""Typed models of the Short Drama Studio API, generated from its OpenAPI document.

Do not edit: run `python3 sdk/python/scripts/generate_models.py` after `npm run sdk:generate`.
Every model is a dict with attribute access (``project.id`` and ``project["id"]`` both work).
"""
from __future__ import annotations

from typing import Any, Dict, List, Literal, Optional, Union

from ._model import Model


class ApiKey(Model):
    created_at: str
    expires_at: Optional[str]
    id: str
    last_used_at: Optional[str]
    name: str
    prefix: str
    scopes: List[Literal["studio", "automation", "worker", "webhooks"]]

class ApiKeyList(Model):
    items: List["ApiKey"]
    total: int

class ApproveInspirationRequest(Model):
    review_notes: Optional[str]
    score: Optional[float]

class Asset(Model):
    asset_metadata: Optional[Dict[str, Any]]
    asset_type: str
    content_type: Optional[str]
    created_at: str
    description: Optional[str]
    duration_seconds: Optional[float]
    id: int
    name: str
    size_bytes: Optional[int]
    source: Optional[str]
    status: str
    storage_path: Optional[str]
    updated_at: str
    visibility: str

class AssetEnvelope(Model):
    code: float
    data: "Asset"
    msg: str

class AssetListEnvelope(Model):
    code: float
    data: Optional[List["Asset"]]
    msg: str

class AssignWorkerConfigsRequest(Model):
    config_ids: List[int]
    override_data: Optional[Dict[str, Any]]

class AssignmentListEnvelope(Model):
    code: float
    data: Optional[List["TaskConfigAssignment"]]
    msg: str

class AutomationError(Model):
    code: int
    data: Optional[Dict[str, Any]]
    msg: str

class BatchCreateTasksRequest(Model):
    tasks: List["CreateTaskRequest"]

class BatchUpdateTasksRequest(Model):
    commit_ids: List[str]
    error_message: Optional[str]
    status: Optional[Literal["waiting", "pending", "processing", "completed", "failed", "cancelled"]]
    task_output: Optional[Dict[str, Any]]

class BillingEvents(Model):
    items: List[Dict[str, Any]]
    total: int

class Character(Model):
    consistency_model_id: Optional[str]
    created_at: str
    description: Optional[str]
    id: int
    image: Optional[Dict[str, Any]]
    image_url: Optional[str]
    name: str
    project_id: str
    source: Literal["upload", "generated"]
    updated_at: str

class CharacterList(Model):
    items: List["Character"]
    total: int

class ClaimEnvelope(Model):
    code: float
    data: "ClaimedTask"
    msg: str

class ClaimRequest(Model):
    lease_seconds: Optional[int]
    platform: Optional[Literal["dreamina", "midjourney", "runway", "openai", "openai_compatible", "workers_ai", "ark", "fal", "kling", "minimax", "vidu", "dashscope", "elevenlabs"]]
    task_types: List[str]
    worker_id: Optional[str]

class Task(Model):
    attempts: int
    commit_id: Optional[str]
    completed_at: Optional[str]
    created_at: str
    dependencies: List[int]
    error_message: Optional[str]
    id: int
    lease_expires_at: Optional[str]
    platform_account_id: Optional[int]
    priority: int
    project_id: int
    started_at: Optional[str]
    status: Literal["waiting", "pending", "processing", "completed", "failed", "cancelled"]
    task_output: Optional[Dict[str, Any]]
    task_type: str
    updated_at: str
    worker_id: Optional[str]

class ClaimedTask(Task):
    lease_token: str
    platform_account: Optional[Dict[str, Any]]

class ConsistencyModel(Model):
    character_id: int
    created_at: str
    model_id: str
    processing_time: float
    signature: Dict[str, Any]
    status: Literal["completed"]

class CreateApiKeyRequest(Model):
    expires_in_days: Optional[int]
    name: str
    scopes: Optional[List[Literal["studio", "automation", "worker", "webhooks"]]]

class CreateAssetRequest(Model):
    asset_metadata: Optional[Dict[str, Any]]
    asset_type: Literal["video", "image", "audio", "text"]
    description: Optional[str]
    duration_seconds: Optional[float]
    name: str
    source: Optional[str]
    status: Optional[str]
    storage_path: Optional[str]
    visibility: Optional[Literal["private", "public"]]

class CreateCharacterRequest(Model):
    description: Optional[str]
    image: str
    name: str
    project_id: str

class CreateInspirationRequest(Model):
    description: Optional[str]
    parameters: Optional[Dict[str, Any]]
    project_type_code: Optional[str]
    source: Optional[str]
    title: str

class CreatePipelineProjectRequest(Model):
    initial_parameters: Optional[Dict[str, Any]]
    inspiration_id: Optional[int]
    name: str
    project_type: str
    tasks: Optional[List["NewTask"]]

class CreatePlatformAccountRequest(Model):
    credentials: Dict[str, Any]
    daily_limit: Optional[int]
    name: str
    platform: Literal["dreamina", "midjourney", "runway", "openai", "openai_compatible", "workers_ai", "ark", "fal", "kling", "minimax", "vidu", "dashscope", "elevenlabs"]
    status: Optional[Literal["active", "inactive"]]

class CreateProjectRequest(Model):
    aspect_ratio: Optional[Literal["9:16", "16:9", "1:1", "4:3", "3:4"]]
    description: Optional[str]
    name: str
    script: Optional[str]

class CreateStoryboardRequest(Model):
    caption: Optional[str]
    character_ids: Optional[List[int]]
    description: str
    duration: Optional[float]
    project_id: str
    scene_number: Optional[int]

class CreateTaskRequest(Model):
    commit_id: Optional[str]
    dependencies: Optional[List[Union[int, str, Dict[str, Any]]]]
    error_message: Optional[str]
    platform_account_id: Optional[int]
    priority: Optional[int]
    project_id: int
    status: Optional[Literal["waiting", "pending", "processing", "completed", "failed"]]
    task_output: Optional[Dict[str, Any]]
    task_type: str

class CreateWorkerConfigRequest(Model):
    config_data: Optional[Dict[str, Any]]
    config_name: str
    config_type: str
    description: Optional[str]
    is_active: Optional[bool]
    priority: Optional[int]
    worker_type: str

class CreatedApiKey(ApiKey):
    key: str

class User(Model):
    created_at: str
    email: str
    id: int
    username: str

class CurrentUser(User):
    quota_remaining: float
    subscription_tier: Literal["free", "professional", "enterprise"]

class EstimateWorkflowRequest(Model):
    generator: Optional[Literal["builtin", "external"]]
    options: Optional[Dict[str, Any]]
    project_id: str
    workflow_type: Literal["full_production", "storyboard", "render"]

class Export(Model):
    completed_at: Optional[str]
    contact_sheet_url: Optional[str]
    cost: float
    created_at: str
    duration: Optional[float]
    error: Optional[str]
    estimated_completion: Optional[str]
    export_id: int
    file_size: Optional[int]
    format: Literal["mp4", "webm"]
    include_subtitles: bool
    poster_url: Optional[str]
    progress: float
    project_id: str
    resolution: Literal["720p", "1080p", "4k"]
    status: Literal["queued", "processing", "completed", "failed", "cancelled"]
    subtitle_url: Optional[str]
    video_url: Optional[str]
    vtt_url: Optional[str]
    workflow_id: Optional[int]

class ExportCancelled(Model):
    export_id: int
    message: str
    status: Literal["queued", "processing", "completed", "failed", "cancelled"]

class ExportEstimate(Model):
    estimated_cost: float
    estimated_duration: float
    project_id: str
    sufficient_quota: bool
    user_quota_remaining: float
    video_length: float

class ExportEstimateRequest(Model):
    format: Optional[Literal["mp4", "webm"]]
    project_id: str
    resolution: Optional[Literal["720p", "1080p", "4k"]]

class ExportHistory(Model):
    items: List[Dict[str, Any]]
    total: int

class ExportRequest(Model):
    format: Optional[Literal["mp4", "webm"]]
    include_subtitles: Optional[bool]
    music_asset_id: Optional[int]
    project_id: str
    resolution: Optional[Literal["720p", "1080p", "4k"]]

class ExportStarted(Model):
    created_at: str
    estimated_completion: Optional[str]
    estimated_cost: float
    export_id: int
    progress: float
    project_id: str
    status: Literal["queued", "processing", "completed", "failed", "cancelled"]
    workflow_id: Optional[int]

class GenerateStoryboardRequest(Model):
    style: Optional[Literal["anime", "realistic", "cinematic", "watercolor", "comic"]]

class Health(Model):
    checks: Dict[str, Any]
    status: Literal["ok", "degraded"]
    time: str
    version: str

class HeartbeatRequest(Model):
    lease_seconds: Optional[int]
    lease_token: str

class ImageUpload(Model):
    image: str

class Inspiration(Model):
    created_at: str
    description: Optional[str]
    id: int
    last_error: Optional[str]
    parameters: Optional[Dict[str, Any]]
    project_type_code: Optional[str]
    review_notes: Optional[str]
    score: Optional[float]
    score_details: Optional[Dict[str, Any]]
    source: Optional[str]
    status: Literal["draft", "generating", "pending_review", "approved", "rejected", "failed"]
    title: str
    updated_at: str

class InspirationEnvelope(Model):
    code: float
    data: "Inspiration"
    msg: str

class InspirationListEnvelope(Model):
    code: float
    data: Optional[List["Inspiration"]]
    msg: str

class InspirationWebhook(Model):
    data: Optional[Dict[str, Any]]
    executionId: str
    status: Literal["success", "failed"]

class Invoice(Model):
    amount: float
    currency: str
    details: Dict[str, Any]
    due_at: Optional[str]
    export_credits_used: float
    hosted_invoice_url: Optional[str]
    invoice_id: int
    issued_at: str
    kind: Literal["period", "proration"]
    paid_at: Optional[str]
    paid_via: Optional[str]
    pay_url: Optional[str]
    period: str
    period_end: str
    period_start: str
    status: Literal["open", "paid", "void", "uncollectible"]
    storage_amount: float
    subscription_amount: float
    voided_at: Optional[str]

class InvoiceMarkedPaid(Model):
    changed: bool
    invoice: "Invoice"
    user_id: int

class Invoices(Model):
    items: List["Invoice"]
    total: int

class LoginForm(Model):
    client_id: Optional[str]
    client_secret: Optional[str]
    grant_type: Optional[Literal["password"]]
    password: str
    scope: Optional[str]
    username: str

class LoginJson(Model):
    email: Optional[str]
    password: str
    username: Optional[str]

class MarkInvoicePaid(Model):
    reference: Optional[str]

class Message(Model):
    message: str

class MessageEnvelope(Model):
    code: float
    data: Optional[Dict[str, Any]]
    msg: str

class NewTask(Model):
    commit_id: Optional[str]
    dependencies: Optional[List[Union[int, str, Dict[str, Any]]]]
    error_message: Optional[str]
    platform_account_id: Optional[int]
    priority: Optional[int]
    status: Optional[Literal["waiting", "pending", "processing", "completed", "failed"]]
    task_output: Optional[Dict[str, Any]]
    task_type: str

class PipelineProject(Model):
    completed_tasks: int
    created_at: str
    failed_tasks: int
    id: int
    initial_parameters: Optional[Dict[str, Any]]
    inspiration_id: Optional[int]
    name: str
    output_asset_id: Optional[int]
    project_type: str
    review_notes: Optional[str]
    score: Optional[float]
    score_details: Optional[Dict[str, Any]]
    status: Literal["pending", "processing", "completed", "failed"]
    total_tasks: int
    updated_at: str
    used_execution_workflow_id: Optional[str]
    used_transform_workflow_id: Optional[str]

class PipelineProjectDetail(PipelineProject):
    tasks: List["Task"]

class PipelineProjectEnvelope(Model):
    code: float
    data: "PipelineProjectDetail"
    msg: str

class PipelineProjectListEnvelope(Model):
    code: float
    data: Optional[List["PipelineProject"]]
    msg: str

class PlatformAccount(Model):
    created_at: str
    credentials: Dict[str, Any]
    daily_limit: int
    id: int
    is_available: bool
    last_used_at: Optional[str]
    name: str
    platform: str
    remaining_quota: int
    status: str
    updated_at: str
    used_today: int

class PlatformAccountEnvelope(Model):
    code: float
    data: "PlatformAccount"
    msg: str

class PlatformAccountLease(PlatformAccount):
    credentials: Optional[Dict[str, Any]]
    resets_in_seconds: int

class PlatformAccountLeaseEnvelope(Model):
    code: float
    data: "PlatformAccountLease"
    msg: str

class PlatformAccountListEnvelope(Model):
    code: float
    data: Optional[List["PlatformAccount"]]
    msg: str

class PlatformListEnvelope(Model):
    code: float
    data: Optional[List[str]]
    msg: str

class ProgressFrame(Model):
    """A live-progress frame (WebSocket message or SSE event). A `snapshot` also carries `workflow`: the body of GET /api/v1/workflows/{id}, with its steps and item counts."""

    current_step: Optional[str]
    error: Optional[str]
    eta_seconds: Optional[float]
    export_id: Optional[int]
    export_progress: Optional[float]
    items: Optional[Dict[str, Any]]
    message: Optional[str]
    progress: float
    seq: int
    stage: Optional[str]
    status: str
    step: Optional[str]
    timestamp: str
    type: Literal["snapshot", "progress_update", "step_started", "step_completed", "step_failed", "workflow_completed", "workflow_failed", "workflow_paused", "workflow_resumed", "workflow_cancelled", "export_progress"]
    workflow_id: int

class Project(Model):
    aspect_ratio: Literal["9:16", "16:9", "1:1", "4:3", "3:4"]
    created_at: str
    description: Optional[str]
    id: str
    name: str
    status: Literal["draft", "in_progress", "completed"]
    updated_at: str

class ProjectCreationWebhook(Model):
    executionId: str
    project: Optional[Dict[str, Any]]
    status: Literal["success", "failed"]
    tasks: Optional[List["NewTask"]]

class ProjectWithScript(Project):
    script: Optional[str]

class ProjectDetail(ProjectWithScript):
    characters: List[Dict[str, Any]]
    storyboards: List[Dict[str, Any]]

class ProjectExecutionWebhook(Model):
    executionId: str
    project_updates: Optional[Dict[str, Any]]
    status: Literal["success", "failed"]
    task_updates: Optional[List[Dict[str, Any]]]

class ProjectList(Model):
    items: List["Project"]
    total: int

class ProviderList(Model):
    builtin: Dict[str, Any]
    items: List[Dict[str, Any]]

class RefreshRequest(Model):
    refresh_token: str

class RegenerateInspirationRequest(Model):
    parameter_overrides: Optional[Dict[str, Any]]

class RegenerateProjectEnvelope(Model):
    code: float
    data: "RegenerateProjectResult"
    msg: str

class RegenerateProjectRequest(Model):
    """Parameters handed to the project-execution flow"""


class RegenerateProjectResult(Model):
    execution_id: str
    message: str
    project_id: int
    triggered: bool

class RegisterRequest(Model):
    email: str
    password: str
    username: str

class RejectInspirationRequest(Model):
    review_notes: Optional[str]

class ReorderStoryboardsRequest(Model):
    order: List[int]
    project_id: str

class ResetUsageRequest(Model):
    used_today: Optional[int]

class StartWorkflowRequest(Model):
    generator: Optional[Literal["builtin", "external"]]
    options: Optional[Dict[str, Any]]
    project_id: str
    quote_id: Optional[str]
    workflow_type: Literal["full_production", "storyboard", "render"]

class StepProvider(Model):
    model: Optional[str]
    platform: str
    source: Literal["options", "generation_config", "workers_ai_binding", "builtin", "generator"]

class Storyboard(Model):
    caption: Optional[str]
    character_ids: List[int]
    consistency_score: Optional[float]
    created_at: str
    description: str
    duration: float
    error: Optional[str]
    id: int
    image_source: Optional[str]
    image_url: Optional[str]
    project_id: str
    scene_number: int
    status: Literal["pending", "generating", "completed", "failed"]
    style: Optional[str]
    updated_at: str

class StoryboardGeneration(Model):
    consistency_score: Optional[float]
    image_url: str
    processing_time: float
    status: Literal["completed"]
    storyboard_id: int
    style: Literal["anime", "realistic", "cinematic", "watercolor", "comic"]

class StoryboardImageUpload(Model):
    image: str

class StoryboardList(Model):
    items: List["Storyboard"]
    total: int

class StoryboardTakes(Model):
    items: List[Dict[str, Any]]
    storyboard_id: int

class StripeWebhookAnswer(Model):
    event_id: str
    invoice_id: Optional[int]
    outcome: Literal["applied", "ignored", "unknown_invoice", "duplicate"]
    received: bool

class StudioError(Model):
    detail: str
    error_code: str
    errors: Optional[List[Dict[str, Any]]]
    request_id: Optional[str]
    retry_after: Optional[int]
    timestamp: str

class Subscription(Model):
    billing_cycle: Literal["monthly", "yearly"]
    billing_period_start: str
    created_at: str
    downgrade_at: Optional[str]
    next_billing_date: str
    past_due_since: Optional[str]
    price: float
    quota_period_start: str
    quota_remaining: float
    quota_resets_at: str
    quota_total: float
    quota_used: float
    restores_to: Optional[str]
    status: Literal["active", "past_due"]
    subscription_id: int
    tier: Literal["free", "professional", "enterprise"]
    user_id: int

class SubscriptionUpgrade(Model):
    billing_cycle: Optional[Literal["monthly", "yearly"]]
    tier: Literal["free", "professional", "enterprise"]

class SubscriptionUpgraded(Model):
    billing_cycle: Literal["monthly", "yearly"]
    message: str
    next_billing_date: str
    quota_remaining: float
    quota_total: float
    status: str
    subscription_id: int
    tier: Literal["free", "professional", "enterprise"]

class TaskConfigAssignment(Model):
    config_id: int
    created_at: str
    id: int
    override_data: Optional[Dict[str, Any]]
    task_id: int

class TaskConfigs(Model):
    configs: List[Dict[str, Any]]
    task_id: int

class TaskConfigsEnvelope(Model):
    code: float
    data: "TaskConfigs"
    msg: str

class TaskEnvelope(Model):
    code: float
    data: "Task"
    msg: str

class TaskListEnvelope(Model):
    code: float
    data: Optional[List["Task"]]
    msg: str

class TaskUpdateWebhook(Model):
    commit_id: Optional[str]
    error_message: Optional[str]
    status: Literal["completed", "failed", "processing"]
    task_output: Optional[Dict[str, Any]]

class TokenPair(Model):
    access_token: str
    expires_in: int
    refresh_token: str
    token_type: Literal["bearer"]

class UpdateAssetRequest(Model):
    asset_metadata: Optional[Dict[str, Any]]
    asset_type: Optional[Literal["video", "image", "audio", "text"]]
    description: Optional[str]
    duration_seconds: Optional[float]
    name: Optional[str]
    source: Optional[str]
    status: Optional[str]
    storage_path: Optional[str]
    visibility: Optional[Literal["private", "public"]]

class UpdateCharacterRequest(Model):
    description: Optional[str]
    name: Optional[str]

class UpdateInspirationRequest(Model):
    description: Optional[str]
    parameters: Optional[Dict[str, Any]]
    project_type_code: Optional[str]
    review_notes: Optional[str]
    score: Optional[float]
    score_details: Optional[Dict[str, Any]]
    source: Optional[str]
    status: Optional[Literal["draft", "generating", "pending_review", "approved", "rejected", "failed"]]
    title: Optional[str]

class UpdatePipelineProjectRequest(Model):
    initial_parameters: Optional[Dict[str, Any]]
    inspiration_id: Optional[int]
    name: Optional[str]
    review_notes: Optional[str]
    score: Optional[float]
    score_details: Optional[Dict[str, Any]]
    status: Optional[Literal["pending", "processing", "completed", "failed"]]

class UpdatePlatformAccountRequest(Model):
    credentials: Optional[Dict[str, Any]]
    daily_limit: Optional[int]
    name: Optional[str]
    platform: Optional[Literal["dreamina", "midjourney", "runway", "openai", "openai_compatible", "workers_ai", "ark", "fal", "kling", "minimax", "vidu", "dashscope", "elevenlabs"]]
    status: Optional[Literal["active", "inactive"]]

class UpdateProjectRequest(Model):
    aspect_ratio: Optional[Literal["9:16", "16:9", "1:1", "4:3", "3:4"]]
    description: Optional[str]
    name: Optional[str]
    script: Optional[str]

class UpdateStoryboardRequest(Model):
    caption: Optional[str]
    character_ids: Optional[List[int]]
    description: Optional[str]
    duration: Optional[float]
    scene_number: Optional[int]

class UpdateTaskByCommitRequest(Model):
    commit_id: str
    error_message: Optional[str]
    lease_token: Optional[str]
    status: Optional[Literal["waiting", "pending", "processing", "completed", "failed", "cancelled"]]
    task_output: Optional[Dict[str, Any]]

class UpdateTaskRequest(Model):
    error_message: Optional[str]
    lease_token: Optional[str]
    status: Optional[Literal["waiting", "pending", "processing", "completed", "failed", "cancelled"]]
    task_output: Optional[Dict[str, Any]]

class UpdateWorkerConfigRequest(Model):
    config_data: Optional[Dict[str, Any]]
    config_name: Optional[str]
    config_type: Optional[str]
    description: Optional[str]
    is_active: Optional[bool]
    priority: Optional[int]
    worker_type: Optional[str]

class Usage(Model):
    costs: Dict[str, Any]
    period: Dict[str, Any]
    usage: Dict[str, Any]
    user_id: int

class WebhookResult(Model):
    message: str

class WebhookResultEnvelope(Model):
    code: float
    data: "WebhookResult"
    msg: str

class WorkerConfig(Model):
    config_data: Dict[str, Any]
    config_name: str
    config_type: str
    created_at: str
    description: Optional[str]
    id: int
    is_active: bool
    priority: int
    updated_at: str
    worker_type: str

class WorkerConfigEnvelope(Model):
    code: float
    data: "WorkerConfig"
    msg: str

class WorkerConfigListEnvelope(Model):
    code: float
    data: Optional[List["WorkerConfig"]]
    msg: str

class WorkflowControlResult(Model):
    id: int
    message: str
    status: Literal["running", "paused", "completed", "failed", "cancelled"]

class WorkflowDetail(Model):
    completed_at: Optional[str]
    created_at: str
    credits: Dict[str, Any]
    current_step: Optional[str]
    error: Optional[str]
    generator: Literal["builtin", "external"]
    id: int
    last_seq: int
    progress: float
    project_id: str
    status: Literal["running", "paused", "completed", "failed", "cancelled"]
    steps: List[Dict[str, Any]]
    updated_at: str
    workflow_type: Literal["full_production", "storyboard", "render"]

class WorkflowList(Model):
    items: List["WorkflowSummary"]
    total: int

class WorkflowQuote(Model):
    currency: Literal["credits"]
    export: float
    generation: float
    lines: List[Dict[str, Any]]
    quote_id: str
    total: float

class WorkflowSummary(Model):
    created_at: str
    current_step: Optional[str]
    error: Optional[str]
    generator: Literal["builtin", "external"]
    id: int
    progress: float
    project_id: str
    status: Literal["running", "paused", "completed", "failed", "cancelled"]
    updated_at: str
    workflow_type: Literal["full_production", "storyboard", "render"]


__all__ = [
    "ApiKey",
    "ApiKeyList",
    "ApproveInspirationRequest",
    "Asset",
    "AssetEnvelope",
    "AssetListEnvelope",
    "AssignWorkerConfigsRequest",
    "AssignmentListEnvelope",
    "AutomationError",
    "BatchCreateTasksRequest",
    "BatchUpdateTasksRequest",
    "BillingEvents",
    "Character",
    "CharacterList",
    "ClaimEnvelope",
    "ClaimRequest",
    "ClaimedTask",
    "ConsistencyModel",
    "CreateApiKeyRequest",
    "CreateAssetRequest",
    "CreateCharacterRequest",
    "CreateInspirationRequest",
    "CreatePipelineProjectRequest",
    "CreatePlatformAccountRequest",
    "CreateProjectRequest",
    "CreateStoryboardRequest",
    "CreateTaskRequest",
    "CreateWorkerConfigRequest",
    "CreatedApiKey",
    "CurrentUser",
    "EstimateWorkflowRequest",
    "Export",
    "ExportCancelled",
    "ExportEstimate",
    "ExportEstimateRequest",
    "ExportHistory",
    "ExportRequest",
    "ExportStarted",
    "GenerateStoryboardRequest",
    "Health",
    "HeartbeatRequest",
    "ImageUpload",
    "Inspiration",
    "InspirationEnvelope",
    "InspirationListEnvelope",
    "InspirationWebhook",
    "Invoice",
    "InvoiceMarkedPaid",
    "Invoices",
    "LoginForm",
    "LoginJson",
    "MarkInvoicePaid",
    "Message",
    "MessageEnvelope",
    "NewTask",
    "PipelineProject",
    "PipelineProjectDetail",
    "PipelineProjectEnvelope",
    "PipelineProjectListEnvelope",
    "PlatformAccount",
    "PlatformAccountEnvelope",
    "PlatformAccountLease",
    "PlatformAccountLeaseEnvelope",
    "PlatformAccountListEnvelope",
    "PlatformListEnvelope",
    "ProgressFrame",
    "Project",
    "ProjectCreationWebhook",
    "ProjectDetail",
    "ProjectExecutionWebhook",
    "ProjectList",
    "ProjectWithScript",
    "ProviderList",
    "RefreshRequest",
    "RegenerateInspirationRequest",
    "RegenerateProjectEnvelope",
    "RegenerateProjectRequest",
    "RegenerateProjectResult",
    "RegisterRequest",
    "RejectInspirationRequest",
    "ReorderStoryboardsRequest",
    "ResetUsageRequest",
    "StartWorkflowRequest",
    "StepProvider",
    "Storyboard",
    "StoryboardGeneration",
    "StoryboardImageUpload",
    "StoryboardList",
    "StoryboardTakes",
    "StripeWebhookAnswer",
    "StudioError",
    "Subscription",
    "SubscriptionUpgrade",
    "SubscriptionUpgraded",
    "Task",
    "TaskConfigAssignment",
    "TaskConfigs",
    "TaskConfigsEnvelope",
    "TaskEnvelope",
    "TaskListEnvelope",
    "TaskUpdateWebhook",
    "TokenPair",
    "UpdateAssetRequest",
    "UpdateCharacterRequest",
    "UpdateInspirationRequest",
    "UpdatePipelineProjectRequest",
    "UpdatePlatformAccountRequest",
    "UpdateProjectRequest",
    "UpdateStoryboardRequest",
    "UpdateTaskByCommitRequest",
    "UpdateTaskRequest",
    "UpdateWorkerConfigRequest",
    "Usage",
    "User",
    "WebhookResult",
    "WebhookResultEnvelope",
    "WorkerConfig",
    "WorkerConfigEnvelope",
    "WorkerConfigListEnvelope",
    "WorkflowControlResult",
    "WorkflowDetail",
    "WorkflowList",
    "WorkflowQuote",
    "WorkflowSummary",
]
