import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { data, newTenant, type Tenant } from "../helpers/automation";
import { call } from "../helpers/http";
import { fixture } from "../helpers/images";
import { stripes, studioProject } from "../helpers/studio";
import { startWorkflow, TWO_SCENE_SCRIPT, until, watch } from "../helpers/workflows";

async function claim(t: Tenant, types = ["character_image", "storyboard_image"]) {
  const res = await call("POST", "/api/tasks/claim", {
    token: t.worker,
    json: { task_types: types, worker_id: "painter-1" },
  });
  return res.body.code === 0 ? res.body.data : null;
}

/** What a worker does with an image it made: an asset, its bytes, then the task's completion. */
async function uploadAsset(t: Tenant, bytes: Uint8Array, type = "image") {
  const asset = data(
    await call("POST", "/api/assets", { token: t.worker, json: { name: "generated", asset_type: type } }),
  );
  const put = await exports.default.fetch(
    new Request(`https://api.test/api/assets/${asset.id}/content`, {
      method: "PUT",
      headers: { Authorization: `Bearer ${t.worker}`, "Content-Length": String(bytes.length) },
      body: bytes as Uint8Array<ArrayBuffer>,
    }),
  );
  if (put.status !== 200) throw new Error(`asset upload failed ${put.status} ${await put.text()}`);
  return asset.id as number;
}

function complete(t: Tenant, task: { id: number; lease_token: string }, output: Record<string, unknown>) {
  return call("PATCH", `/api/tasks/${task.id}`, {
    token: t.worker,
    json: { status: "completed", task_output: output, lease_token: task.lease_token },
  });
}

describe("an external workflow", () => {
  it("leaves character_image and storyboard_image tasks that workers claim and complete; the workflow advances", async () => {
    const t = await newTenant("studio-ext");
    const project = await studioProject(t.token, { script: TWO_SCENE_SCRIPT });
    const wf = await startWorkflow(t.token, {
      project_id: project.id,
      workflow_type: "storyboard",
      generator: "external",
      options: { style: "watercolor" },
    });
    const ws = await watch(t.token, wf.id);
    await ws.waitFor((f) => f.type === "step_started" && f.step === "character_generation");

    // Characters first: two of them, each with its context for the worker.
    const first = await claim(t);
    expect(first).toMatchObject({
      task_type: "character_image",
      status: "processing",
      lease_token: expect.any(String),
    });
    expect(first.task_output).toMatchObject({
      name: "小明",
      style: "watercolor",
      width: 720,
      height: 960,
      workflow_id: wf.id,
    });
    // Completing without an image, or with something that is not one, is refused and changes nothing.
    const noImage = await complete(t, first, { note: "done" });
    expect(noImage.body.code).toBe(400);
    expect(noImage.body.msg).toMatch(/task_output\.asset_id/);
    const textAsset = await uploadAsset(t, new TextEncoder().encode("not an image at all"), "text");
    const notImage = await complete(t, first, { asset_id: textAsset });
    expect(notImage.body.code).toBe(415);
    const stillProcessing = data(await call("GET", `/api/tasks/${first.id}`, { token: t.operator }));
    expect(stillProcessing.status).toBe("processing");

    const face = await stripes(300, 400);
    expect(data(await complete(t, first, { asset_id: await uploadAsset(t, face) })).status).toBe("completed");
    const second = await claim(t);
    expect(second.task_output.name).toBe("小红");
    data(await complete(t, second, { asset_id: await uploadAsset(t, fixture("rgb.png")) }));
    expect(await claim(t, ["character_image"])).toBeNull();

    // Then the storyboards, with the characters' images as references.
    await ws.waitFor((f) => f.type === "step_started" && f.step === "storyboard_generation");
    const sb = await claim(t);
    expect(sb.task_type).toBe("storyboard_image");
    expect(sb.task_output).toMatchObject({ scene_number: 1, style: "watercolor", width: 720, height: 1280 });
    expect(sb.task_output.characters.map((c: { name: string }) => c.name)).toEqual(["小明", "小红"]);
    expect(sb.task_output.characters[0].image_url).toContain("/files/");
    // A scene that looks like its first character scores high.
    data(await complete(t, sb, { asset_id: await uploadAsset(t, await stripes(600, 800)) }));
    const sb2 = await claim(t);
    data(await complete(t, sb2, { asset_id: await uploadAsset(t, fixture("lossy.webp")) }));

    await ws.waitFor((f) => f.type === "workflow_completed");
    ws.close();
    const boards = await call("GET", `/api/v1/storyboards?project_id=${project.id}`, { token: t.token });
    expect(
      boards.body.items.map((b: { image_source: string; status: string }) => [b.image_source, b.status]),
    ).toEqual([
      ["external", "completed"],
      ["external", "completed"],
    ]);
    expect(boards.body.items[0].consistency_score).toBeGreaterThan(boards.body.items[1].consistency_score);
    const chars = await call("GET", `/api/v1/characters?project_id=${project.id}`, { token: t.token });
    expect(chars.body.items.every((c: { image_url: string | null }) => c.image_url !== null)).toBe(true);
    expect(
      ws.frames.filter((f) => f.type === "progress_update" && /done/.test(f.message)).map((f) => f.message),
    ).toEqual(["1/2 characters done", "2/2 characters done", "1/2 storyboards done", "2/2 storyboards done"]);
  });

  it("hands out nothing while paused or after cancel, and never a workflow step", async () => {
    const t = await newTenant("studio-ext-pause");
    const project = await studioProject(t.token, { script: TWO_SCENE_SCRIPT });
    const wf = await startWorkflow(t.token, {
      project_id: project.id,
      workflow_type: "storyboard",
      generator: "external",
    });
    await until(t.token, wf.id, (w) => w.steps[1].items.total === 2);
    expect((await call("POST", `/api/v1/workflows/${wf.id}/pause`, { token: t.token })).status).toBe(200);
    expect(await claim(t)).toBeNull();
    // Steps are ours: a worker cannot claim them by their type either.
    expect(await claim(t, ["script_parsing", "character_generation", "storyboard_generation"])).toBeNull();
    expect((await call("POST", `/api/v1/workflows/${wf.id}/resume`, { token: t.token })).status).toBe(200);
    const task = await claim(t);
    expect(task.task_type).toBe("character_image");
    expect((await call("POST", `/api/v1/workflows/${wf.id}/cancel`, { token: t.token })).status).toBe(200);
    expect(await claim(t)).toBeNull();
    // The claim it held is void: the completion is refused.
    const late = await complete(t, task, { asset_id: await uploadAsset(t, fixture("rgb.png")) });
    expect(late.body.code).toBe(400);
    const row = await env.DB.prepare("SELECT status FROM tasks WHERE id = ?")
      .bind(task.id)
      .first<{ status: string }>();
    expect(row?.status).toBe("cancelled");
  });
});
