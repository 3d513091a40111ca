import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, expectStudioError, newUser } from "../helpers/http";
import { fixture } from "../helpers/images";
import { imageForm, rowCount, storedKeys, stripes, studioProject, uploadCharacter } from "../helpers/studio";

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

async function download(url: string) {
  const res = await exports.default.fetch(new Request(url));
  return { res, bytes: new Uint8Array(await res.arrayBuffer()) };
}

describe("characters: upload", () => {
  it("stores a PNG, JPEG or WebP under a server-made key and answers as documented", async () => {
    const user = await newUser();
    const project = await studioProject(user.token);
    for (const [name, file] of [
      ["主角", "rgb.png"],
      ["配角", "yuv420.jpg"],
      ["路人", "lossy.webp"],
    ] as const) {
      const bytes = fixture(file);
      const res = await call("POST", "/api/v1/characters", {
        token: user.token,
        body: imageForm({ name, project_id: project.id }, bytes, "../../evil\u202e.png", "text/html"),
      });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        id: expect.any(Number),
        name,
        project_id: project.id,
        image_url: expect.stringContaining("/files/users/"),
        consistency_model_id: expect.stringMatching(/^model_1_[0-9a-f]{16}$/),
        created_at: expect.stringMatching(ISO),
        image: { width: 96, height: 64, size_bytes: bytes.length },
        source: "upload",
      });
      const expectedType = { "rgb.png": "image/png", "yuv420.jpg": "image/jpeg", "lossy.webp": "image/webp" }[
        file
      ];
      expect(res.body.image.content_type).toBe(expectedType);
      const got = await download(res.body.image_url);
      expect(got.res.status).toBe(200);
      expect(got.res.headers.get("content-type")).toBe(expectedType);
      expect(got.bytes).toEqual(bytes);
    }
    const keys = await storedKeys(user.id);
    expect(keys).toHaveLength(3);
    for (const key of keys) {
      expect(key).toMatch(
        new RegExp(`^users/${user.id}/projects/${project.id}/characters/[0-9a-f-]{36}\\.(png|jpg|webp)$`),
      );
    }
  });

  it("refuses fakes, damaged, oversized and foreign uploads with clear errors and stores nothing", async () => {
    const user = await newUser();
    const other = await newUser();
    const project = await studioProject(user.token);
    const foreign = await studioProject(other.token);
    const png = fixture("rgb.png");
    const upload = (fields: Record<string, string>, bytes: Uint8Array, name = "x.png", type = "image/png") =>
      call("POST", "/api/v1/characters", { token: user.token, body: imageForm(fields, bytes, name, type) });
    const base = { name: "主角", project_id: project.id };

    const text = await upload(base, new TextEncoder().encode("just some text, renamed to .png"));
    expect(expectStudioError(text, 415, "UNSUPPORTED_MEDIA_TYPE").detail).toMatch(/not a PNG, JPEG or WebP/);
    const svg = await upload(
      base,
      new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
      "a.svg",
      "image/svg+xml",
    );
    expectStudioError(svg, 415, "UNSUPPORTED_MEDIA_TYPE");
    const truncated = await upload(base, png.subarray(0, Math.floor(png.length / 2)));
    expect(expectStudioError(truncated, 422, "VALIDATION_ERROR").detail).toMatch(/damaged or truncated/);
    const giant = png.slice();
    giant.set([0, 0, 0xc3, 0x50, 0, 0, 0xc3, 0x50], 16);
    expect(expectStudioError(await upload(base, giant), 413, "PAYLOAD_TOO_LARGE").detail).toMatch(/4096 px/);
    const big = new Uint8Array(20 * 1024 * 1024);
    big.set(png);
    expectStudioError(await upload(base, big), 413, "PAYLOAD_TOO_LARGE");
    expectStudioError(await upload({ name: "主角", project_id: foreign.id }, png), 404, "NOT_FOUND");
    expectStudioError(await upload({ name: "主角", project_id: crypto.randomUUID() }, png), 404, "NOT_FOUND");
    const missing = await call("POST", "/api/v1/characters", {
      token: user.token,
      body: (() => {
        const f = new FormData();
        f.set("name", "x");
        f.set("project_id", project.id);
        return f;
      })(),
    });
    expect(expectStudioError(missing, 422, "VALIDATION_ERROR").errors?.[0]?.field).toBe("body.image");
    const noName = await upload({ project_id: project.id }, png);
    expect(expectStudioError(noName, 422, "VALIDATION_ERROR").errors?.map((e) => e.field)).toContain(
      "body.name",
    );
    const json = await call("POST", "/api/v1/characters", { token: user.token, json: base });
    expect(json.status).toBeGreaterThanOrEqual(400);
    expect(json.status).toBeLessThan(500);

    expect(await storedKeys(user.id)).toEqual([]);
    expect(await storedKeys(other.id)).toEqual([]);
    expect(await rowCount("characters", "owner_id = ?", user.id)).toBe(0);
  });

  it("refuses a 20 MiB body sent chunked, before reading it", async () => {
    const user = await newUser();
    const project = await studioProject(user.token);
    const boundary = "----sds-boundary";
    const head = new TextEncoder().encode(
      `--${boundary}\r\nContent-Disposition: form-data; name="name"\r\n\r\nx\r\n--${boundary}\r\nContent-Disposition: form-data; name="project_id"\r\n\r\n${project.id}\r\n--${boundary}\r\nContent-Disposition: form-data; name="image"; filename="a.png"\r\nContent-Type: image/png\r\n\r\n`,
    );
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent === 0) controller.enqueue(head);
        if (sent > 20 * 1024 * 1024) return controller.close();
        controller.enqueue(new Uint8Array(1024 * 1024));
        sent += 1024 * 1024;
      },
    });
    const res = await exports.default.fetch(
      new Request("https://api.test/api/v1/characters", {
        method: "POST",
        headers: {
          Authorization: `Bearer ${user.token}`,
          "Content-Type": `multipart/form-data; boundary=${boundary}`,
        },
        body,
        // @ts-expect-error streaming request bodies need duplex in the fetch types
        duplex: "half",
      }),
    );
    expect(res.status).toBe(413);
    expect(await storedKeys(user.id)).toEqual([]);
  });
});

