import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { FREE_JSON_LIMITS } from "../../worker/platform/json-schema";
import { createProject, data, newTenant, type Tenant } from "../helpers/automation";
import { type CallResult, call } from "../helpers/http";

/**
 * Free-form JSON fields once accepted any depth; at 20 000 levels the write
 * committed and every later answer that carried it overflowed the stack (500 for the tenant's
 * project lists from then on). Now each such field, on every route, is refused with code 400
 * naming it, and nothing is written.
 */
function nested(levels: number): Record<string, unknown> {
  let v: Record<string, unknown> = { leaf: true };
  for (let i = 1; i < levels; i++) v = { a: v };
  return v;
}

const DEEP = nested(20_000);

interface Fixture {
  t: Tenant;
  project: { id: number; tasks: { id: number }[] };
  held: { id: number; lease_token: string };
  asset: { id: number };
  inspiration: { id: number };
  config: { id: number };
}

type Case = [route: string, field: string, send: (f: Fixture, deep: unknown) => Promise<CallResult>];

const CASES: Case[] = [
  [
    "POST /projects",
    "body.initial_parameters",
    (f, d) =>
      call("POST", "/projects", {
        token: f.t.operator,
        json: { name: "p", project_type: "x", initial_parameters: d },
      }),
  ],
  [
    "POST /projects (tasks)",
    "body.tasks.0.task_output",
    (f, d) =>
      call("POST", "/projects", {
        token: f.t.operator,
        json: { name: "p", project_type: "x", tasks: [{ task_type: "t", task_output: d }] },
      }),
  ],
  [
    "PUT /projects/{id}",
    "body.initial_parameters",
    (f, d) =>
      call("PUT", `/projects/${f.project.id}`, { token: f.t.operator, json: { initial_parameters: d } }),
  ],
  [
    "PUT /projects/{id}",
    "body.score_details",
    (f, d) => call("PUT", `/projects/${f.project.id}`, { token: f.t.operator, json: { score_details: d } }),
  ],
  [
    "POST /projects/{id}/regenerate",
    "body",
    (f, d) => call("POST", `/projects/${f.project.id}/regenerate`, { token: f.t.operator, json: { a: d } }),
  ],
  [
    "POST /api/tasks",
    "body.task_output",
    (f, d) =>
      call("POST", "/api/tasks", {
        token: f.t.operator,
        json: { project_id: f.project.id, task_type: "t", task_output: d },
      }),
  ],
  [
    "POST /api/tasks/batch",
    "body.tasks.0.task_output",
    (f, d) =>
      call("POST", "/api/tasks/batch", {
        token: f.t.operator,
        json: { tasks: [{ project_id: f.project.id, task_type: "t", task_output: d }] },
      }),
  ],
  [
    "PATCH /api/tasks/{id} (operator)",
    "body.task_output",
    (f, d) =>
      call("PATCH", `/api/tasks/${f.project.tasks[1]?.id}`, {
        token: f.t.operator,
        json: { task_output: d },
      }),
  ],
  [
    "PATCH /api/tasks/{id} (worker key, with its lease)",
    "body.task_output",
    (f, d) =>
      call("PATCH", `/api/tasks/${f.held.id}`, {
        token: f.t.worker,
        json: { status: "completed", task_output: d, lease_token: f.held.lease_token },
      }),
  ],
  [
    "PATCH /api/tasks/batch-update",
    "body.task_output",
    (f, d) =>
      call("PATCH", "/api/tasks/batch-update", {
        token: f.t.operator,
        json: { commit_ids: ["deep-b"], task_output: d },
      }),
  ],
  [
    "PATCH /api/tasks/update-by-commit-id",
    "body.task_output",
    (f, d) =>
      call("PATCH", "/api/tasks/update-by-commit-id", {
        token: f.t.operator,
        json: { commit_id: "deep-b", task_output: d },
      }),
  ],
  [
    "POST /api/assets",
    "body.asset_metadata",
    (f, d) =>
      call("POST", "/api/assets", {
        token: f.t.operator,
        json: { name: "a", asset_type: "image", asset_metadata: d },
      }),
  ],
  [
    "PUT /api/assets/{id}",
    "body.asset_metadata",
    (f, d) => call("PUT", `/api/assets/${f.asset.id}`, { token: f.t.operator, json: { asset_metadata: d } }),
  ],
  [
    "POST /api/inspirations",
    "body.parameters",
    (f, d) => call("POST", "/api/inspirations", { token: f.t.operator, json: { title: "i", parameters: d } }),
  ],
  [
    "PUT /api/inspirations/{id}",
    "body.parameters",
    (f, d) =>
      call("PUT", `/api/inspirations/${f.inspiration.id}`, { token: f.t.operator, json: { parameters: d } }),
  ],
  [
    "PUT /api/inspirations/{id}",
    "body.score_details",
    (f, d) =>
      call("PUT", `/api/inspirations/${f.inspiration.id}`, {
        token: f.t.operator,
        json: { score_details: d },
      }),
  ],
  [
    "POST /api/inspirations/{id}/regenerate",
    "body.parameter_overrides",
    (f, d) =>
      call("POST", `/api/inspirations/${f.inspiration.id}/regenerate`, {
        token: f.t.operator,
        json: { parameter_overrides: d },
      }),
  ],
  [
    "POST /api/worker-configs",
    "body.config_data",
    (f, d) =>
      call("POST", "/api/worker-configs", {
        token: f.t.operator,
        json: { config_name: "c", config_type: "execution", worker_type: "w", config_data: d },
      }),
  ],
  [
    "PUT /api/worker-configs/{id}",
    "body.config_data",
    (f, d) =>
      call("PUT", `/api/worker-configs/${f.config.id}`, { token: f.t.operator, json: { config_data: d } }),
  ],
  [
    "POST /api/worker-configs/tasks/{id}/assign",
    "body.override_data",
    (f, d) =>
      call("POST", `/api/worker-configs/tasks/${f.project.tasks[1]?.id}/assign`, {
        token: f.t.operator,
        json: { config_ids: [f.config.id], override_data: d },
      }),
  ],
  [
    "POST /api/webhooks/n8n/inspiration/{id}",
    "body.data.parameters",
    (f, d) =>
      call("POST", `/api/webhooks/n8n/inspiration/${f.inspiration.id}`, {
        token: f.t.n8n,
        json: { status: "success", data: { parameters: d }, executionId: "deep-1" },
      }),
  ],
  [
    "POST /api/webhooks/n8n/project_creation/{id}",
    "body.project.initial_parameters",
    (f, d) =>
      call("POST", `/api/webhooks/n8n/project_creation/${f.inspiration.id}`, {
        token: f.t.n8n,
        json: {
          status: "success",
          project: { name: "n", project_type: "x", initial_parameters: d },
          executionId: "deep-2",
        },
      }),
  ],
  [
    "POST /api/webhooks/n8n/project_creation/{id} (tasks)",
    "body.tasks.0.task_output",
    (f, d) =>
      call("POST", `/api/webhooks/n8n/project_creation/${f.inspiration.id}`, {
        token: f.t.n8n,
        json: {
          status: "success",
          project: { name: "n", project_type: "x" },
          tasks: [{ task_type: "t", task_output: d }],
          executionId: "deep-3",
        },
      }),
  ],
  [
    "POST /api/webhooks/n8n/project_execution/{id}",
    "body.task_updates.0.task_output",
    (f, d) =>
      call("POST", `/api/webhooks/n8n/project_execution/${f.project.id}`, {
        token: f.t.n8n,
        json: {
          status: "success",
          task_updates: [{ task_id: f.project.tasks[1]?.id, task_output: d }],
          executionId: "deep-4",
        },
      }),
  ],
  [
    "POST /api/webhooks/n8n/task_update/{id}",
    "body.task_output",
    (f, d) =>
      call("POST", `/api/webhooks/n8n/task_update/${f.project.tasks[1]?.id}`, {
        token: f.t.n8n,
        json: { status: "completed", task_output: d },
      }),
  ],
];

