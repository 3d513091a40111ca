import { exports } from "cloudflare:workers";

export const ORIGIN = "https://api.test";

export interface CallOptions {
  token?: string | undefined;
  json?: unknown;
  form?: Record<string, string>;
  body?: BodyInit;
  headers?: Record<string, string>;
  /** Client address as Cloudflare would report it; each test user gets its own by default. */
  ip?: string;
}

export interface CallResult<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

let ipCounter = Math.floor(Math.random() * 200);

/** A fresh client address, so per-IP limits of one test never affect another. */
export function uniqueIp(): string {
  ipCounter++;
  return `10.${Math.floor(Math.random() * 250)}.${(ipCounter >> 8) & 255}.${ipCounter & 255}`;
}

/** Calls the Worker's own fetch handler inside workerd, like a client over HTTP would. */
export async function call<T = any>(
  method: string,
  path: string,
  opts: CallOptions = {},
): Promise<CallResult<T>> {
  const headers = new Headers(opts.headers);
  headers.set("CF-Connecting-IP", opts.ip ?? headers.get("CF-Connecting-IP") ?? uniqueIp());
  if (opts.token) headers.set("Authorization", `Bearer ${opts.token}`);
  let body: BodyInit | undefined = opts.body;
  if (opts.json !== undefined) {
    headers.set("Content-Type", "application/json");
    body = JSON.stringify(opts.json);
  } else if (opts.form) {
    headers.set("Content-Type", "application/x-www-form-urlencoded");
    body = new URLSearchParams(opts.form).toString();
  }
  const res = await exports.default.fetch(new Request(`${ORIGIN}${path}`, { method, headers, body }));
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    // not JSON; keep the text
  }
  return { status: res.status, headers: res.headers, body: parsed as T, text };
}

let userCounter = 0;

export interface TestUser {
  id: number;
  email: string;
  password: string;
  username: string;
  ip: string;
  token: string;
  refreshToken: string;
}

export async function newUser(prefix = "user"): Promise<TestUser> {
  userCounter++;
  const email = `${prefix}-${userCounter}-${crypto.randomUUID().slice(0, 8)}@example.com`;
  const password = "SecurePassword123!";
  const username = `${prefix}${userCounter}`;
  const ip = uniqueIp();
  const reg = await call("POST", "/api/v1/auth/register", { json: { email, password, username }, ip });
  if (reg.status !== 200) throw new Error(`register failed: ${reg.status} ${reg.text}`);
  const login = await call("POST", "/api/v1/auth/login", { form: { username: email, password }, ip });
  if (login.status !== 200) throw new Error(`login failed: ${login.status} ${login.text}`);
  return {
    id: reg.body.id,
    email,
    password,
    username,
    ip,
    token: login.body.access_token,
    refreshToken: login.body.refresh_token,
  };
}

/** Asserts the studio API's error format and returns the body. */
export function expectStudioError(res: CallResult, status: number, code: string) {
  if (res.status !== status || res.body?.error_code !== code) {
    throw new Error(`expected ${status} ${code}, got ${res.status} ${res.text}`);
  }
  if (typeof res.body.detail !== "string" || !/Z$/.test(res.body.timestamp)) {
    throw new Error(`not a studio error body: ${res.text}`);
  }
  return res.body as {
    detail: string;
    error_code: string;
    timestamp: string;
    errors?: { field: string; message: string }[];
  };
}
