import { snakeKeys } from "./case";
import { type FileInput, toBlob } from "./files";
import type { Transport } from "./http";
import type { BodyOf, FormOf, Input, ProgressFrame, QueryOf, ResponseOf } from "./types";
import { type WatchOptions, WorkflowWatch } from "./watch";

type Id = number | string;

export class Auth {
  constructor(private readonly http: Transport) {}

  register(body: BodyOf<"/api/v1/auth/register", "post">) {
    return this.http.request<ResponseOf<"/api/v1/auth/register", "post">>("POST", "/api/v1/auth/register", {
      json: body,
    });
  }

  /** Logs in and uses the access token for the client's next calls. */
  async login(body: { email: string; password: string }) {
    const out = await this.http.request<ResponseOf<"/api/v1/auth/login", "post">>(
      "POST",
      "/api/v1/auth/login",
      {
        json: body,
      },
    );
    this.http.setToken(out.access_token);
    return out;
  }

  async refresh(refreshToken: string) {
    const out = await this.http.request<ResponseOf<"/api/v1/auth/refresh", "post">>(
      "POST",
      "/api/v1/auth/refresh",
      {
        json: { refresh_token: refreshToken },
      },
    );
    this.http.setToken(out.access_token);
    return out;
  }

  logout(body: BodyOf<"/api/v1/auth/logout", "post"> = {} as BodyOf<"/api/v1/auth/logout", "post">) {
    return this.http.request<ResponseOf<"/api/v1/auth/logout", "post">>("POST", "/api/v1/auth/logout", {
      json: body,
    });
  }

  me() {
    return this.http.request<ResponseOf<"/api/v1/auth/me", "get">>("GET", "/api/v1/auth/me");
  }

  createApiKey(body: Input<BodyOf<"/api/v1/auth/api-keys", "post">>) {
    return this.http.request<ResponseOf<"/api/v1/auth/api-keys", "post">>("POST", "/api/v1/auth/api-keys", {
      json: snakeKeys(body),
    });
  }

  listApiKeys() {
    return this.http.request<ResponseOf<"/api/v1/auth/api-keys", "get">>("GET", "/api/v1/auth/api-keys");
  }

  revokeApiKey(keyId: string) {
    return this.http.request<ResponseOf<"/api/v1/auth/api-keys/{key_id}", "delete">>(
      "DELETE",
      `/api/v1/auth/api-keys/${encodeURIComponent(keyId)}`,
    );
  }
}

export class Projects {
  constructor(private readonly http: Transport) {}

  create(body: Input<BodyOf<"/api/v1/projects", "post">>) {
    return this.http.request<ResponseOf<"/api/v1/projects", "post">>("POST", "/api/v1/projects", {
      json: snakeKeys(body),
    });
  }
  list(query: QueryOf<"/api/v1/projects", "get"> = {}) {
    return this.http.request<ResponseOf<"/api/v1/projects", "get">>("GET", "/api/v1/projects", { query });
  }
  get(id: string) {
    return this.http.request<ResponseOf<"/api/v1/projects/{project_id}", "get">>(
      "GET",
      `/api/v1/projects/${id}`,
    );
  }
  update(id: string, body: Input<BodyOf<"/api/v1/projects/{project_id}", "put">>) {
    return this.http.request<ResponseOf<"/api/v1/projects/{project_id}", "put">>(
      "PUT",
      `/api/v1/projects/${id}`,
      {
        json: snakeKeys(body),
      },
    );
  }
  delete(id: string) {
    return this.http.request<ResponseOf<"/api/v1/projects/{project_id}", "delete">>(
      "DELETE",
      `/api/v1/projects/${id}`,
    );
  }
}

type CharacterFields = Omit<FormOf<"/api/v1/characters", "post">, "image">;

export class Characters {
  constructor(private readonly http: Transport) {}

  /** Uploads a reference image: a path (Node), a Blob/File (browsers) or bytes. */
  async create(
    input: Input<CharacterFields> & { image?: FileInput; imagePath?: string; image_path?: string },
  ) {
    const { image, imagePath, image_path, ...fields } = input;
    const source = image ?? imagePath ?? image_path;
    if (source === undefined) throw new TypeError("characters.create needs `image` (or `imagePath`)");
    const form = new FormData();
    for (const [k, v] of Object.entries(snakeKeys(fields))) form.set(k, String(v));
    const { blob, name } = await toBlob(source, "character.png");
    form.set("image", blob, name);
    return this.http.request<ResponseOf<"/api/v1/characters", "post">>("POST", "/api/v1/characters", {
      form,
    });
  }
  list(query: Input<QueryOf<"/api/v1/characters", "get">>) {
    return this.http.request<ResponseOf<"/api/v1/characters", "get">>("GET", "/api/v1/characters", {
      query: snakeKeys(query),
    });
  }
  get(id: Id) {
    return this.http.request<ResponseOf<"/api/v1/characters/{character_id}", "get">>(
      "GET",
      `/api/v1/characters/${id}`,
    );
  }
  update(id: Id, body: Input<BodyOf<"/api/v1/characters/{character_id}", "put">>) {
    return this.http.request<ResponseOf<"/api/v1/characters/{character_id}", "put">>(
      "PUT",
      `/api/v1/characters/${id}`,
      {
        json: snakeKeys(body),
      },
    );
  }
  async replaceImage(id: Id, image: FileInput) {
    const form = new FormData();
    const { blob, name } = await toBlob(image, "character.png");
    form.set("image", blob, name);
    return this.http.request<ResponseOf<"/api/v1/characters/{character_id}/image", "put">>(
      "PUT",
      `/api/v1/characters/${id}/image`,
      { form },
    );
  }
  rebuildConsistencyModel(id: Id) {
    return this.http.request<ResponseOf<"/api/v1/characters/{character_id}/consistency-model", "post">>(
      "POST",
      `/api/v1/characters/${id}/consistency-model`,
      { json: {} },
    );
  }
  delete(id: Id) {
    return this.http.request<ResponseOf<"/api/v1/characters/{character_id}", "delete">>(
      "DELETE",
      `/api/v1/characters/${id}`,
    );
  }
}

