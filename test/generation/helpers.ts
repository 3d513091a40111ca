import { env } from "cloudflare:workers";
import { HttpResponse, http } from "msw";
import { data, type Tenant } from "../helpers/automation";
import { call } from "../helpers/http";
import { encodePng, paint } from "../helpers/images";

/**
 * Shared pieces of the generation tests: vendors are answered by msw at the HTTP boundary with
 * their documented shapes; everything else (the Worker, D1, R2, the queue, the Durable Objects) is
 * real.
 */
export const CANARY = "sk-canary-gen-7c1d2e3f4a5b6c7d8e9f0a1b";

export async function openAiAccount(t: Tenant, dailyLimit = 100, name = "openai_1") {
  return data(
    await call("POST", "/api/platform-accounts", {
      token: t.operator,
      json: { platform: "openai", name, credentials: { api_key: CANARY }, daily_limit: dailyLimit },
    }),
  );
}

/** A small portrait PNG (2:3, the gpt-image size 1024×1536 a 9:16 shot asks for), a colour per call. */
export function portraitPng(n: number): Promise<Uint8Array> {
  return encodePng(paint(32, 48, (x, y) => [(n * 40 + x) % 256, (y * 5) % 256, 120]));
}

const b64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));

export interface VendorLog {
  requests: { url: string; auth: string | null; body: any }[];
}

/**
 * OpenAI Images `POST /v1/images/generations` (https://platform.openai.com/docs/api-reference/images/create):
 * JSON `{model, prompt, n, size}` with `Authorization: Bearer <key>`, answered `{created, data: [{b64_json}]}`.
 * `answer(n)` may return another response for the n-th call (0-based).
 */
export function openAiImages(
  log: VendorLog,
  answer?: (n: number) => Response | Promise<Response> | undefined,
) {
  return http.post("https://api.openai.com/v1/images/generations", async ({ request }) => {
    const n = log.requests.length;
    log.requests.push({
      url: request.url,
      auth: request.headers.get("authorization"),
      body: await request.json(),
    });
    const custom = await answer?.(n);
    if (custom) return custom;
    return HttpResponse.json({ created: 1, data: [{ b64_json: b64(await portraitPng(n)) }] });
  });
}

export async function ledgerOf(userId: number) {
  const { results } = await env.DB.prepare(
    "SELECT kind, amount, workflow_id, generation_job_id, description FROM credit_ledger WHERE owner_id = ? ORDER BY id",
  )
    .bind(userId)
    .all<Record<string, any>>();
  return results;
}

export async function jobsOf(userId: number) {
  const { results } = await env.DB.prepare("SELECT * FROM generation_jobs WHERE owner_id = ? ORDER BY id")
    .bind(userId)
    .all<Record<string, any>>();
  return results;
}

export async function quotaUsed(userId: number): Promise<number> {
  const row = await env.DB.prepare("SELECT quota_used FROM subscriptions WHERE user_id = ?")
    .bind(userId)
    .first<{ quota_used: number }>();
  return row?.quota_used ?? 0;
}