async function fixture(prefix: string): Promise<Fixture> {
  const t = await newTenant(prefix);
  const project = await createProject(t, {
    tasks: [
      { task_type: "held", commit_id: "deep-a" },
      { task_type: "t", commit_id: "deep-b" },
    ],
  });
  const held = data(
    await call("POST", "/api/tasks/claim", { token: t.worker, json: { task_types: ["held"] } }),
  );
  const asset = data(
    await call("POST", "/api/assets", { token: t.operator, json: { name: "a", asset_type: "image" } }),
  );
  const inspiration = data(
    await call("POST", "/api/inspirations", { token: t.operator, json: { title: "i" } }),
  );
  const config = data(
    await call("POST", "/api/worker-configs", {
      token: t.operator,
      json: { config_name: "c", config_type: "execution", worker_type: "w" },
    }),
  );
  return { t, project, held, asset, inspiration, config };
}

/** Every row of the tenant that can hold free-form JSON, as stored. */
async function snapshot(ownerId: number) {
  const tables = [
    "pipeline_projects",
    "tasks",
    "assets",
    "inspirations",
    "worker_configs",
    "webhook_deliveries",
  ];
  const out: Record<string, unknown[]> = {};
  for (const table of tables) {
    out[table] = (
      await env.DB.prepare(`SELECT * FROM ${table} WHERE owner_id = ? ORDER BY id`).bind(ownerId).all()
    ).results;
  }
  out.task_config_assignments = (
    await env.DB.prepare("SELECT * FROM task_config_assignments WHERE owner_id = ?").bind(ownerId).all()
  ).results;
  return out;
}