export class Storyboards {
  constructor(private readonly http: Transport) {}

  create(body: Input<BodyOf<"/api/v1/storyboards", "post">>) {
    return this.http.request<ResponseOf<"/api/v1/storyboards", "post">>("POST", "/api/v1/storyboards", {
      json: snakeKeys(body),
    });
  }
  list(query: Input<QueryOf<"/api/v1/storyboards", "get">>) {
    return this.http.request<ResponseOf<"/api/v1/storyboards", "get">>("GET", "/api/v1/storyboards", {
      query: snakeKeys(query),
    });
  }
  get(id: Id) {
    return this.http.request<ResponseOf<"/api/v1/storyboards/{storyboard_id}", "get">>(
      "GET",
      `/api/v1/storyboards/${id}`,
    );
  }
  update(id: Id, body: Input<BodyOf<"/api/v1/storyboards/{storyboard_id}", "put">>) {
    return this.http.request<ResponseOf<"/api/v1/storyboards/{storyboard_id}", "put">>(
      "PUT",
      `/api/v1/storyboards/${id}`,
      { json: snakeKeys(body) },
    );
  }
  delete(id: Id) {
    return this.http.request<ResponseOf<"/api/v1/storyboards/{storyboard_id}", "delete">>(
      "DELETE",
      `/api/v1/storyboards/${id}`,
    );
  }
  reorder(body: Input<BodyOf<"/api/v1/storyboards/reorder", "post">>) {
    return this.http.request<ResponseOf<"/api/v1/storyboards/reorder", "post">>(
      "POST",
      "/api/v1/storyboards/reorder",
      {
        json: snakeKeys(body),
      },
    );
  }
  generate(id: Id, body: Input<BodyOf<"/api/v1/storyboards/{storyboard_id}/generate", "post">>) {
    return this.http.request<ResponseOf<"/api/v1/storyboards/{storyboard_id}/generate", "post">>(
      "POST",
      `/api/v1/storyboards/${id}/generate`,
      { json: snakeKeys(body) },
    );
  }
  async replaceImage(id: Id, image: FileInput) {
    const form = new FormData();
    const { blob, name } = await toBlob(image, "storyboard.png");
    form.set("image", blob, name);
    return this.http.request<ResponseOf<"/api/v1/storyboards/{storyboard_id}/image", "put">>(
      "PUT",
      `/api/v1/storyboards/${id}/image`,
      { form },
    );
  }
}

export class Workflows {
  constructor(private readonly http: Transport) {}

  start(body: Input<BodyOf<"/api/v1/workflows", "post">>, opts: { idempotencyKey?: string } = {}) {
    return this.http.request<ResponseOf<"/api/v1/workflows", "post">>("POST", "/api/v1/workflows", {
      json: snakeKeys(body),
      ...(opts.idempotencyKey ? { headers: { "Idempotency-Key": opts.idempotencyKey } } : {}),
    });
  }
  list(query: Input<QueryOf<"/api/v1/workflows", "get">> = {}) {
    return this.http.request<ResponseOf<"/api/v1/workflows", "get">>("GET", "/api/v1/workflows", {
      query: snakeKeys(query),
    });
  }
  get(id: Id) {
    return this.http.request<ResponseOf<"/api/v1/workflows/{workflow_id}", "get">>(
      "GET",
      `/api/v1/workflows/${id}`,
    );
  }
  pause(id: Id) {
    return this.control(id, "pause");
  }
  resume(id: Id) {
    return this.control(id, "resume");
  }
  cancel(id: Id) {
    return this.control(id, "cancel");
  }
  retry(id: Id) {
    return this.control(id, "retry");
  }
  private control(id: Id, action: "pause" | "resume" | "cancel" | "retry") {
    return this.http.request<ResponseOf<"/api/v1/workflows/{workflow_id}/pause", "post">>(
      "POST",
      `/api/v1/workflows/${id}/${action}`,
      { json: {} },
    );
  }

