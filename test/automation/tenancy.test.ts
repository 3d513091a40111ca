import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createProject, data, newTenant } from "../helpers/automation";
import { call } from "../helpers/http";
import { fixture } from "../helpers/images";
import { imageForm, uploadCharacter } from "../helpers/studio";

/** Routes whose body is a multipart image upload. */
const MULTIPART = new Set([
  "PUT /api/v1/characters/{character_id}/image",
  "PUT /api/v1/storyboards/{storyboard_id}/image",
]);

/** A valid body for every route that takes one, so the only thing wrong is whose id it is. */
const BODIES: Record<string, unknown> = {
  "PUT /projects/{project_id}": { name: "stolen" },
  "POST /projects/{project_id}/regenerate": {},
  "PATCH /api/tasks/{task_id}": { status: "completed" },
  "POST /api/tasks/{task_id}/heartbeat": { lease_token: "x" },
  "PUT /api/assets/{asset_id}": { name: "stolen" },
  "PUT /api/inspirations/{inspiration_id}": { title: "stolen" },
  "POST /api/inspirations/{inspiration_id}/approve": {},
  "POST /api/inspirations/{inspiration_id}/reject": {},
  "POST /api/inspirations/{inspiration_id}/regenerate": {},
  "PUT /api/platform-accounts/{account_id}": { name: "stolen" },
  "POST /api/platform-accounts/{account_id}/reset-usage": { used_today: 0 },
  "PUT /api/worker-configs/{config_id}": { config_name: "stolen" },
  "POST /api/worker-configs/tasks/{task_id}/assign": { config_ids: [1] },
  "POST /api/webhooks/n8n/inspiration/{inspiration_id}": { status: "failed", executionId: "steal" },
  "POST /api/webhooks/n8n/project_creation/{inspiration_id}": { status: "failed", executionId: "steal" },
  "POST /api/webhooks/n8n/project_execution/{project_id}": { status: "success", executionId: "steal" },
  "POST /api/webhooks/n8n/task_update/{task_id}": { status: "failed" },
  "PUT /api/v1/projects/{project_id}": { name: "stolen" },
  "PUT /api/v1/characters/{character_id}": { name: "stolen" },
  "POST /api/v1/characters/{character_id}/consistency-model": {},
  "PUT /api/v1/storyboards/{storyboard_id}": { description: "stolen" },
  "POST /api/v1/storyboards/{storyboard_id}/generate": { style: "anime" },
  "POST /api/v1/storyboards/{storyboard_id}/takes/{take_id}/select": {},
  "POST /api/v1/workflows/{workflow_id}/pause": {},
  "POST /api/v1/workflows/{workflow_id}/resume": {},
  "POST /api/v1/workflows/{workflow_id}/cancel": {},
  "POST /api/v1/workflows/{workflow_id}/retry": {},
  "POST /api/v1/export/{export_id}/cancel": {},
};

