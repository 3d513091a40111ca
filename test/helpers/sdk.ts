import { exports } from "cloudflare:workers";
import type { WebSocketLike } from "../../sdk/src/http";
import { ShortDramaClient } from "../../sdk/src/index";
import { ORIGIN, uniqueIp } from "./http";

/**
 * The SDK pointed at the Worker inside workerd: its fetch goes to the Worker's own fetch handler
 * (as over HTTP, with a client address of its own), its WebSockets are the Worker's upgrades.
 */
export function workerFetch(log?: string[], ip = uniqueIp()) {
  return async (input: Request | string | URL, init?: RequestInit) => {
    const req = new Request(input, init);
    req.headers.set("CF-Connecting-IP", ip);
    log?.push(`${req.method} ${new URL(req.url).pathname}`);
    return exports.default.fetch(req);
  };
}

/** A WebSocket over the Worker's upgrade; `dropAfter` closes it (1006) after that many messages. */
export function workerWebSocket(opts: { dropAfter?: number; opened?: string[] } = {}) {
  return (url: string): WebSocketLike => {
    opts.opened?.push(url);
    let socket: WebSocket | undefined;
    let seen = 0;
    const ws: WebSocketLike & { readyState: number } = {
      readyState: 0,
      onopen: null,
      onmessage: null,
      onclose: null,
      onerror: null,
      close(code?: number, reason?: string) {
        try {
          socket?.close(code ?? 1000, reason ?? "");
        } catch {
          // closed
        }
      },
    };
    void exports.default
      .fetch(new Request(url.replace(/^ws/, "http"), { headers: { Upgrade: "websocket" } }))
      .then((res) => {
        socket = res.webSocket ?? undefined;
        if (!socket) {
          ws.onclose?.({ code: 1006, reason: `HTTP ${res.status}` });
          return;
        }
        socket.accept();
        ws.readyState = 1;
        let dropped = false;
        socket.addEventListener("message", (e) => {
          if (dropped) return;
          ws.onmessage?.({ data: e.data });
          seen++;
          if (opts.dropAfter !== undefined && seen >= opts.dropAfter) {
            dropped = true;
            opts.dropAfter = undefined;
            socket?.close(1000, "test drop");
            ws.onclose?.({ code: 1006, reason: "dropped by the test" });
          }
        });
        socket.addEventListener("close", (e) => {
          if (!dropped) ws.onclose?.({ code: e.code, reason: e.reason });
        });
        ws.onopen?.({});
      });
    return ws;
  };
}

export function sdkClient(opts: ConstructorParameters<typeof ShortDramaClient>[0] = {}, log?: string[]) {
  return new ShortDramaClient({
    baseUrl: ORIGIN,
    fetch: workerFetch(log),
    webSocket: workerWebSocket(),
    ...opts,
  });
}
