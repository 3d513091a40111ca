import { expect } from "vitest";
import { type CallResult, call, newUser, type TestUser } from "./http";

export interface Tenant extends TestUser {
  /** API keys by role: operator (automation), worker, n8n (webhooks). */
  operator: string;
  worker: string;
  n8n: string;
}

async function key(user: TestUser, scopes: string[]): Promise<string> {
  const res = await call("POST", "/api/v1/auth/api-keys", {
    token: user.token,
    json: { name: scopes.join("+"), scopes },
  });
  if (res.status !== 200) throw new Error(`key creation failed: ${res.text}`);
  return res.body.key;
}

export async function newTenant(prefix = "tenant"): Promise<Tenant> {
  const user = await newUser(prefix);
  const [operator, worker, n8n] = await Promise.all([
    key(user, ["automation"]),
    key(user, ["worker"]),
    key(user, ["webhooks"]),
  ]);
  return { ...user, operator, worker, n8n };
}

/** Asserts the automation API's envelope with `code` and returns `data`. */
export function data<T = any>(res: CallResult, code = 0): T {
  if (res.body?.code !== code) throw new Error(`expected code ${code}, got HTTP ${res.status}: ${res.text}`);
  expect(typeof res.body.msg).toBe("string");
  const httpStatus = code === 0 || code === 1 ? 200 : code;
  expect(res.status).toBe(httpStatus);
  return res.body.data as T;
}

export async function createProject(t: Tenant, body: Record<string, unknown> = {}) {
  return data(
    await call("POST", "/projects", {
      token: t.operator,
      json: { name: "测试项目", project_type: "video_generation", ...body },
    }),
  );
}
