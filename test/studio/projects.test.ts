import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, expectStudioError, newUser } from "../helpers/http";

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

async function createProject(token: string, body: Record<string, unknown> = {}) {
  const res = await call("POST", "/api/v1/projects", {
    token,
    json: { name: "我的第一个短剧", description: "一个关于爱情的故事", aspect_ratio: "9:16", ...body },
  });
  if (res.status !== 200) throw new Error(`create failed ${res.status} ${res.text}`);
  return res.body;
}

describe("studio projects: the documented examples", () => {
  it("creates a project exactly as documented", async () => {
    const user = await newUser();
    const res = await call("POST", "/api/v1/projects", {
      token: user.token,
      json: { name: "我的第一个短剧", description: "一个关于爱情的故事", aspect_ratio: "9:16" },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      name: "我的第一个短剧",
      description: "一个关于爱情的故事",
      aspect_ratio: "9:16",
      status: "draft",
      created_at: expect.stringMatching(ISO),
      updated_at: expect.stringMatching(ISO),
    });
  });

  it("lists with skip, limit, status and a total, newest first", async () => {
    const user = await newUser();
    const made = [];
    for (let i = 0; i < 5; i++) made.push(await createProject(user.token, { name: `p${i}` }));
    await env.DB.prepare("UPDATE studio_projects SET status = 'in_progress' WHERE id = ?")
      .bind(made[1].id)
      .run();

    const page = await call("GET", "/api/v1/projects?skip=1&limit=2", { token: user.token });
    expect(page.status).toBe(200);
    expect(page.body.total).toBe(5);
    expect(page.body.items).toHaveLength(2);

    const past = await call("GET", "/api/v1/projects?skip=50&limit=10", { token: user.token });
    expect(past.body).toEqual({ total: 5, items: [] });

    const all = await call("GET", "/api/v1/projects", { token: user.token });
    expect(all.body.items.map((p: { name: string }) => p.name)).toEqual(["p4", "p3", "p2", "p1", "p0"]);

    const filtered = await call("GET", "/api/v1/projects?skip=0&limit=10&status=in_progress", {
      token: user.token,
    });
    expect(filtered.body).toEqual({
      total: 1,
      items: [expect.objectContaining({ id: made[1].id, status: "in_progress" })],
    });
  });

  it("returns detail with script, characters and storyboards", async () => {
    const user = await newUser();
    const project = await createProject(user.token, { script: "场景1：公园..." });
    const now = Date.now();
    await env.DB.prepare(
      "INSERT INTO characters (owner_id, project_id, name, source, created_at, updated_at) VALUES (?, ?, '主角', 'upload', ?, ?)",
    )
      .bind(user.id, project.id, now, now)
      .run();
    await env.DB.prepare(
      "INSERT INTO storyboards (owner_id, project_id, scene_number, description, character_ids, duration, status, created_at, updated_at) VALUES (?, ?, 1, '主角在公园散步', '[]', 5, 'pending', ?, ?)",
    )
      .bind(user.id, project.id, now, now)
      .run();
    const res = await call("GET", `/api/v1/projects/${project.id}`, { token: user.token });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: project.id,
      script: "场景1：公园...",
      characters: [{ id: expect.any(Number), name: "主角", image_url: null }],
      storyboards: [
        { id: expect.any(Number), scene_number: 1, description: "主角在公园散步", image_url: null },
      ],
    });
  });

  it("updates name, description and script", async () => {
    const user = await newUser();
    const project = await createProject(user.token);
    const res = await call("PUT", `/api/v1/projects/${project.id}`, {
      token: user.token,
      json: { name: "更新后的项目名称", description: "更新后的描述", script: "更新后的剧本内容" },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: project.id,
      name: "更新后的项目名称",
      description: "更新后的描述",
      script: "更新后的剧本内容",
      updated_at: expect.stringMatching(ISO),
    });
  });

  it("soft-deletes: gone from get and list, row kept, R2 cleanup queued", async () => {
    const user = await newUser();
    const project = await createProject(user.token);
    const key = `users/${user.id}/projects/${project.id}/characters/a.png`;
    await env.BUCKET.put(key, "x");
    const res = await call("DELETE", `/api/v1/projects/${project.id}`, { token: user.token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ message: "Project deleted successfully" });
    expectStudioError(
      await call("GET", `/api/v1/projects/${project.id}`, { token: user.token }),
      404,
      "NOT_FOUND",
    );
    expect((await call("GET", "/api/v1/projects", { token: user.token })).body.total).toBe(0);
    expectStudioError(
      await call("DELETE", `/api/v1/projects/${project.id}`, { token: user.token }),
      404,
      "NOT_FOUND",
    );
    const row = await env.DB.prepare("SELECT deleted_at FROM studio_projects WHERE id = ?")
      .bind(project.id)
      .first();
    expect(row?.deleted_at).toEqual(expect.any(Number));
    const outbox = await env.DB.prepare("SELECT kind, payload FROM outbox WHERE dedupe_key = ?")
      .bind(`r2_cleanup:project:${project.id}`)
      .first<{ kind: string; payload: string }>();
    expect(outbox?.kind).toBe("r2_cleanup");
    expect(JSON.parse(outbox?.payload ?? "{}")).toEqual({
      prefix: `users/${user.id}/projects/${project.id}/`,
    });
  });
});

