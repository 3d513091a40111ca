import { ConnectionError, errorFromResponse, ShortDramaError } from "./errors";

export type FetchLike = (input: Request | string | URL, init?: RequestInit) => Promise<Response>;

export interface WebSocketLike {
  readonly readyState: number;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  close(code?: number, reason?: string): void;
}
export type WebSocketFactory = (url: string) => WebSocketLike;

export interface ClientOptions {
  /** An API key (`sds_...`) from /api/v1/auth/api-keys. */
  apiKey?: string;
  /** Or an access token from `auth.login` (set automatically by it). */
  token?: string;
  /** Default `http://localhost:8787` (what `npm run dev` serves). */
  baseUrl?: string;
  /** Another fetch (tests, proxies); default the global one. */
  fetch?: FetchLike;
  /** How to open WebSockets; default the global `WebSocket` (browsers, Node ≥ 22). */
  webSocket?: WebSocketFactory;
  /** Retry 429s after `Retry-After` (at most this many times; default 0 = throw RateLimitError). */
  maxRateLimitRetries?: number;
  /** Longest wait honoured for one Retry-After, in seconds (default 60). */
  maxRetryWaitSeconds?: number;
  headers?: Record<string, string>;
}

export interface RequestOptions {
  query?: Record<string, unknown> | undefined;
  json?: unknown;
  form?: FormData;
  body?: BodyInit;
  headers?: Record<string, string>;
  /** The automation API answers `{code, msg, data}`: unwrap `data`, throw on an error code. */
  envelope?: boolean;
  signal?: AbortSignal;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One place that talks HTTP: auth header, query strings, JSON, errors, optional 429 retries. */
export class Transport {
  readonly baseUrl: string;
  private credential: string | undefined;
  private readonly fetchImpl: FetchLike;
  readonly webSocket: WebSocketFactory | undefined;

  constructor(private readonly options: ClientOptions = {}) {
    this.baseUrl = (options.baseUrl ?? "http://localhost:8787").replace(/\/+$/, "");
    this.credential = options.apiKey ?? options.token;
    if (!options.fetch && typeof globalThis.fetch !== "function") {
      throw new Error("No fetch available: pass `fetch` in the client options");
    }
    this.fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.webSocket =
      options.webSocket ??
      (typeof globalThis.WebSocket === "function"
        ? (url) => new globalThis.WebSocket(url) as unknown as WebSocketLike
        : undefined);
  }

  get token(): string | undefined {
    return this.credential;
  }

  setToken(token: string | undefined): void {
    this.credential = token;
  }

  url(path: string, query?: Record<string, unknown>): string {
    const u = new URL(this.baseUrl + path);
    for (const [k, v] of Object.entries(query ?? {})) {
      if (v !== undefined && v !== null) u.searchParams.set(k, String(v));
    }
    return u.toString();
  }

  async raw(method: string, path: string, opts: RequestOptions = {}): Promise<Response> {
    const headers: Record<string, string> = {
      Accept: "application/json",
      ...this.options.headers,
      ...opts.headers,
    };
    if (this.credential && !headers.Authorization) headers.Authorization = `Bearer ${this.credential}`;
    let body: BodyInit | undefined = opts.body;
    if (opts.json !== undefined) {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify(opts.json);
    } else if (opts.form) {
      body = opts.form;
    }
    const maxRetries = this.options.maxRateLimitRetries ?? 0;
    for (let attempt = 0; ; attempt++) {
      let res: Response;
      try {
        res = await this.fetchImpl(this.url(path, opts.query), {
          method,
          headers,
          ...(body !== undefined ? { body } : {}),
          ...(opts.signal ? { signal: opts.signal } : {}),
        });
      } catch (err) {
        throw new ConnectionError({ status: 0, detail: `${method} ${path}: ${String(err)}`, body: err });
      }
      if (res.status === 429 && attempt < maxRetries) {
        const wait = Math.min(
          Number(res.headers.get("Retry-After")) || 1,
          this.options.maxRetryWaitSeconds ?? 60,
        );
        await res.body?.cancel();
        await sleep(wait * 1000);
        continue;
      }
      return res;
    }
  }

  async request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    const res = await this.raw(method, path, opts);
    const text = await res.text();
    let parsed: unknown = text;
    if (text) {
      try {
        parsed = JSON.parse(text);
      } catch {
        // not JSON: keep the text for the error
      }
    } else {
      parsed = null;
    }
    if (!res.ok) throw errorFromResponse(res.status, res.headers, parsed);
    if (opts.envelope) {
      const env = parsed as { code?: unknown; msg?: unknown; data?: unknown };
      if (typeof env?.code !== "number") {
        throw new ShortDramaError({ status: res.status, detail: "Not an automation envelope", body: parsed });
      }
      // 0 is success; 1 is "nothing to return" (an empty claim), which is not an error.
      if (env.code !== 0 && env.code !== 1)
        throw errorFromResponse(res.status === 200 ? 400 : res.status, res.headers, parsed);
      return (env.code === 1 ? null : env.data) as T;
    }
    return parsed as T;
  }
}
