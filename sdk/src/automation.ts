import { call, type Id } from "./automation-call";
import { snakeKeys } from "./case";
import type { FileInput } from "./files";
import { toBlob } from "./files";
import type { Transport } from "./http";
import type { BodyOf, DataOf, Input, QueryOf } from "./types";

/** Pipeline projects (`/projects`): task graphs for external workers and n8n. */
export class PipelineProjects {
  constructor(private readonly http: Transport) {}
  create(body: Input<BodyOf<"/projects", "post">>) {
    return call<DataOf<"/projects", "post">>(this.http, "POST", "/projects", snakeKeys(body));
  }
  list(query: Input<QueryOf<"/projects", "get">> = {}) {
    return call<DataOf<"/projects", "get">>(this.http, "GET", "/projects", undefined, snakeKeys(query));
  }
  get(id: Id) {
    return call<DataOf<"/projects/{project_id}", "get">>(this.http, "GET", `/projects/${id}`);
  }
  update(id: Id, body: Input<BodyOf<"/projects/{project_id}", "put">>) {
    return call<DataOf<"/projects/{project_id}", "put">>(
      this.http,
      "PUT",
      `/projects/${id}`,
      snakeKeys(body),
    );
  }
  delete(id: Id) {
    return call<DataOf<"/projects/{project_id}", "delete">>(this.http, "DELETE", `/projects/${id}`);
  }
  regenerate(id: Id, body: Input<BodyOf<"/projects/{project_id}/regenerate", "post">> = {}) {
    return call<DataOf<"/projects/{project_id}/regenerate", "post">>(
      this.http,
      "POST",
      `/projects/${id}/regenerate`,
      snakeKeys(body),
    );
  }
  recalculateTasks(id: Id) {
    return call<DataOf<"/projects/{project_id}/recalculate-tasks", "post">>(
      this.http,
      "POST",
      `/projects/${id}/recalculate-tasks`,
    );
  }
}

export type ClaimedTask = NonNullable<DataOf<"/api/tasks/claim", "post">>;

/** Tasks: what an AI worker claims, heartbeats and completes. */
export class Tasks {
  constructor(private readonly http: Transport) {}
  create(body: Input<BodyOf<"/api/tasks", "post">>) {
    return call<DataOf<"/api/tasks", "post">>(this.http, "POST", "/api/tasks", snakeKeys(body));
  }
  batchCreate(body: Input<BodyOf<"/api/tasks/batch", "post">>) {
    return call<DataOf<"/api/tasks/batch", "post">>(this.http, "POST", "/api/tasks/batch", snakeKeys(body));
  }
  list(query: Input<QueryOf<"/api/tasks", "get">> = {}) {
    return call<DataOf<"/api/tasks", "get">>(this.http, "GET", "/api/tasks", undefined, snakeKeys(query));
  }
  get(id: Id) {
    return call<DataOf<"/api/tasks/{task_id}", "get">>(this.http, "GET", `/api/tasks/${id}`);
  }
  /** The next task of these types with a lease, or null when there is none. */
  claim(body: Input<BodyOf<"/api/tasks/claim", "post">>): Promise<ClaimedTask | null> {
    return call<ClaimedTask | null>(this.http, "POST", "/api/tasks/claim", snakeKeys(body));
  }
  heartbeat(id: Id, body: Input<BodyOf<"/api/tasks/{task_id}/heartbeat", "post">>) {
    return call<DataOf<"/api/tasks/{task_id}/heartbeat", "post">>(
      this.http,
      "POST",
      `/api/tasks/${id}/heartbeat`,
      snakeKeys(body),
    );
  }
  update(id: Id, body: Input<BodyOf<"/api/tasks/{task_id}", "patch">>) {
    return call<DataOf<"/api/tasks/{task_id}", "patch">>(
      this.http,
      "PATCH",
      `/api/tasks/${id}`,
      snakeKeys(body),
    );
  }
  /** Completes a claimed task with its output (`asset_id` links a generated asset). */
  complete(id: Id, leaseToken: string, output: Record<string, unknown> = {}) {
    return this.update(id, { status: "completed", lease_token: leaseToken, task_output: output });
  }
  fail(id: Id, leaseToken: string, error: string) {
    return this.update(id, { status: "failed", lease_token: leaseToken, error_message: error });
  }
  batchUpdate(body: Input<BodyOf<"/api/tasks/batch-update", "patch">>) {
    return call<DataOf<"/api/tasks/batch-update", "patch">>(
      this.http,
      "PATCH",
      "/api/tasks/batch-update",
      snakeKeys(body),
    );
  }
  updateByCommitId(body: Input<BodyOf<"/api/tasks/update-by-commit-id", "patch">>) {
    return call<DataOf<"/api/tasks/update-by-commit-id", "patch">>(
      this.http,
      "PATCH",
      "/api/tasks/update-by-commit-id",
      snakeKeys(body),
    );
  }
}

