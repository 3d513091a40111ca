import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createProject, data, newTenant } from "../helpers/automation";
import { call } from "../helpers/http";

const PNG = new Uint8Array([
  0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 73, 72, 68, 82, 0, 0, 0, 1, 0, 0, 0, 1, 8, 2,
]);

describe("assets", () => {
  it("CRUD as the API documents it, with by-type and filters", async () => {
    const t = await newTenant();
    const created = data(
      await call("POST", "/api/assets", {
        token: t.operator,
        json: {
          name: "测试视频",
          description: "这是一个测试视频",
          asset_type: "video",
          storage_path: "/storage/videos/test.mp4",
          asset_metadata: { resolution: "1920x1080", fps: 30 },
          duration_seconds: 120.5,
          source: "ai_generated",
          visibility: "private",
          status: "PENDING_ANALYSIS",
        },
      }),
    );
    expect(created).toMatchObject({
      id: expect.any(Number),
      asset_type: "video",
      status: "PENDING_ANALYSIS",
      duration_seconds: 120.5,
    });
    data(
      await call("POST", "/api/assets", {
        token: t.operator,
        json: { name: "img", asset_type: "image", status: "ACTIVE" },
      }),
    );
    expect(
      data(
        await call("GET", "/api/assets?asset_type=video&status=PENDING_ANALYSIS", { token: t.operator }),
      ).map((a: any) => a.id),
    ).toEqual([created.id]);
    expect(data(await call("GET", "/api/assets/by-type/image", { token: t.operator }))).toHaveLength(1);
    expect((await call("GET", "/api/assets/by-type/hologram", { token: t.operator })).status).toBe(404);
    const updated = data(
      await call("PUT", `/api/assets/${created.id}`, { token: t.operator, json: { status: "ACTIVE" } }),
    );
    expect(updated.status).toBe("ACTIVE");
    data(await call("DELETE", `/api/assets/${created.id}`, { token: t.operator }));
    expect((await call("GET", `/api/assets/${created.id}`, { token: t.operator })).body).toEqual({
      code: 404,
      msg: "Asset not found",
      data: null,
    });
  });

  it("stores uploaded bytes in R2 by their real type and serves them back", async () => {
    const t = await newTenant();
    const asset = data(
      await call("POST", "/api/assets", { token: t.worker, json: { name: "frame", asset_type: "image" } }),
    );
    const put = data(
      await call("PUT", `/api/assets/${asset.id}/content`, {
        token: t.worker,
        body: PNG,
        headers: { "Content-Type": "text/html" },
      }),
    );
    expect(put).toMatchObject({
      content_type: "image/png",
      size_bytes: PNG.byteLength,
      storage_path: `/api/assets/${asset.id}/content`,
    });
    expect(await env.BUCKET.head(`users/${t.id}/assets/${asset.id}`)).not.toBeNull();
    const got = await call("GET", `/api/assets/${asset.id}/content`, { token: t.worker });
    expect(got.headers.get("Content-Type")).toBe("image/png");
    expect(got.headers.get("X-Content-Type-Options")).toBe("nosniff");

    const html = new TextEncoder().encode("<html><script>alert(1)</script></html>");
    const fake = await call("PUT", `/api/assets/${asset.id}/content`, {
      token: t.worker,
      body: html,
      headers: { "Content-Type": "image/png" },
    });
    expect(fake.body).toEqual({ code: 415, msg: "The file's content is not an accepted type", data: null });
    const video = data(
      await call("POST", "/api/assets", { token: t.worker, json: { name: "v", asset_type: "video" } }),
    );
    const wrongKind = await call("PUT", `/api/assets/${video.id}/content`, { token: t.worker, body: PNG });
    expect(wrongKind.body.code).toBe(415);
    expect(await env.BUCKET.head(`users/${t.id}/assets/${video.id}`)).toBeNull();
  });

  it("storage_path may name R2 objects only under the owner's prefix", async () => {
    const t = await newTenant();
    const bad = await call("POST", "/api/assets", {
      token: t.operator,
      json: { name: "x", asset_type: "image", storage_path: "r2://users/1/assets/secret.png" },
    });
    expect(bad.body).toEqual({
      code: 400,
      msg: "storage_path may only name objects under your own storage prefix",
      data: null,
    });
    data(
      await call("POST", "/api/assets", {
        token: t.operator,
        json: { name: "x", asset_type: "image", storage_path: `r2://users/${t.id}/assets/mine.png` },
      }),
    );
  });
});