async function listsAnswer(f: Fixture) {
  for (const path of [
    "/projects",
    `/projects/${f.project.id}`,
    "/api/tasks",
    `/api/tasks/${f.project.tasks[1]?.id}`,
    "/api/assets",
    "/api/inspirations",
    "/api/worker-configs",
  ]) {
    const res = await call("GET", path, { token: f.t.operator });
    expect(res.status, `${path}: ${res.text.slice(0, 200)}`).toBe(200);
  }
}

describe("free-form JSON fields", () => {
  it("refuse 20 000 levels on every route with code 400 naming the field, and write nothing", async () => {
    const f = await fixture("deep");
    const before = await snapshot(f.t.id);
    for (const [route, field, send] of CASES) {
      const res = await send(f, DEEP);
      expect(res.status, `${route}: ${res.text.slice(0, 300)}`).toBe(400);
      expect(res.body.code, route).toBe(400);
      expect(res.body.data.errors, route).toContainEqual({
        field,
        message: `nested deeper than ${FREE_JSON_LIMITS.maxDepth} levels (free-form JSON allows at most ${FREE_JSON_LIMITS.maxDepth})`,
      });
    }
    expect(await snapshot(f.t.id)).toEqual(before);
    await listsAnswer(f);
  });

  it("refuse 1 000 levels and more than 64 KiB the same way; 32 levels and 64 KiB are kept as sent", async () => {
    const f = await fixture("deep-edge");
    const task = f.project.tasks[1]?.id;
    const patch = (task_output: unknown) =>
      call("PATCH", `/api/tasks/${task}`, { token: f.t.operator, json: { task_output } });
    const thousand = await patch(nested(1_000));
    expect(thousand.body.data.errors[0].field).toBe("body.task_output");
    const big = await patch({ text: "x".repeat(FREE_JSON_LIMITS.maxBytes) });
    expect(big.body.code).toBe(400);
    expect(big.body.data.errors[0]).toEqual({
      field: "body.task_output",
      message: `${FREE_JSON_LIMITS.maxBytes + 11} bytes of JSON (free-form JSON allows at most ${FREE_JSON_LIMITS.maxBytes})`,
    });
    const deepest = nested(FREE_JSON_LIMITS.maxDepth);
    expect(data(await patch(deepest)).task_output).toEqual(deepest);
    const largest = { text: "x".repeat(FREE_JSON_LIMITS.maxBytes - 11) };
    expect(data(await patch(largest)).task_output).toEqual(largest);
    // Inside an array counts the same as inside an object.
    const inArray = await patch({ list: [nested(FREE_JSON_LIMITS.maxDepth)] });
    expect(inArray.body.code).toBe(400);
    // Regenerating merges the overrides into the stored parameters: the merge is held to the limit too.
    const half = "y".repeat(FREE_JSON_LIMITS.maxBytes / 2);
    const idea = data(
      await call("POST", "/api/inspirations", {
        token: f.t.operator,
        json: { title: "big", parameters: { a: half } },
      }),
    );
    const merged = await call("POST", `/api/inspirations/${idea.id}/regenerate`, {
      token: f.t.operator,
      json: { parameter_overrides: { b: half } },
    });
    expect(merged.body.code).toBe(400);
    expect(merged.body.data.errors[0].field).toBe("body.parameter_overrides");
    const kept = data(await call("GET", `/api/inspirations/${idea.id}`, { token: f.t.operator }));
    expect(kept.parameters).toEqual({ a: half });
  });

  it("a value stored before the limit existed never breaks an answer: it reads as null", async () => {
    const f = await fixture("deep-legacy");
    const text = JSON.stringify(DEEP);
    await env.DB.batch([
      env.DB.prepare("UPDATE tasks SET task_output = ? WHERE id = ?").bind(text, f.project.tasks[1]?.id),
      env.DB.prepare(
        "UPDATE pipeline_projects SET initial_parameters = ?, score_details = ? WHERE id = ?",
      ).bind(text, text, f.project.id),
      env.DB.prepare("UPDATE assets SET asset_metadata = ? WHERE id = ?").bind(text, f.asset.id),
      env.DB.prepare("UPDATE inspirations SET parameters = ?, score_details = ? WHERE id = ?").bind(
        text,
        text,
        f.inspiration.id,
      ),
      env.DB.prepare("UPDATE worker_configs SET config_data = ? WHERE id = ?").bind(text, f.config.id),
    ]);
    await listsAnswer(f);
    const detail = data(await call("GET", `/projects/${f.project.id}`, { token: f.t.operator }));
    expect(detail.initial_parameters).toBeNull();
    expect(detail.score_details).toBeNull();
    expect(detail.tasks[1].task_output).toBeNull();
    expect(
      data(await call("GET", `/api/assets/${f.asset.id}`, { token: f.t.operator })).asset_metadata,
    ).toBeNull();
    expect(
      data(await call("GET", `/api/worker-configs/${f.config.id}`, { token: f.t.operator })).config_data,
    ).toEqual({});
  });
});
