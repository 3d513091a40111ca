import { exports } from "cloudflare:workers";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { call, expectStudioError, newUser } from "../helpers/http";
import { fixture } from "../helpers/images";
import { server } from "../helpers/msw";
import { type FrameLog, framesHandler } from "../helpers/renderer";
import { imageForm, rowCount, storedKeys, stripes, studioProject, uploadCharacter } from "../helpers/studio";

beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

async function storyboard(token: string, body: Record<string, unknown>) {
  const res = await call("POST", "/api/v1/storyboards", { token, json: body });
  if (res.status !== 200) throw new Error(`storyboard create failed ${res.status} ${res.text}`);
  return res.body;
}

describe("storyboards: create, list, get, update, delete", () => {
  it("answers the documented example and keeps scene numbers unique per project", async () => {
    const user = await newUser();
    const project = await studioProject(user.token);
    const ch = await uploadCharacter(user.token, project.id, fixture("rgb.png"));
    const res = await call("POST", "/api/v1/storyboards", {
      token: user.token,
      json: {
        project_id: project.id,
        scene_number: 1,
        description: "主角在公园散步，阳光明媚",
        character_ids: [ch.id],
        duration: 5.0,
      },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: expect.any(Number),
      project_id: project.id,
      scene_number: 1,
      description: "主角在公园散步，阳光明媚",
      image_url: null,
      status: "pending",
      duration: 5,
      character_ids: [ch.id],
      created_at: expect.stringMatching(/Z$/),
    });
    const dup = await call("POST", "/api/v1/storyboards", {
      token: user.token,
      json: { project_id: project.id, scene_number: 1, description: "again" },
    });
    expect(expectStudioError(dup, 409, "CONFLICT").detail).toMatch(/Scene 1 already exists/);
    const next = await storyboard(user.token, { project_id: project.id, description: "第二场" });
    expect(next.scene_number).toBe(2);
    expect(next.duration).toBe(5);

    const list = await call("GET", `/api/v1/storyboards?project_id=${project.id}`, { token: user.token });
    expect(list.body.total).toBe(2);
    expect(list.body.items.map((s: { scene_number: number }) => s.scene_number)).toEqual([1, 2]);
    expectStudioError(
      await call("GET", "/api/v1/storyboards", { token: user.token }),
      422,
      "VALIDATION_ERROR",
    );

    const moved = await call("PUT", `/api/v1/storyboards/${next.id}`, {
      token: user.token,
      json: { scene_number: 1 },
    });
    expectStudioError(moved, 409, "CONFLICT");
    const edited = await call("PUT", `/api/v1/storyboards/${next.id}`, {
      token: user.token,
      json: { description: "第二场：雨中", caption: "小红：等等我！", duration: 3.5, scene_number: 7 },
    });
    expect(edited.body).toMatchObject({
      description: "第二场：雨中",
      caption: "小红：等等我！",
      duration: 3.5,
      scene_number: 7,
    });

    const del = await call("DELETE", `/api/v1/storyboards/${res.body.id}`, { token: user.token });
    expect(del.body).toEqual({ message: "Storyboard deleted successfully" });
    // The deleted scene's number is free again.
    expect(
      (await storyboard(user.token, { project_id: project.id, scene_number: 1, description: "新的第一场" }))
        .scene_number,
    ).toBe(1);
  });

  it("rejects bad input with field errors and changes nothing", async () => {
    const user = await newUser();
    const other = await newUser();
    const project = await studioProject(user.token);
    const theirs = await studioProject(other.token);
    const theirChar = await uploadCharacter(other.token, theirs.id, fixture("rgb.png"));
    const bad = async (json: unknown, status: number, code: string, field?: string) => {
      const err = expectStudioError(
        await call("POST", "/api/v1/storyboards", { token: user.token, json }),
        status,
        code,
      );
      if (field) expect(err.errors?.map((e) => e.field)).toContain(field);
    };
    await bad({ project_id: project.id }, 422, "VALIDATION_ERROR", "body.description");
    await bad(
      { project_id: project.id, description: "x", scene_number: "1" },
      422,
      "VALIDATION_ERROR",
      "body.scene_number",
    );
    await bad(
      { project_id: project.id, description: "x", duration: 0 },
      422,
      "VALIDATION_ERROR",
      "body.duration",
    );
    await bad(
      { project_id: project.id, description: "x", character_ids: [theirChar.id] },
      422,
      "VALIDATION_ERROR",
      "body.character_ids",
    );
    await bad({ project_id: project.id, description: "x", extra: 1 }, 422, "VALIDATION_ERROR");
    await bad({ project_id: theirs.id, description: "x" }, 404, "NOT_FOUND");
    await bad({ project_id: "not-a-uuid", description: "x" }, 422, "VALIDATION_ERROR", "body.project_id");
    expect(await rowCount("storyboards", "owner_id = ?", user.id)).toBe(0);
    expect(await rowCount("storyboards", "owner_id = ?", other.id)).toBe(0);
  });
});

