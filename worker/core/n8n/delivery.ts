import { z } from "zod";
import { assertPublicHttpUrl } from "../../platform/url-guard";
import { signWebhook } from "../../platform/webhook-signing";
import { allowPrivateWebhookUrls } from "./triggers";

const Payload = z.object({
  workflow: z.string(),
  trigger_id: z.string(),
  body: z.record(z.string(), z.unknown()),
});

/**
 * Sends one n8n trigger: a signed POST (Standard Webhooks headers), no redirects followed, a 10 s
 * timeout. Anything but 2xx throws, so the queue retries it with backoff and finally dead-letters
 * it. The `webhook-id` is our trigger id, so n8n can drop a repeat of a delivery it already ran.
 */
export async function deliverN8nTrigger(
  env: Env,
  targetUrl: string | null,
  payload: unknown,
  now: number,
): Promise<void> {
  if (!targetUrl) throw new Error("n8n trigger without a target URL");
  const url = assertPublicHttpUrl(targetUrl, { allowPrivate: allowPrivateWebhookUrls(env) });
  const p = Payload.parse(payload);
  const body = JSON.stringify({ workflow: p.workflow, trigger_id: p.trigger_id, ...p.body });
  const signed = await signWebhook(env.WEBHOOK_SIGNING_SECRET, p.trigger_id, Math.floor(now / 1000), body);
  const res = await fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/json", "User-Agent": "short-drama-studio/1", ...signed },
    body,
    redirect: "manual",
    signal: AbortSignal.timeout(10_000),
  });
  await res.body?.cancel();
  if (res.status < 200 || res.status >= 300) throw new Error(`n8n answered ${res.status}`);
}