describe("characters: list, update, replace, delete, consistency model", () => {
  it("lists by project, edits, replaces the image, rebuilds the model and deletes", async () => {
    const user = await newUser();
    const p1 = await studioProject(user.token);
    const p2 = await studioProject(user.token);
    const a = await uploadCharacter(user.token, p1.id, await stripes(), "甲");
    const b = await uploadCharacter(user.token, p1.id, fixture("rgb.png"), "乙");
    await uploadCharacter(user.token, p2.id, fixture("rgb.png"), "丙");

    const all = await call("GET", "/api/v1/characters", { token: user.token });
    expect(all.body.total).toBe(3);
    const inP1 = await call("GET", `/api/v1/characters?project_id=${p1.id}`, { token: user.token });
    expect(inP1.body.total).toBe(2);
    expect(inP1.body.items.map((c: { name: string }) => c.name)).toEqual(["甲", "乙"]);
    expect(inP1.body.items[0]).toMatchObject({ id: a.id, image_url: expect.stringContaining("/files/") });

    const renamed = await call("PUT", `/api/v1/characters/${a.id}`, {
      token: user.token,
      json: { name: "甲一", description: "短发" },
    });
    expect(renamed.body).toMatchObject({ name: "甲一", description: "短发" });
    expectStudioError(
      await call("PUT", `/api/v1/characters/${a.id}`, { token: user.token, json: {} }),
      422,
      "VALIDATION_ERROR",
    );

    const model = await call("POST", `/api/v1/characters/${a.id}/consistency-model`, { token: user.token });
    expect(model.status).toBe(200);
    expect(model.body).toMatchObject({
      character_id: a.id,
      model_id: a.consistency_model_id,
      status: "completed",
      processing_time: expect.any(Number),
      signature: { phash: expect.stringMatching(/^[0-9a-f]{16}$/), histogram_bins: 64 },
      created_at: expect.stringMatching(ISO),
    });
    expect(model.body.processing_time).toBeGreaterThanOrEqual(0);

    const keysBefore = await storedKeys(user.id);
    const replaced = await call("PUT", `/api/v1/characters/${a.id}/image`, {
      token: user.token,
      body: imageForm({}, fixture("lossless.webp"), "new.webp", "image/webp"),
    });
    expect(replaced.status).toBe(200);
    expect(replaced.body.consistency_model_id).not.toBe(a.consistency_model_id);
    expect(replaced.body.image.content_type).toBe("image/webp");
    const keysAfter = await storedKeys(user.id);
    expect(keysAfter).toHaveLength(keysBefore.length);
    expect(keysAfter.filter((k) => !keysBefore.includes(k))).toHaveLength(1);

    const sb = await call("POST", "/api/v1/storyboards", {
      token: user.token,
      json: { project_id: p1.id, scene_number: 1, description: "两人见面", character_ids: [a.id, b.id] },
    });
    expect(sb.status).toBe(200);
    const del = await call("DELETE", `/api/v1/characters/${a.id}`, { token: user.token });
    expect(del.body).toEqual({ message: "Character deleted successfully" });
    expect(await storedKeys(user.id)).toHaveLength(keysBefore.length - 1);
    expectStudioError(
      await call("GET", `/api/v1/characters/${a.id}`, { token: user.token }),
      404,
      "NOT_FOUND",
    );
    const after = await call("GET", `/api/v1/storyboards/${sb.body.id}`, { token: user.token });
    expect(after.body.character_ids).toEqual([b.id]);
  });

  it("shows nothing of one user's characters to another", async () => {
    const owner = await newUser();
    const other = await newUser();
    const project = await studioProject(owner.token);
    const ch = await uploadCharacter(owner.token, project.id, fixture("rgb.png"));
    const t = other.token;
    for (const [method, path, opts] of [
      ["GET", `/api/v1/characters/${ch.id}`, {}],
      ["PUT", `/api/v1/characters/${ch.id}`, { json: { name: "stolen" } }],
      ["PUT", `/api/v1/characters/${ch.id}/image`, { body: imageForm({}, fixture("rgb.png")) }],
      ["DELETE", `/api/v1/characters/${ch.id}`, {}],
      ["POST", `/api/v1/characters/${ch.id}/consistency-model`, {}],
    ] as const) {
      expectStudioError(await call(method, path, { token: t, ...opts }), 404, "NOT_FOUND");
    }
    const list = await call("GET", `/api/v1/characters?project_id=${project.id}`, { token: t });
    expect(list.body).toEqual({ total: 0, items: [] });
    const mine = await call("GET", `/api/v1/characters/${ch.id}`, { token: owner.token });
    expect(mine.body.name).toBe("主角");
    expect(await storedKeys(other.id)).toEqual([]);
  });
});