describe("storyboards: reorder", () => {
  it("renumbers scenes 1..n in the given order and refuses anything but a permutation", async () => {
    const user = await newUser();
    const project = await studioProject(user.token);
    const made = [];
    for (const d of ["一", "二", "三", "四"])
      made.push(await storyboard(user.token, { project_id: project.id, description: d }));
    const order = [made[2].id, made[0].id, made[3].id, made[1].id];
    const res = await call("POST", "/api/v1/storyboards/reorder", {
      token: user.token,
      json: { project_id: project.id, order },
    });
    expect(res.status).toBe(200);
    expect(res.body.items.map((s: { id: number; scene_number: number }) => [s.id, s.scene_number])).toEqual(
      order.map((id, i) => [id, i + 1]),
    );
    const before = await call("GET", `/api/v1/storyboards?project_id=${project.id}`, { token: user.token });
    for (const wrong of [order.slice(1), [...order, order[0]], [order[0], order[1], order[2], 999999]]) {
      expectStudioError(
        await call("POST", "/api/v1/storyboards/reorder", {
          token: user.token,
          json: { project_id: project.id, order: wrong },
        }),
        422,
        "VALIDATION_ERROR",
      );
    }
    const after = await call("GET", `/api/v1/storyboards?project_id=${project.id}`, { token: user.token });
    expect(after.body).toEqual(before.body);
    const other = await newUser();
    expectStudioError(
      await call("POST", "/api/v1/storyboards/reorder", {
        token: other.token,
        json: { project_id: project.id, order },
      }),
      404,
      "NOT_FOUND",
    );
  });
});

