import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { readDevVars } from "../scripts/dev-vars.mjs";
import { ShortDramaClient } from "../sdk/src/index";
import { type N8nWorkflow, runWorkflow } from "./n8n-runner";

/**
 * The templates of examples/n8n replayed against the running Worker: the Studio's signed triggers
 * arrive at a local HTTP server standing in for n8n, the template runs node by node (its Code
 * nodes verify the signature and shape the results), and its HTTP Request nodes call the Studio's
 * webhooks with an API key in a header. Only the third parties (the LLM, the video platform) are faked.
 */
const TEMPLATES = join(import.meta.dirname, "..", "examples", "n8n");
const load = (file: string) => JSON.parse(readFileSync(join(TEMPLATES, file), "utf8")) as N8nWorkflow;

interface Delivery {
  path: string;
  headers: Record<string, string>;
  body: any;
}
const deliveries: Delivery[] = [];
let server: Server;
let hookBase = "";

beforeAll(async () => {
  server = createServer((req, res) => {
    let raw = "";
    req.on("data", (c) => (raw += c));
    req.on("end", () => {
      deliveries.push({
        path: req.url ?? "",
        headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)])),
        body: JSON.parse(raw),
      });
      res.writeHead(200, { "Content-Type": "application/json" }).end('{"message":"Workflow was started"}');
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  hookBase = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

async function nextDelivery(path: string, after: number): Promise<Delivery> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const hit = deliveries.slice(after).find((d) => d.path === `/webhook/${path}`);
    if (hit) return hit;
    if (Date.now() > deadline)
      throw new Error(`no delivery to ${path}; got ${deliveries.map((d) => d.path).join(", ")}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const openAi = (content: unknown) => ({
  choices: [{ message: { role: "assistant", content: JSON.stringify(content) } }],
});

describe("the n8n templates (examples/n8n) against the Worker", () => {
  it("runs inspiration → project creation → project execution end to end, refusing a forged delivery", async () => {
    const base = inject("apiUrl");
    const owner = new ShortDramaClient({ baseUrl: base });
    const email = `n8n-${Date.now()}@example.com`;
    await owner.auth.register({ email, password: "SecurePassword123!", username: "n8n" });
    await owner.auth.login({ email, password: "SecurePassword123!" });
    const ops = new ShortDramaClient({
      baseUrl: base,
      apiKey: (await owner.auth.createApiKey({ name: "ops", scopes: ["automation"] })).key,
    });
    const n8nKey = (await owner.auth.createApiKey({ name: "n8n", scopes: ["webhooks"] })).key;
    for (const [workerType, path] of [
      ["inspiration", "sds-inspiration"],
      ["project_creation", "sds-project-creation"],
      ["project_execution", "sds-project-execution"],
    ]) {
      await ops.automation.workerConfigs.create({
        configName: `n8n ${workerType}`,
        configType: "n8n_workflow",
        workerType: workerType as string,
        configData: { webhook_url: `${hookBase}/${path}` },
      });
    }
    const calls: { node: string; url: string; status: number; body: unknown; response: any }[] = [];
    const platformCalls: unknown[] = [];
    const runner = {
      studioOrigin: base,
      env: { SDS_WEBHOOK_SECRET: readDevVars().WEBHOOK_SIGNING_SECRET ?? "" },
      credentials: {
        "Short Drama Studio API key": ["Authorization", `Bearer ${n8nKey}`] as [string, string],
      },
      calls,
      thirdParty: async (node: string, req: { url: string; body: any }) => {
        if (node === "Generate the pitch") {
          expect(req.body.messages[1].content).toContain("雨夜重逢");
          return openAi({
            title: "雨夜重逢：出租车里的旧情人",
            description: "一场暴雨让分手五年的恋人同乘一辆车。",
            parameters: { genre: "romance" },
            score: 82,
          });
        }
        if (node === "Plan the project") {
          return openAi({
            name: "雨夜重逢",
            scenes: [
              { description: "暴雨夜的路口", dialogue: "" },
              { description: "出租车后座", dialogue: "好久不见。" },
            ],
          });
        }
        if (node === "Generate on the platform") {
          platformCalls.push(req.body);
          if (req.body.promptText.includes("scene-2-video") && platformCalls.length === 4)
            throw new Error("platform busy");
          return {
            id: `rw-${platformCalls.length}`,
            status: "SUCCEEDED",
            output: [`https://cdn.example.com/${platformCalls.length}.mp4`],
          };
        }
        throw new Error(`unexpected third-party call from ${node}`);
      },
    };

    // 1. Inspiration generation.
    let seen = deliveries.length;
    const inspiration = await ops.inspirations.create({
      title: "雨夜重逢",
      description: "暴雨、出租车、旧情人",
    });
    const d1 = await nextDelivery("sds-inspiration", seen);
    expect(d1.body).toMatchObject({
      workflow: "inspiration",
      inspiration_id: inspiration.id,
      title: "雨夜重逢",
    });
    // A forged delivery (body changed after signing) is stopped by the template's verification.
    await expect(
      runWorkflow(
        load("inspiration-generation.json"),
        { headers: d1.headers, body: { ...d1.body, title: "改过的" } },
        runner,
      ),
    ).rejects.toThrow(/Invalid Short Drama Studio signature/);
    expect(calls).toHaveLength(0);
    await runWorkflow(load("inspiration-generation.json"), d1, runner);
    expect(calls.at(-1)).toMatchObject({ status: 200, response: { code: 0 } });
    const pitched = await ops.inspirations.get(inspiration.id);
    expect(pitched).toMatchObject({
      status: "pending_review",
      title: "雨夜重逢：出租车里的旧情人",
      score: 82,
    });

    // 2. Project creation on approval.
    seen = deliveries.length;
    await ops.inspirations.approve(inspiration.id);
    const d2 = await nextDelivery("sds-project-creation", seen);
    await runWorkflow(load("project-creation.json"), d2, runner);
    const created = calls.at(-1)?.response;
    expect(created).toMatchObject({ code: 0, data: { tasks_created: 4 } });
    const projectId = created.data.project_id as number;
    const project = await ops.automation.projects.get(projectId);
    expect(project.tasks.map((t) => [t.task_type, t.status])).toEqual([
      ["image_generation", "pending"],
      ["image_generation", "pending"],
      ["video_generation", "waiting"],
      ["video_generation", "waiting"],
    ]);

    // 3. Project execution, triggered by regenerate, until every task is done; a platform failure is
    // reported as a failed task and the next regenerate retries it.
    for (let round = 0; round < 4; round++) {
      const state = await ops.automation.projects.get(projectId);
      if (state.status === "completed") break;
      seen = deliveries.length;
      await ops.automation.projects.regenerate(projectId);
      const d3 = await nextDelivery("sds-project-execution", seen);
      expect(d3.body).toMatchObject({ workflow: "project_execution", project_id: projectId });
      await runWorkflow(load("project-execution.json"), d3, runner);
      expect(calls.at(-1)).toMatchObject({ status: 200, response: { code: 0 } });
    }
    const done = await ops.automation.projects.get(projectId);
    expect(done.status).toBe("completed");
    expect(done.tasks.every((t) => t.status === "completed")).toBe(true);
    expect(platformCalls.length).toBe(5);
    expect(done.tasks.find((t) => t.commit_id === "scene-2-video")?.task_output).toMatchObject({
      result_url: "https://cdn.example.com/5.mp4",
    });
  });
});