describe("cross-tenant access to every automation route", () => {
  it("answers 404 for another tenant's ids on every route that takes an id, and changes nothing", async () => {
    const a = await newTenant("owner");
    const b = await newTenant("intruder");
    const project = await createProject(a, { tasks: [{ task_type: "t" }] });
    const task = project.tasks[0];
    const asset = data(
      await call("POST", "/api/assets", { token: a.operator, json: { name: "a", asset_type: "image" } }),
    );
    const inspiration = data(
      await call("POST", "/api/inspirations", { token: a.operator, json: { title: "mine" } }),
    );
    const account = data(
      await call("POST", "/api/platform-accounts", {
        token: a.operator,
        json: { platform: "runway", name: "mine", credentials: { api_key: "k" } },
      }),
    );
    const config = data(
      await call("POST", "/api/worker-configs", {
        token: a.operator,
        json: { config_name: "mine", config_type: "execution", worker_type: "video" },
      }),
    );
    const studio = await call("POST", "/api/v1/projects", {
      token: a.token,
      json: { name: "mine", description: "一个场景" },
    });
    const character = await uploadCharacter(a.token, studio.body.id, fixture("rgb.png"));
    const storyboard = await call("POST", "/api/v1/storyboards", {
      token: a.token,
      json: { project_id: studio.body.id, description: "mine", character_ids: [character.id] },
    });
    // A take of A's storyboard (a workflow with options.image.takes would have drawn it).
    const take = await env.DB.prepare(
      `INSERT INTO takes (owner_id, subject_kind, subject_id, media, position, r2_key, content_type, platform, model,
         selected, created_at, updated_at)
       VALUES (?, 'storyboard', ?, 'image', 0, 'u/x/take.png', 'image/png', 'openai', 'gpt-image-1', 1, 1, 1) RETURNING id`,
    )
      .bind(a.id, storyboard.body.id)
      .first<{ id: number }>();
    const workflow = await call("POST", "/api/v1/workflows", {
      token: a.token,
      json: { project_id: studio.body.id, workflow_type: "storyboard", generator: "external" },
    });
    expect(workflow.status).toBe(200);
    const exported = await call("POST", "/api/v1/export", {
      token: a.token,
      json: { project_id: studio.body.id, resolution: "720p" },
    });
    expect(exported.status).toBe(200);
    const ids: Record<string, string> = {
      workflow_id: String(workflow.body.id),
      export_id: String(exported.body.export_id),
      character_id: String(character.id),
      storyboard_id: String(storyboard.body.id),
      take_id: String(take?.id),
      task_id: String(task.id),
      asset_id: String(asset.id),
      inspiration_id: String(inspiration.id),
      account_id: String(account.id),
      config_id: String(config.id),
      key_id: "key_notyours",
    };

    const doc = (await call("GET", "/api/openapi.json")).body as {
      paths: Record<string, Record<string, unknown>>;
    };
    let checked = 0;
    for (const [template, ops] of Object.entries(doc.paths)) {
      if (!template.includes("{") || template.includes("{asset_type}") || template.includes("{platform}"))
        continue;
      // Not owner-scoped by a bearer token: the socket (4404 for another user's workflow, in
      // workflow-live), signed downloads and the renderer's signed endpoints; and the operators'
      // routes, which act on any user's rows and are 403 for everyone else (auth-coverage).
      if (/^\/(ws|files|internal)\//.test(template) || template.startsWith("/api/v1/admin/")) continue;
      for (const method of Object.keys(ops)) {
        const key = `${method.toUpperCase()} ${template}`;
        const path = template.replace(/\{([^}]+)\}/g, (_, name: string) => {
          if (name === "project_id")
            return template.startsWith("/api/v1/") ? studio.body.id : String(project.id);
          const id = ids[name];
          if (!id) throw new Error(`no id for ${name} in ${key}`);
          return id;
        });
        const upload = key === "PUT /api/assets/{asset_id}/content";
        const multipart = MULTIPART.has(key);
        const needsBody = method !== "get" && method !== "delete" && !upload && !multipart;
        if (needsBody && !(key in BODIES) && !key.endsWith("/lease") && !key.endsWith("recalculate-tasks")) {
          throw new Error(`add a valid body for ${key} to this test`);
        }
        const res = await call(method.toUpperCase(), path, {
          token: b.token,
          json: needsBody ? (BODIES[key] ?? {}) : undefined,
          body: upload
            ? new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
            : multipart
              ? imageForm({}, fixture("rgb.png"))
              : undefined,
        });
        expect(res.status, `${key} → ${res.text}`).toBe(404);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(30);

    // A's data is untouched.
    const mine = data(await call("GET", `/projects/${project.id}`, { token: a.operator }));
    expect(mine).toMatchObject({ name: "测试项目", total_tasks: 1 });
    expect(mine.tasks[0].status).toBe("pending");
    expect(data(await call("GET", `/api/inspirations/${inspiration.id}`, { token: a.operator })).status).toBe(
      "draft",
    );
    expect(data(await call("GET", `/api/worker-configs/${config.id}`, { token: a.operator })).is_active).toBe(
      true,
    );
    const exp = await call("GET", `/api/v1/export/${exported.body.export_id}`, { token: a.token });
    expect(exp.body.status).toBe("processing");
    expect((await call("GET", "/api/v1/export/history", { token: b.token })).body.total).toBe(0);
    // Lists never include another tenant's rows.
    for (const path of [
      "/projects",
      "/api/tasks",
      "/api/assets",
      "/api/inspirations",
      "/api/platform-accounts",
      "/api/worker-configs",
    ]) {
      expect(data(await call("GET", path, { token: b.operator })), path).toEqual([]);
    }
  });
});
