import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { exponentialBackoff } from "../../contracts/backoff";
import { freePort } from "../../tools/local-stack/services.mjs";
import { lastWords, startDevStack, supervise } from "../dev-stack.mjs";

type Stack = Awaited<ReturnType<typeof startDevStack>>;
const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

async function until<T>(probe: () => Promise<T | undefined | false> | T | undefined | false, what: string) {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const v = await Promise.resolve()
      .then(probe)
      .catch(() => undefined);
    if (v) return v as T;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The dev stack on free ports with its own wrangler state and Redis directory, logs collected. */
async function devStack(opts: Parameters<typeof startDevStack>[0]) {
  const dir = mkdtempSync(join(tmpdir(), "sds-dev-"));
  const lines: string[] = [];
  let output = "";
  const sink = { write: (d: unknown) => (output += String(d)) };
  const stack: Stack = await startDevStack({
    port: await freePort(),
    rendererPort: await freePort(),
    inspectorPort: await freePort(),
    persistTo: join(dir, "wrangler"),
    redisDir: join(dir, "redis"),
    log: (l: string) => lines.push(l),
    output: { stdout: sink, stderr: sink },
    ...opts,
  });
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  cleanup.push(() => stack.stop());
  return { stack, lines, output: () => output };
}

describe("the pieces", () => {
  it("names a death by the last line the process wrote, a JSON log line by its msg", () => {
    expect(lastWords('starting\n{"level":"fatal","msg":"Error: spawn ffmpeg ENOENT"}\n')).toBe(
      "Error: spawn ffmpeg ENOENT",
    );
    expect(lastWords("\u001b[31m✘ [ERROR] Address already in use (127.0.0.1:8787)\u001b[0m\n\n")).toBe(
      "✘ [ERROR] Address already in use (127.0.0.1:8787)",
    );
    expect(lastWords("")).toBe("");
  });

  it("says a death by signal without blaming the last thing logged, and never retries a missing program", async () => {
    const lines: string[] = [];
    const quiet = { write: () => true };
    const opts = { log: (l: string) => lines.push(l), output: { stdout: quiet, stderr: quiet }, baseMs: 50 };
    const killed = supervise({
      ...opts,
      name: "killed",
      command: process.execPath,
      args: ["-e", "console.log('listening'); process.kill(process.pid, 'SIGKILL')"],
    });
    const missing = supervise({
      ...opts,
      name: "redis-server",
      command: "/nonexistent/redis-server",
      args: [],
    });
    cleanup.push(
      () => killed.stop(),
      () => missing.stop(),
    );
    await until(() => killed.starts >= 2 && missing.deaths === 1, "a restart and a failed start");
    expect(lines).toContain("[dev] killed exited (signal SIGKILL) — restarting in 0.05 s");
    expect(lines).toContain("[dev] redis-server could not start: spawn /nonexistent/redis-server ENOENT");
    // Several of the others' backoffs later, the missing program was still tried only once.
    await until(() => killed.starts >= 4, "more restarts of the other");
    expect(missing.starts).toBe(1);
  });

  it("backs off 1 s, 2 s, 4 s … up to the cap", () => {
    expect([0, 1, 2, 3, 4, 5, 6].map((n) => exponentialBackoff(n, 1000, 30_000))).toEqual([
      1000, 2000, 4000, 8000, 16_000, 30_000, 30_000,
    ]);
  });
});

describe("npm run dev's supervisor", () => {
  it("keeps the API serving while a renderer that dies at once is named, with its error, and restarted with backoff", async () => {
    const crash = `console.error(JSON.stringify({ level: "fatal", msg: "Error: spawn ffmpeg ENOENT" })); process.exit(1);`;
    const { stack, lines } = await devStack({
      rendererCommand: [process.execPath, "-e", crash],
      baseMs: 100,
      maxMs: 800,
    });
    const deaths = () => lines.filter((l) => l.startsWith("[dev] renderer exited"));
    await until(() => deaths().length >= 4, "four renderer deaths");
    expect(deaths().slice(0, 4)).toEqual([
      "[dev] renderer exited (code 1): Error: spawn ffmpeg ENOENT — restarting in 0.1 s",
      "[dev] renderer exited (code 1): Error: spawn ffmpeg ENOENT — restarting in 0.2 s",
      "[dev] renderer exited (code 1): Error: spawn ffmpeg ENOENT — restarting in 0.4 s",
      "[dev] renderer exited (code 1): Error: spawn ffmpeg ENOENT — restarting in 0.8 s",
    ]);
    expect(stack.service("renderer")?.starts).toBeGreaterThanOrEqual(4);

    const health = await until(async () => {
      const res = await fetch(`${stack.apiUrl}/health`);
      return res.ok ? ((await res.json()) as Record<string, unknown>) : undefined;
    }, "the API");
    expect(health).toMatchObject({ status: expect.any(String) });
    expect(stack.service("wrangler")?.deaths).toBe(0);
    expect(stack.service("redis-server")?.deaths).toBe(0);
    // The summary line says the renderer does not answer; the API is there all along.
    await stack.ready;
    expect(lines.find((l) => l.startsWith("[dev] API"))).toMatch(
      `[dev] API ${stack.apiUrl} (docs ${stack.apiUrl}/api/docs) · renderer ${stack.rendererUrl} not answering (it exited`,
    );
  });

  it("with a real renderer on a host without ffmpeg: degraded, and the API's 503 carries the renderer's reason", async () => {
    const { stack, lines } = await devStack({ rendererEnv: { FFMPEG_PATH: "/nonexistent/ffmpeg" } });
    await stack.ready;
    const summary = lines.find((l) => l.startsWith("[dev] API"));
    expect(summary).toBe(
      `[dev] API ${stack.apiUrl} (docs ${stack.apiUrl}/api/docs) · renderer ${stack.rendererUrl} degraded, missing: ffmpeg (/nonexistent/ffmpeg: not found)`,
    );
    const healthz = await fetch(`${stack.rendererUrl}/healthz`);
    expect(healthz.status).toBe(503);
    expect(await healthz.json()).toMatchObject({
      status: "degraded",
      missing: ["ffmpeg (/nonexistent/ffmpeg: not found)"],
      redis: "ready",
    });

    // A user asks for a storyboard card: the answer names what the renderer lacks.
    const api = async (method: string, path: string, body?: unknown, token?: string) => {
      const res = await fetch(`${stack.apiUrl}${path}`, {
        method,
        headers: {
          ...(body ? { "Content-Type": "application/json" } : {}),
          ...(token ? { Authorization: `Bearer ${token}` } : {}),
        },
        body: body ? JSON.stringify(body) : null,
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    const email = `dev-${crypto.randomUUID().slice(0, 8)}@example.com`;
    await api("POST", "/api/v1/auth/register", { email, password: "SecurePassword123!", username: "dev" });
    const login = await api("POST", "/api/v1/auth/login", { email, password: "SecurePassword123!" });
    const token = String(login.body.access_token);
    const project = await api("POST", "/api/v1/projects", { name: "雨夜", description: "一场雨" }, token);
    const sb = await api(
      "POST",
      "/api/v1/storyboards",
      { project_id: project.body.id, scene_number: 1, description: "雨夜" },
      token,
    );
    const generated = await api(
      "POST",
      `/api/v1/storyboards/${sb.body.id}/generate`,
      { style: "anime" },
      token,
    );
    expect(generated).toMatchObject({
      status: 503,
      body: {
        error_code: "SERVICE_UNAVAILABLE",
        detail:
          "The renderer failed to draw the frame (HTTP 503: the renderer cannot render on this host, missing: ffmpeg (/nonexistent/ffmpeg: not found)); try again shortly",
      },
    });
    expect(stack.service("renderer")?.deaths).toBe(0);
  });
});
