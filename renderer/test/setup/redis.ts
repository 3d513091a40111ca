import type { TestProject } from "vitest/node";
import { startRedis } from "../../../tools/local-stack/services.mjs";

declare module "vitest" {
  export interface ProvidedContext {
    redisUrl: string;
  }
}

/** A real redis-server on a free port for the whole run, as BullMQ needs it: AOF on, no eviction. */
export default async function setup(project: TestProject) {
  const redis = await startRedis();
  project.provide("redisUrl", redis.url);
  return () => redis.stop();
}
