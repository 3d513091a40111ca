// WebSocket fan-out: 1000 clients on one workflow against `wrangler dev`; the workflow's object
// publishes 100 progress frames, and each client measures delivery latency (receive time minus the
// frame's `sent_at`, same clock). The same run with 1 client is the baseline; printed as a ratio.
import { startWrangler } from "../../tools/local-stack/wrangler-server.mjs";

const CLIENTS = Number(process.env.WS_CLIENTS ?? 1000);
const FRAMES = Number(process.env.WS_FRAMES ?? 100);
// A burst (a frame every 20 ms, far above any real workflow) and a steady pace (every 100 ms).
const INTERVALS = (process.env.WS_INTERVALS_MS ?? "20,100").split(",").map(Number);

function pct(sorted, p) {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function json(url, init = {}) {
  const res = await fetch(url, init);
  const text = await res.text();
  if (!res.ok) throw new Error(`${init.method ?? "GET"} ${url} → ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

async function setup(base) {
  const email = `bench-ws-${Date.now()}@example.com`;
  const password = "SecurePassword123!";
  await json(`${base}/api/v1/auth/register`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ email, password, username: "bench" }),
  });
  const login = await json(`${base}/api/v1/auth/login`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ email, password }),
  });
  const auth = { Authorization: `Bearer ${login.access_token}`, "Content-Type": "application/json" };
  const project = await json(`${base}/api/v1/projects`, {
    method: "POST",
    headers: auth,
    body: JSON.stringify({ name: "ws bench", description: "一个场景" }),
  });
  // An external workflow waits for workers after parsing: an idle workflow to watch.
  const wf = await json(`${base}/api/v1/workflows`, {
    method: "POST",
    headers: auth,
    body: JSON.stringify({ project_id: project.id, workflow_type: "storyboard", generator: "external" }),
  });
  return { token: login.access_token, workflowId: wf.id };
}

async function connect(base, token, id, n, onFrame) {
  const wsBase = base.replace(/^http/, "ws");
  const sockets = [];
  const batch = 50;
  for (let i = 0; i < n; i += batch) {
    await Promise.all(
      Array.from({ length: Math.min(batch, n - i) }, () => {
        return new Promise((resolve, reject) => {
          const ws = new WebSocket(`${wsBase}/ws/progress/${id}?token=${token}`);
          ws.onmessage = (e) => onFrame(JSON.parse(e.data), Date.now());
          ws.onopen = () => resolve();
          ws.onerror = (e) => reject(new Error(`socket error ${e.message ?? ""}`));
          sockets.push(ws);
        });
      }),
    );
  }
  return sockets;
}

async function run(base, token, id, clients, intervalMs) {
  const latencies = [];
  const sockets = await connect(base, token, id, clients, (frame, at) => {
    if (typeof frame.sent_at !== "number") return;
    latencies.push(at - frame.sent_at);
  });
  // Let the snapshots arrive before publishing.
  await new Promise((r) => setTimeout(r, 500));
  const started = Date.now();
  const res = await json(
    `${base}/__bench/workflows/${id}/publish?count=${FRAMES}&interval_ms=${intervalMs}`,
    { method: "POST" },
  );
  const expected = FRAMES * clients;
  const deadline = Date.now() + 60_000;
  while (latencies.length < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  const elapsed = Date.now() - started;
  for (const ws of sockets) ws.close(1000, "done");
  latencies.sort((a, b) => a - b);
  return {
    clients,
    sockets: res.sockets,
    delivered: latencies.length,
    expected,
    p50: pct(latencies, 50),
    p99: pct(latencies, 99),
    max: latencies.at(-1),
    seconds: elapsed / 1000,
  };
}

const server = await startWrangler({
  env: "bench",
  vars: { RATE_LIMIT_FREE_PER_HOUR: "100000" },
});
try {
  const { token, workflowId } = await setup(server.url);
  const fmt = (r) =>
    `${String(r.clients).padStart(5)} client(s): delivered ${r.delivered}/${r.expected} frames, p50 ${r.p50} ms, p99 ${r.p99} ms, max ${r.max} ms (${r.seconds.toFixed(1)} s)`;
  console.log(
    `WebSocket fan-out through the WorkflowRun object: ${FRAMES} progress frames (wrangler dev, one machine, clients in one Node process)`,
  );
  for (const interval of INTERVALS) {
    const one = await run(server.url, token, workflowId, 1, interval);
    const many = await run(server.url, token, workflowId, CLIENTS, interval);
    console.log(`a frame every ${interval} ms:`);
    console.log(`  ${fmt(one)}`);
    console.log(`  ${fmt(many)}`);
    console.log(
      `  ratio ${CLIENTS} clients / 1 client: p50 ×${(many.p50 / Math.max(1, one.p50)).toFixed(1)}, p99 ×${(many.p99 / Math.max(1, one.p99)).toFixed(1)}`,
    );
    if (many.delivered !== many.expected || one.delivered !== one.expected) {
      console.error("  some frames were not delivered");
      process.exitCode = 1;
    }
  }
} finally {
  await server.stop();
}