  /**
   * Live progress until the workflow finishes: `for await (const f of client.workflows.watch(id))`,
   * or `client.workflows.watch(id, (f) => ...)` (the documented form). Over WebSocket, reconnecting
   * with `last_seq`; over Server-Sent Events where WebSockets are unavailable.
   */
  watch(
    id: Id,
    onFrame?: ((frame: ProgressFrame) => void) | WatchOptions,
    opts: WatchOptions = {},
  ): WorkflowWatch {
    if (typeof onFrame === "function") return new WorkflowWatch(this.http, Number(id), opts, onFrame);
    return new WorkflowWatch(this.http, Number(id), onFrame ?? opts);
  }
}

export type ExportDetail = ResponseOf<"/api/v1/export/{export_id}", "get">;

export class Exports {
  constructor(private readonly http: Transport) {}

  estimate(body: Input<BodyOf<"/api/v1/export/estimate", "post">>) {
    return this.http.request<ResponseOf<"/api/v1/export/estimate", "post">>(
      "POST",
      "/api/v1/export/estimate",
      {
        json: snakeKeys(body),
      },
    );
  }
  create(body: Input<BodyOf<"/api/v1/export", "post">>, opts: { idempotencyKey?: string } = {}) {
    return this.http.request<ResponseOf<"/api/v1/export", "post">>("POST", "/api/v1/export", {
      json: snakeKeys(body),
      ...(opts.idempotencyKey ? { headers: { "Idempotency-Key": opts.idempotencyKey } } : {}),
    });
  }
  get(id: Id) {
    return this.http.request<ExportDetail>("GET", `/api/v1/export/${id}`);
  }
  history(query: QueryOf<"/api/v1/export/history", "get"> = {}) {
    return this.http.request<ResponseOf<"/api/v1/export/history", "get">>("GET", "/api/v1/export/history", {
      query,
    });
  }
  cancel(id: Id) {
    return this.http.request<ResponseOf<"/api/v1/export/{export_id}/cancel", "post">>(
      "POST",
      `/api/v1/export/${id}/cancel`,
      { json: {} },
    );
  }

  /** Polls until the export has finished (completed, failed or cancelled); `onProgress` sees each poll. */
  async wait(
    id: Id,
    opts: { intervalMs?: number; timeoutMs?: number; onProgress?: (e: ExportDetail) => void } = {},
  ): Promise<ExportDetail> {
    const deadline = Date.now() + (opts.timeoutMs ?? 30 * 60_000);
    for (;;) {
      const e = await this.get(id);
      opts.onProgress?.(e);
      if (e.status === "completed" || e.status === "failed" || e.status === "cancelled") return e;
      if (Date.now() > deadline)
        throw new Error(`Export ${id} did not finish in time (last status ${e.status})`);
      await new Promise((r) => setTimeout(r, opts.intervalMs ?? 1000));
    }
  }
}

export class Subscriptions {
  constructor(private readonly http: Transport) {}
  me() {
    return this.http.request<ResponseOf<"/api/v1/subscriptions/me", "get">>(
      "GET",
      "/api/v1/subscriptions/me",
    );
  }
  upgrade(body: Input<BodyOf<"/api/v1/subscriptions/upgrade", "post">>) {
    return this.http.request<ResponseOf<"/api/v1/subscriptions/upgrade", "post">>(
      "POST",
      "/api/v1/subscriptions/upgrade",
      { json: snakeKeys(body) },
    );
  }
}

export class Billing {
  constructor(private readonly http: Transport) {}
  usage(query: Input<QueryOf<"/api/v1/billing/usage", "get">> = {}) {
    return this.http.request<ResponseOf<"/api/v1/billing/usage", "get">>("GET", "/api/v1/billing/usage", {
      query: snakeKeys(query),
    });
  }
  /** Invoices newest first; an open one is paid at its `pay_url` (Stripe's hosted page, when configured). */
  invoices(query: QueryOf<"/api/v1/billing/invoices", "get"> = {}) {
    return this.http.request<ResponseOf<"/api/v1/billing/invoices", "get">>(
      "GET",
      "/api/v1/billing/invoices",
      { query },
    );
  }
  /** What invoices did to the plan: `subscription.past_due`, `.downgraded`, `.restored`. */
  events(query: QueryOf<"/api/v1/billing/events", "get"> = {}) {
    return this.http.request<ResponseOf<"/api/v1/billing/events", "get">>("GET", "/api/v1/billing/events", {
      query,
    });
  }
}

/** Operator endpoints: a logged-in user listed in the server's ADMIN_EMAILS (scope `admin`). */
export class Admin {
  constructor(private readonly http: Transport) {}
  /** Marks any user's invoice paid by hand (a bank transfer, a test); `changed: false` if it already was. */
  markInvoicePaid(invoiceId: Id, body: BodyOf<"/api/v1/admin/invoices/{invoice_id}/mark-paid", "post"> = {}) {
    return this.http.request<ResponseOf<"/api/v1/admin/invoices/{invoice_id}/mark-paid", "post">>(
      "POST",
      `/api/v1/admin/invoices/${invoiceId}/mark-paid`,
      { json: body },
    );
  }
}
