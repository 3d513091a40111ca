import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    redisUrl: string;
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      srv.close(() => resolve(typeof addr === "object" && addr ? addr.port : 0));
    });
  });
}

let redis: ChildProcess | undefined;
let dir: string | undefined;

/** A real redis-server on a free port, as BullMQ needs it: AOF on, no eviction. */
export default async function setup(project: TestProject) {
  const port = await freePort();
  dir = mkdtempSync(join(tmpdir(), "sds-redis-"));
  redis = spawn(
    "redis-server",
    [
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--dir",
      dir,
      "--appendonly",
      "yes",
      "--maxmemory-policy",
      "noeviction",
      "--save",
      "",
    ],
    { stdio: "ignore" },
  );
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = createServer();
      s.once("error", () => resolve(true)); // in use: redis is listening
      s.listen(port, "127.0.0.1", () => s.close(() => resolve(false)));
    });
    if (ok) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  project.provide("redisUrl", `redis://127.0.0.1:${port}`);
  return async () => {
    redis?.kill("SIGTERM");
    await new Promise((r) => redis?.once("exit", r));
    if (dir) rmSync(dir, { recursive: true, force: true });
  };
}