describe("studio projects: tenancy", () => {
  it("user B gets 404 for user A's project on every verb, and A's data is unchanged", async () => {
    const a = await newUser("a");
    const b = await newUser("b");
    const project = await createProject(a.token, { script: "秘密" });
    const path = `/api/v1/projects/${project.id}`;
    expectStudioError(await call("GET", path, { token: b.token }), 404, "NOT_FOUND");
    expectStudioError(
      await call("PUT", path, { token: b.token, json: { name: "stolen" } }),
      404,
      "NOT_FOUND",
    );
    expectStudioError(await call("DELETE", path, { token: b.token }), 404, "NOT_FOUND");
    const list = await call("GET", "/api/v1/projects", { token: b.token });
    expect(list.body).toEqual({ total: 0, items: [] });
    const mine = await call("GET", path, { token: a.token });
    expect(mine.body).toMatchObject({ name: "我的第一个短剧", script: "秘密" });
  });

  it("ids that are not UUIDs are 404, not validation errors", async () => {
    const user = await newUser();
    expectStudioError(await call("GET", "/api/v1/projects/1", { token: user.token }), 404, "NOT_FOUND");
    expectStudioError(
      await call("GET", "/api/v1/projects/..%2F..%2Fetc", { token: user.token }),
      404,
      "NOT_FOUND",
    );
  });
});

describe("studio projects: bad input", () => {
  it("refuses mass assignment of status, owner_id and id", async () => {
    const user = await newUser();
    const other = await newUser();
    const res = await call("POST", "/api/v1/projects", {
      token: user.token,
      json: {
        name: "x",
        status: "completed",
        owner_id: other.id,
        id: "00000000-0000-4000-8000-000000000000",
      },
    });
    const err = expectStudioError(res, 422, "VALIDATION_ERROR");
    expect(err.errors?.map((e) => e.field)).toEqual(["body.status, owner_id, id"]);
    const project = await createProject(user.token);
    const put = await call("PUT", `/api/v1/projects/${project.id}`, {
      token: user.token,
      json: { status: "completed", owner_id: other.id },
    });
    expectStudioError(put, 422, "VALIDATION_ERROR");
    const row = await env.DB.prepare("SELECT status, owner_id FROM studio_projects WHERE id = ?")
      .bind(project.id)
      .first();
    expect(row).toEqual({ status: "draft", owner_id: user.id });
  });

  it("answers 422 with field errors for wrong types and missing fields", async () => {
    const user = await newUser();
    const cases: [unknown, string[]][] = [
      [{}, ["body.name"]],
      [{ name: 42 }, ["body.name"]],
      [{ name: "ok", aspect_ratio: "2:1" }, ["body.aspect_ratio"]],
      [{ name: "x".repeat(201) }, ["body.name"]],
      [{ name: "ok", description: ["a"] }, ["body.description"]],
      [[1, 2], ["body"]],
    ];
    for (const [json, fields] of cases) {
      const err = expectStudioError(
        await call("POST", "/api/v1/projects", { token: user.token, json }),
        422,
        "VALIDATION_ERROR",
      );
      expect(err.errors?.map((e) => e.field)).toEqual(fields);
    }
    const empty = await call("PUT", `/api/v1/projects/${(await createProject(user.token)).id}`, {
      token: user.token,
      json: {},
    });
    expectStudioError(empty, 422, "VALIDATION_ERROR");
    expect((await call("GET", "/api/v1/projects", { token: user.token })).body.total).toBe(1);
  });

  it("validates list query parameters", async () => {
    const user = await newUser();
    for (const q of [
      "limit=0",
      "limit=1000000",
      "limit=-1",
      "skip=-5",
      "skip=abc",
      "status=archived",
      "sort=name;DROP",
    ]) {
      expectStudioError(
        await call("GET", `/api/v1/projects?${q}`, { token: user.token }),
        422,
        "VALIDATION_ERROR",
      );
    }
  });

  it("answers 400 for malformed JSON and 415 for a wrong content type", async () => {
    const user = await newUser();
    const bad = await call("POST", "/api/v1/projects", {
      token: user.token,
      body: "{not json",
      headers: { "Content-Type": "application/json" },
    });
    expectStudioError(bad, 400, "BAD_REQUEST");
    const text = await call("POST", "/api/v1/projects", {
      token: user.token,
      body: "name=x",
      headers: { "Content-Type": "text/plain" },
    });
    expectStudioError(text, 415, "UNSUPPORTED_MEDIA_TYPE");
  });

  it("accepts trailing slashes", async () => {
    const user = await newUser();
    const project = await createProject(user.token);
    expect((await call("GET", "/api/v1/projects/", { token: user.token })).status).toBe(200);
    expect((await call("GET", `/api/v1/projects/${project.id}/`, { token: user.token })).status).toBe(200);
    const created = await call("POST", "/api/v1/projects/", { token: user.token, json: { name: "slash" } });
    expect(created.status).toBe(200);
  });
});