describe("worker configs", () => {
  it("CRUD, soft delete, filters and priority ordering as the API documents it", async () => {
    const t = await newTenant();
    const body = {
      config_name: "video_worker_config",
      config_type: "execution",
      worker_type: "video_generator",
      config_data: { max_concurrent: 3, timeout: 300 },
      description: "视频生成器配置",
      priority: 10,
      is_active: true,
    };
    const created = data(await call("POST", "/api/worker-configs", { token: t.operator, json: body }));
    expect(created).toMatchObject(body);
    const high = data(
      await call("POST", "/api/worker-configs", {
        token: t.operator,
        json: { ...body, config_name: "high", priority: 50 },
      }),
    );
    const list = data(
      await call(
        "GET",
        "/api/worker-configs?worker_type=video_generator&config_type=execution&is_active=true&skip=0&limit=100",
        {
          token: t.operator,
        },
      ),
    );
    expect(list.map((c: any) => c.config_name)).toEqual(["high", "video_worker_config"]);
    const deleted = data(await call("DELETE", `/api/worker-configs/${high.id}`, { token: t.operator }));
    expect(deleted.is_active).toBe(false);
    expect(
      data(await call("GET", "/api/worker-configs?is_active=true", { token: t.operator })).map(
        (c: any) => c.id,
      ),
    ).toEqual([created.id]);
  });

  it("assigns configs to a task and merges the override over each config, highest priority first", async () => {
    const t = await newTenant();
    const p = await createProject(t, { tasks: [{ task_type: "video" }] });
    const taskId = p.tasks[0].id;
    const low = data(
      await call("POST", "/api/worker-configs", {
        token: t.operator,
        json: {
          config_name: "low",
          config_type: "execution",
          worker_type: "v",
          config_data: { max_concurrent: 3, timeout: 300 },
          priority: 1,
        },
      }),
    );
    const high = data(
      await call("POST", "/api/worker-configs", {
        token: t.operator,
        json: {
          config_name: "high",
          config_type: "execution",
          worker_type: "v",
          config_data: { model: "x" },
          priority: 9,
        },
      }),
    );
    const assigned = data(
      await call("POST", `/api/worker-configs/tasks/${taskId}/assign`, {
        token: t.operator,
        json: { config_ids: [low.id, high.id], override_data: { custom_param: "value", timeout: 60 } },
      }),
    );
    expect(assigned).toHaveLength(2);
    expect(assigned[0]).toMatchObject({
      task_id: taskId,
      override_data: { custom_param: "value", timeout: 60 },
    });
    const configs = data(
      await call("GET", `/api/worker-configs/tasks/${taskId}/configs`, { token: t.worker }),
    );
    expect(configs).toEqual({
      task_id: taskId,
      configs: [
        expect.objectContaining({
          config_name: "high",
          config_data: { model: "x", custom_param: "value", timeout: 60 },
        }),
        expect.objectContaining({
          config_name: "low",
          config_data: { max_concurrent: 3, timeout: 60, custom_param: "value" },
        }),
      ],
    });
    const unknown = await call("POST", `/api/worker-configs/tasks/${taskId}/assign`, {
      token: t.operator,
      json: { config_ids: [999999] },
    });
    expect(unknown.body).toEqual({ code: 400, msg: "Worker config 999999 not found", data: null });
  });
});

describe("scopes and limits on the automation API", () => {
  it("refuses credentials without the needed scope with 403 in the envelope", async () => {
    const t = await newTenant();
    const studioOnly = await call("POST", "/api/v1/auth/api-keys", {
      token: t.token,
      json: { name: "s", scopes: ["studio"] },
    });
    expect((await call("GET", "/projects", { token: studioOnly.body.key })).body).toEqual({
      code: 403,
      msg: "This credential lacks the required scope: automation",
      data: null,
    });
    expect(
      (await call("POST", "/projects", { token: t.worker, json: { name: "x", project_type: "y" } })).body
        .code,
    ).toBe(403);
    expect(
      (await call("POST", "/api/tasks/claim", { token: t.n8n, json: { task_types: ["x"] } })).body.code,
    ).toBe(403);
    // A user's own JWT holds every scope.
    expect((await call("GET", "/projects", { token: t.token })).body.code).toBe(0);
  });

  it("limits each credential to 600 requests a minute, answering 429 in the envelope", async () => {
    const t = await newTenant();
    const results = await Promise.all(
      Array.from({ length: 605 }, () =>
        call("GET", "/api/platform-accounts/platforms/list", { token: t.worker }),
      ),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(600);
    const limited = results.filter((r) => r.status === 429);
    expect(limited).toHaveLength(5);
    expect(limited[0]?.body).toMatchObject({
      code: 429,
      msg: "Rate limit exceeded",
      data: { retry_after: expect.any(Number) },
    });
    expect(limited[0]?.headers.get("RateLimit-Policy")).toBe("600;w=60");
    // Another credential of the same user has its own bucket.
    expect((await call("GET", "/api/platform-accounts/platforms/list", { token: t.operator })).status).toBe(
      200,
    );
  });

  it("validation errors are code 400 with the fields named", async () => {
    const t = await newTenant();
    const res = await call("POST", "/projects", {
      token: t.operator,
      json: { name: 5, status: "completed" },
    });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe(400);
    expect(res.body.msg).toContain("body.name");
    expect(res.body.data.errors.map((e: any) => e.field)).toEqual(
      expect.arrayContaining(["body.name", "body.project_type", "body.status"]),
    );
  });
});
