import { describe, expect, it } from "vitest";
import { type CallResult, call, expectStudioError, newUser } from "../helpers/http";
import { fixture } from "../helpers/images";
import { imageForm, storedKeys, stripes, studioProject, uploadCharacter } from "../helpers/studio";
import { startWorkflow, TWO_SCENE_SCRIPT, until, waitUntil } from "../helpers/workflows";

/**
 * Once a studio project is deleted, its characters and storyboards are as gone
 * as the project — 404 on every child route — and nothing is written under its R2 prefix again.
 */
describe("children of a deleted studio project", () => {
  it("answer 404 on every route, write nothing to R2, and the project's live workflow is cancelled", async () => {
    const user = await newUser();
    const project = await studioProject(user.token, { script: TWO_SCENE_SCRIPT });
    const ch = await uploadCharacter(user.token, project.id, fixture("rgb.png"));
    const sbRes = await call("POST", "/api/v1/storyboards", {
      token: user.token,
      json: { project_id: project.id, description: "公园", character_ids: [ch.id] },
    });
    expect(sbRes.status).toBe(200);
    const sb = sbRes.body as { id: number };
    // An external workflow stays live until workers act, so the delete finds it running.
    const wf = await startWorkflow(user.token, {
      project_id: project.id,
      workflow_type: "storyboard",
      generator: "external",
    });

    expect((await call("DELETE", `/api/v1/projects/${project.id}`, { token: user.token })).status).toBe(200);
    // The queued cleanup empties the project's prefix.
    await waitUntil(async () => (await storedKeys(user.id)).length === 0, 20_000, "R2 cleanup");

    const png = await stripes(120, 160);
    const image = () => imageForm({}, png);
    const attempts: [string, string, () => Promise<CallResult>][] = [
      ["GET", "character", () => call("GET", `/api/v1/characters/${ch.id}`, { token: user.token })],
      [
        "PUT",
        "character",
        () => call("PUT", `/api/v1/characters/${ch.id}`, { token: user.token, json: { name: "新名字" } }),
      ],
      [
        "PUT",
        "character image",
        () => call("PUT", `/api/v1/characters/${ch.id}/image`, { token: user.token, body: image() }),
      ],
      [
        "POST",
        "consistency model",
        () => call("POST", `/api/v1/characters/${ch.id}/consistency-model`, { token: user.token }),
      ],
      ["DELETE", "character", () => call("DELETE", `/api/v1/characters/${ch.id}`, { token: user.token })],
      [
        "POST",
        "character",
        () =>
          call("POST", "/api/v1/characters", {
            token: user.token,
            body: imageForm({ name: "新角色", project_id: project.id }, png),
          }),
      ],
      ["GET", "storyboard", () => call("GET", `/api/v1/storyboards/${sb.id}`, { token: user.token })],
      [
        "PUT",
        "storyboard",
        () => call("PUT", `/api/v1/storyboards/${sb.id}`, { token: user.token, json: { description: "改" } }),
      ],
      [
        "PUT",
        "storyboard image",
        () => call("PUT", `/api/v1/storyboards/${sb.id}/image`, { token: user.token, body: image() }),
      ],
      [
        "POST",
        "storyboard generate",
        () =>
          call("POST", `/api/v1/storyboards/${sb.id}/generate`, {
            token: user.token,
            json: { style: "anime" },
          }),
      ],
      ["DELETE", "storyboard", () => call("DELETE", `/api/v1/storyboards/${sb.id}`, { token: user.token })],
      [
        "GET",
        "storyboards of the project",
        () => call("GET", `/api/v1/storyboards?project_id=${project.id}`, { token: user.token }),
      ],
      [
        "POST",
        "storyboard",
        () =>
          call("POST", "/api/v1/storyboards", {
            token: user.token,
            json: { project_id: project.id, description: "新场景" },
          }),
      ],
      [
        "POST",
        "reorder",
        () =>
          call("POST", "/api/v1/storyboards/reorder", {
            token: user.token,
            json: { project_id: project.id, order: [sb.id] },
          }),
      ],
    ];
    for (const [method, what, attempt] of attempts) {
      const res = await attempt();
      expect(res.status, `${method} ${what}: ${res.text}`).toBe(404);
      expectStudioError(res, 404, "NOT_FOUND");
    }
    // The character list is a filter (a foreign project's is empty too): it shows none of them.
    for (const query of [`?project_id=${project.id}`, ""]) {
      const list = await call("GET", `/api/v1/characters${query}`, { token: user.token });
      expect(list.body).toEqual({ total: 0, items: [] });
    }
    // Nothing was written under the deleted project's prefix after the cleanup.
    expect(await storedKeys(user.id)).toEqual([]);
    // The workflow stopped with its project: nothing of it can be claimed or drawn any more.
    const stopped = await until(user.token, wf.id, (w) => w.status === "cancelled");
    expect(stopped.status).toBe("cancelled");
  });
});
