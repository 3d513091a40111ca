import type { Database } from "../db/client";
import type { AppConfig } from "../platform/config";

/** What core functions of the automation surface need: bindings, database, config, clock, origin. */
export interface CoreContext {
  env: Env;
  db: Database;
  config: AppConfig;
  now: number;
  /** The public origin of this API, for callback URLs handed to n8n. */
  origin: string;
}