export class Assets {
  constructor(private readonly http: Transport) {}
  create(body: Input<BodyOf<"/api/assets", "post">>) {
    return call<DataOf<"/api/assets", "post">>(this.http, "POST", "/api/assets", snakeKeys(body));
  }
  list(query: Input<QueryOf<"/api/assets", "get">> = {}) {
    return call<DataOf<"/api/assets", "get">>(this.http, "GET", "/api/assets", undefined, snakeKeys(query));
  }
  byType(assetType: string) {
    return call<DataOf<"/api/assets/by-type/{asset_type}", "get">>(
      this.http,
      "GET",
      `/api/assets/by-type/${encodeURIComponent(assetType)}`,
    );
  }
  get(id: Id) {
    return call<DataOf<"/api/assets/{asset_id}", "get">>(this.http, "GET", `/api/assets/${id}`);
  }
  update(id: Id, body: Input<BodyOf<"/api/assets/{asset_id}", "put">>) {
    return call<DataOf<"/api/assets/{asset_id}", "put">>(
      this.http,
      "PUT",
      `/api/assets/${id}`,
      snakeKeys(body),
    );
  }
  delete(id: Id) {
    return call<DataOf<"/api/assets/{asset_id}", "delete">>(this.http, "DELETE", `/api/assets/${id}`);
  }
  /** Uploads the asset's bytes (a worker's generated image, video or audio). */
  async upload(id: Id, content: FileInput) {
    const { blob } = await toBlob(content, "asset");
    return this.http.request<DataOf<"/api/assets/{asset_id}/content", "put">>(
      "PUT",
      `/api/assets/${id}/content`,
      {
        body: blob,
        headers: { "Content-Type": "application/octet-stream" },
        envelope: true,
      },
    );
  }
  /** The asset's bytes. */
  async download(id: Id): Promise<Uint8Array> {
    const res = await this.http.raw("GET", `/api/assets/${id}/content`, { headers: { Accept: "*/*" } });
    if (!res.ok) await this.http.request("GET", `/api/assets/${id}/content`, { envelope: true });
    return new Uint8Array(await res.arrayBuffer());
  }
}

export class Inspirations {
  constructor(private readonly http: Transport) {}
  create(body: Input<BodyOf<"/api/inspirations", "post">>) {
    return call<DataOf<"/api/inspirations", "post">>(this.http, "POST", "/api/inspirations", snakeKeys(body));
  }
  list(query: Input<QueryOf<"/api/inspirations", "get">> = {}) {
    return call<DataOf<"/api/inspirations", "get">>(
      this.http,
      "GET",
      "/api/inspirations",
      undefined,
      snakeKeys(query),
    );
  }
  get(id: Id) {
    return call<DataOf<"/api/inspirations/{inspiration_id}", "get">>(
      this.http,
      "GET",
      `/api/inspirations/${id}`,
    );
  }
  update(id: Id, body: Input<BodyOf<"/api/inspirations/{inspiration_id}", "put">>) {
    return call<DataOf<"/api/inspirations/{inspiration_id}", "put">>(
      this.http,
      "PUT",
      `/api/inspirations/${id}`,
      snakeKeys(body),
    );
  }
  delete(id: Id) {
    return call<DataOf<"/api/inspirations/{inspiration_id}", "delete">>(
      this.http,
      "DELETE",
      `/api/inspirations/${id}`,
    );
  }
  approve(id: Id) {
    return call<DataOf<"/api/inspirations/{inspiration_id}/approve", "post">>(
      this.http,
      "POST",
      `/api/inspirations/${id}/approve`,
      {},
    );
  }
  reject(id: Id) {
    return call<DataOf<"/api/inspirations/{inspiration_id}/reject", "post">>(
      this.http,
      "POST",
      `/api/inspirations/${id}/reject`,
      {},
    );
  }
  regenerate(id: Id, body: Input<BodyOf<"/api/inspirations/{inspiration_id}/regenerate", "post">> = {}) {
    return call<DataOf<"/api/inspirations/{inspiration_id}/regenerate", "post">>(
      this.http,
      "POST",
      `/api/inspirations/${id}/regenerate`,
      snakeKeys(body),
    );
  }
}

export class PlatformAccounts {
  constructor(private readonly http: Transport) {}
  create(body: Input<BodyOf<"/api/platform-accounts", "post">>) {
    return call<DataOf<"/api/platform-accounts", "post">>(
      this.http,
      "POST",
      "/api/platform-accounts",
      snakeKeys(body),
    );
  }
  list(query: Input<QueryOf<"/api/platform-accounts", "get">> = {}) {
    return call<DataOf<"/api/platform-accounts", "get">>(
      this.http,
      "GET",
      "/api/platform-accounts",
      undefined,
      snakeKeys(query),
    );
  }
  get(id: Id) {
    return call<DataOf<"/api/platform-accounts/{account_id}", "get">>(
      this.http,
      "GET",
      `/api/platform-accounts/${id}`,
    );
  }
  update(id: Id, body: Input<BodyOf<"/api/platform-accounts/{account_id}", "put">>) {
    return call<DataOf<"/api/platform-accounts/{account_id}", "put">>(
      this.http,
      "PUT",
      `/api/platform-accounts/${id}`,
      snakeKeys(body),
    );
  }
  delete(id: Id) {
    return call<DataOf<"/api/platform-accounts/{account_id}", "delete">>(
      this.http,
      "DELETE",
      `/api/platform-accounts/${id}`,
    );
  }
  available(platform: string) {
    return call<DataOf<"/api/platform-accounts/available/{platform}", "get">>(
      this.http,
      "GET",
      `/api/platform-accounts/available/${encodeURIComponent(platform)}`,
    );
  }
  platforms() {
    return call<DataOf<"/api/platform-accounts/platforms/list", "get">>(
      this.http,
      "GET",
      "/api/platform-accounts/platforms/list",
    );
  }
  resetUsage(id: Id, body: Input<BodyOf<"/api/platform-accounts/{account_id}/reset-usage", "post">>) {
    return call<DataOf<"/api/platform-accounts/{account_id}/reset-usage", "post">>(
      this.http,
      "POST",
      `/api/platform-accounts/${id}/reset-usage`,
      snakeKeys(body),
    );
  }
  lease(id: Id) {
    return call<DataOf<"/api/platform-accounts/{account_id}/lease", "post">>(
      this.http,
      "POST",
      `/api/platform-accounts/${id}/lease`,
    );
  }
}
