import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { newTenant } from "../helpers/automation";
import { call } from "../helpers/http";
import { server } from "../helpers/msw";
import { studioProject } from "../helpers/studio";
import { scenes, startWorkflow, until } from "../helpers/workflows";
import { CANARY, jobsOf, ledgerOf, openAiAccount, openAiImages, quotaUsed, type VendorLog } from "./helpers";

beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const IMAGE = { platform: "openai", model: "gpt-image-1" };

describe("storyboard images from a provider (OpenAI gpt-image, msw at the HTTP boundary)", () => {
  it("draws each storyboard once, charges exactly the estimate, names the provider, never shows the key", async () => {
    const t = await newTenant("gen");
    await openAiAccount(t);
    const project = await studioProject(t.token, { script: scenes(3) });
    const log: VendorLog = { requests: [] };
    server.use(openAiImages(log));
    const logs: string[] = [];
    const spies = (["log", "info", "warn", "error"] as const).map((m) => {
      const original = console[m];
      console[m] = (...args: unknown[]) => {
        logs.push(args.map(String).join(" "));
        original(...args);
      };
      return () => {
        console[m] = original;
      };
    });
    try {
      const body = { project_id: project.id, workflow_type: "storyboard", options: { image: IMAGE } };
      const quote = await call("POST", "/api/v1/workflows/estimate", { token: t.token, json: body });
      expect(quote.status).toBe(200);
      expect(quote.body.lines.find((l: any) => l.step === "storyboard_generation")).toMatchObject({
        provider: "openai",
        model: "gpt-image-1",
        items: 3,
        unit_price: 0.5,
        amount: 1.5,
      });
      expect(quote.body.generation).toBe(1.5);
      const before = await quotaUsed(t.id);
      const wf = await startWorkflow(t.token, { ...body, quote_id: quote.body.quote_id });
      const done = await until(t.token, wf.id, (w) => w.status === "completed" || w.status === "failed");
      expect(done.status).toBe("completed");
      expect(done.steps.find((s: any) => s.name === "storyboard_generation").provider).toEqual({
        platform: "openai",
        model: "gpt-image-1",
        source: "options",
      });
      expect(done.credits).toMatchObject({ quoted: 1.5, charged: 1.5, reserved: 0 });
      // One call per storyboard, with the account's key as a Bearer token and the shot's prompt.
      expect(log.requests).toHaveLength(3);
      for (const r of log.requests) {
        expect(r.auth).toBe(`Bearer ${CANARY}`);
        expect(r.body).toMatchObject({ model: "gpt-image-1", size: "1024x1536", n: 1 });
        expect(r.body.prompt).toContain("霓虹灯");
      }
      // Charged exactly the estimate, to the credit.
      expect((await quotaUsed(t.id)) - before).toBe(150);
      const ledger = await ledgerOf(t.id);
      expect(ledger.filter((l) => l.kind === "commit" && l.generation_job_id !== null)).toHaveLength(3);
      expect(
        ledger.filter((l) => l.kind === "reserve" && l.workflow_id === wf.id && l.generation_job_id === null),
      ).toEqual([expect.objectContaining({ amount: -150 })]);
      const boards = await call("GET", `/api/v1/storyboards?project_id=${project.id}`, { token: t.token });
      const items = boards.body.items ?? boards.body;
      expect(items).toHaveLength(3);
      for (const sb of items) expect(sb.image_source).toBe("generated");
      const jobs = await jobsOf(t.id);
      expect(jobs.map((j) => [j.state, j.money, j.settled_cost])).toEqual([
        ["succeeded", "charged", 50],
        ["succeeded", "charged", 50],
        ["succeeded", "charged", 50],
      ]);
      // The canary credential: in no response, no log line, no stored job row.
      const seen = JSON.stringify([quote.body, done, boards.body, jobs, ledger]) + logs.join("\n");
      expect(seen).not.toContain(CANARY);
    } finally {
      for (const restore of spies) restore();
    }
  });
});
