import { call, type Id } from "./automation-call";
import { snakeKeys } from "./case";
import type { Transport } from "./http";
import type { BodyOf, DataOf, Input, QueryOf } from "./types";

/** Worker configs and the n8n webhooks of the automation API (the rest is in automation.ts). */
export class WorkerConfigs {
  constructor(private readonly http: Transport) {}
  create(body: Input<BodyOf<"/api/worker-configs", "post">>) {
    return call<DataOf<"/api/worker-configs", "post">>(
      this.http,
      "POST",
      "/api/worker-configs",
      snakeKeys(body),
    );
  }
  list(query: Input<QueryOf<"/api/worker-configs", "get">> = {}) {
    return call<DataOf<"/api/worker-configs", "get">>(
      this.http,
      "GET",
      "/api/worker-configs",
      undefined,
      snakeKeys(query),
    );
  }
  get(id: Id) {
    return call<DataOf<"/api/worker-configs/{config_id}", "get">>(
      this.http,
      "GET",
      `/api/worker-configs/${id}`,
    );
  }
  update(id: Id, body: Input<BodyOf<"/api/worker-configs/{config_id}", "put">>) {
    return call<DataOf<"/api/worker-configs/{config_id}", "put">>(
      this.http,
      "PUT",
      `/api/worker-configs/${id}`,
      snakeKeys(body),
    );
  }
  delete(id: Id) {
    return call<DataOf<"/api/worker-configs/{config_id}", "delete">>(
      this.http,
      "DELETE",
      `/api/worker-configs/${id}`,
    );
  }
  assign(taskId: Id, body: Input<BodyOf<"/api/worker-configs/tasks/{task_id}/assign", "post">>) {
    return call<DataOf<"/api/worker-configs/tasks/{task_id}/assign", "post">>(
      this.http,
      "POST",
      `/api/worker-configs/tasks/${taskId}/assign`,
      snakeKeys(body),
    );
  }
  forTask(taskId: Id) {
    return call<DataOf<"/api/worker-configs/tasks/{task_id}/configs", "get">>(
      this.http,
      "GET",
      `/api/worker-configs/tasks/${taskId}/configs`,
    );
  }
}

/** The n8n callbacks (for tests and custom integrations; n8n itself calls them over HTTP). */
export class Webhooks {
  constructor(private readonly http: Transport) {}
  inspiration(id: Id, body: BodyOf<"/api/webhooks/n8n/inspiration/{inspiration_id}", "post">) {
    return call<DataOf<"/api/webhooks/n8n/inspiration/{inspiration_id}", "post">>(
      this.http,
      "POST",
      `/api/webhooks/n8n/inspiration/${id}`,
      body,
    );
  }
  projectCreation(id: Id, body: BodyOf<"/api/webhooks/n8n/project_creation/{inspiration_id}", "post">) {
    return call<DataOf<"/api/webhooks/n8n/project_creation/{inspiration_id}", "post">>(
      this.http,
      "POST",
      `/api/webhooks/n8n/project_creation/${id}`,
      body,
    );
  }
  projectExecution(id: Id, body: BodyOf<"/api/webhooks/n8n/project_execution/{project_id}", "post">) {
    return call<DataOf<"/api/webhooks/n8n/project_execution/{project_id}", "post">>(
      this.http,
      "POST",
      `/api/webhooks/n8n/project_execution/${id}`,
      body,
    );
  }
  taskUpdate(id: Id, body: BodyOf<"/api/webhooks/n8n/task_update/{task_id}", "post">) {
    return call<DataOf<"/api/webhooks/n8n/task_update/{task_id}", "post">>(
      this.http,
      "POST",
      `/api/webhooks/n8n/task_update/${id}`,
      body,
    );
  }
}