describe("storyboards: images", () => {
  it("generates with the built-in generator: signed request, image in R2, a real consistency score", async () => {
    const log: FrameLog = { requests: [], failures: 0 };
    server.use(framesHandler(log));
    const user = await newUser();
    const project = await studioProject(user.token, { aspect_ratio: "16:9" });
    const hero = await uploadCharacter(user.token, project.id, await stripes(), "小明");
    const withHero = await storyboard(user.token, {
      project_id: project.id,
      description: "小明在公园散步",
      caption: "小明：好天气",
      character_ids: [hero.id],
    });
    const alone = await storyboard(user.token, { project_id: project.id, description: "空荡的街道" });

    const res = await call("POST", `/api/v1/storyboards/${withHero.id}/generate`, {
      token: user.token,
      json: { style: "anime" },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      storyboard_id: withHero.id,
      image_url: expect.stringContaining("/files/"),
      status: "completed",
      style: "anime",
      processing_time: expect.any(Number),
    });
    expect(res.body.consistency_score).toBeGreaterThan(0.8);
    expect(log.requests[0]).toMatchObject({
      width: 1280,
      height: 720,
      style: "anime",
      title: "第1场",
      text: "小明在公园散步\n小明：好天气",
    });
    expect(log.requests[0]?.reference_images).toHaveLength(1);
    expect(log.requests[0]?.reference_images[0]).toMatch(/^http:\/\/127\.0\.0\.1:8787\/files\//);
    const img = await exports.default.fetch(new Request(res.body.image_url));
    expect(img.headers.get("content-type")).toBe("image/png");

    const plain = await call("POST", `/api/v1/storyboards/${alone.id}/generate`, {
      token: user.token,
      json: {},
    });
    expect(plain.body).toMatchObject({ style: "cinematic", consistency_score: null });

    // Regenerating replaces the image; the old object is removed.
    const keys = await storedKeys(user.id);
    await call("POST", `/api/v1/storyboards/${withHero.id}/generate`, {
      token: user.token,
      json: { style: "comic" },
    });
    expect(await storedKeys(user.id)).toHaveLength(keys.length);
    const got = await call("GET", `/api/v1/storyboards/${withHero.id}`, { token: user.token });
    expect(got.body).toMatchObject({ status: "completed", style: "comic", image_source: "generated" });

    expectStudioError(
      await call("POST", `/api/v1/storyboards/${alone.id}/generate`, {
        token: user.token,
        json: { style: "oil" },
      }),
      422,
      "VALIDATION_ERROR",
    );
  });

  it("answers 503 when the renderer is down and leaves the storyboard as it was", async () => {
    server.use(framesHandler({ requests: [], failures: 0 }, { down: true }));
    const user = await newUser();
    const project = await studioProject(user.token);
    const sb = await storyboard(user.token, { project_id: project.id, description: "雨夜" });
    const res = await call("POST", `/api/v1/storyboards/${sb.id}/generate`, {
      token: user.token,
      json: { style: "anime" },
    });
    expectStudioError(res, 503, "SERVICE_UNAVAILABLE");
    expect(res.headers.get("retry-after")).toBe("5");
    const after = await call("GET", `/api/v1/storyboards/${sb.id}`, { token: user.token });
    expect(after.body).toMatchObject({ status: "failed", image_url: null });
    expect(after.body.error).toMatch(/renderer is unavailable/);
    expect(await storedKeys(user.id)).toEqual([]);
  });

  it("answers 503 with the renderer's own reason when its host lacks ffmpeg", async () => {
    server.use(framesHandler({ requests: [], failures: 0 }, { unavailable: ["ffmpeg (ffmpeg: not found)"] }));
    const user = await newUser();
    const project = await studioProject(user.token);
    const sb = await storyboard(user.token, { project_id: project.id, description: "雨夜" });
    const res = await call("POST", `/api/v1/storyboards/${sb.id}/generate`, {
      token: user.token,
      json: { style: "anime" },
    });
    expectStudioError(res, 503, "SERVICE_UNAVAILABLE");
    expect(res.body.detail).toBe(
      "The renderer failed to draw the frame (HTTP 503: the renderer cannot render on this host, missing: ffmpeg (ffmpeg: not found)); try again shortly",
    );
    expect(res.headers.get("retry-after")).toBe("5");
    expect(await storedKeys(user.id)).toEqual([]);
  });

  it("takes a user's own image as a human override, scored the same way", async () => {
    const user = await newUser();
    const project = await studioProject(user.token);
    const hero = await uploadCharacter(user.token, project.id, await stripes(), "小明");
    const sb = await storyboard(user.token, {
      project_id: project.id,
      description: "小明",
      character_ids: [hero.id],
    });
    const same = await call("PUT", `/api/v1/storyboards/${sb.id}/image`, {
      token: user.token,
      body: imageForm({}, await stripes(480, 640)),
    });
    expect(same.status).toBe(200);
    expect(same.body).toMatchObject({ status: "completed", image_source: "upload", style: null });
    expect(same.body.consistency_score).toBeGreaterThan(0.9);
    const unlike = await call("PUT", `/api/v1/storyboards/${sb.id}/image`, {
      token: user.token,
      body: imageForm({}, fixture("rgb.png")),
    });
    expect(unlike.body.consistency_score).toBeLessThan(same.body.consistency_score);
    const fake = await call("PUT", `/api/v1/storyboards/${sb.id}/image`, {
      token: user.token,
      body: imageForm({}, new TextEncoder().encode("GIF89a but not really")),
    });
    expectStudioError(fake, 415, "UNSUPPORTED_MEDIA_TYPE");
  });

  it("shows, changes and generates nothing of another user's storyboards", async () => {
    server.use(framesHandler({ requests: [], failures: 0 }));
    const owner = await newUser();
    const other = await newUser();
    const project = await studioProject(owner.token);
    const sb = await storyboard(owner.token, { project_id: project.id, description: "私密" });
    for (const [method, path, opts] of [
      ["GET", `/api/v1/storyboards/${sb.id}`, {}],
      ["PUT", `/api/v1/storyboards/${sb.id}`, { json: { description: "stolen" } }],
      ["DELETE", `/api/v1/storyboards/${sb.id}`, {}],
      ["POST", `/api/v1/storyboards/${sb.id}/generate`, { json: { style: "anime" } }],
      ["PUT", `/api/v1/storyboards/${sb.id}/image`, { body: imageForm({}, fixture("rgb.png")) }],
      ["GET", `/api/v1/storyboards?project_id=${project.id}`, {}],
    ] as const) {
      expectStudioError(await call(method, path, { token: other.token, ...opts }), 404, "NOT_FOUND");
    }
    const mine = await call("GET", `/api/v1/storyboards/${sb.id}`, { token: owner.token });
    expect(mine.body).toMatchObject({ description: "私密", status: "pending", image_url: null });
    expect(await storedKeys(owner.id)).toEqual([]);
  });
});
