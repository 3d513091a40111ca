// bench/claim: 2000 pending tasks, 50 concurrent claimers through HTTP on `wrangler dev`. Prints
// claims/s, p50/p99 claim latency, duplicates (must be 0), and the ratio to a bare single-row D1
// UPDATE loop (same 50 clients, same server) in the same run.
import { startWrangler } from "../../tools/local-stack/wrangler-server.mjs";

const TASKS = Number(process.env.BENCH_TASKS ?? 2000);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 50);

async function json(res) {
  const body = await res.json();
  if (!res.ok) throw new Error(`${res.status} ${JSON.stringify(body)}`);
  return body;
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

const server = await startWrangler({
  // The limiter still runs on every request; the limit is raised so the benchmark measures claims.
  env: "bench",
  vars: { RATE_LIMIT_AUTOMATION_PER_MINUTE: "100000000" },
});
try {
  const email = `claim-bench-${Date.now()}@example.com`;
  const password = "BenchPassword123!";
  const post = (path, body, token) =>
    fetch(`${server.url}${path}`, {
      method: "POST",
      headers: { "Content-Type": "application/json", ...(token ? { Authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
  await json(await post("/api/v1/auth/register", { email, password, username: "bench" }));
  const { access_token } = await json(await post("/api/v1/auth/login", { email, password }));
  const { key: operator } = await json(
    await post("/api/v1/auth/api-keys", { name: "operator", scopes: ["automation"] }, access_token),
  );
  const { key: worker } = await json(
    await post("/api/v1/auth/api-keys", { name: "worker", scopes: ["worker"] }, access_token),
  );

  let baselineTaskId = 0;
  for (let made = 0; made < TASKS; made += 500) {
    const n = Math.min(500, TASKS - made);
    const project = await json(
      await post(
        "/projects",
        {
          name: `bench ${made}`,
          project_type: "bench",
          tasks: Array.from({ length: n }, () => ({ task_type: "render" })),
        },
        operator,
      ),
    );
    baselineTaskId ||= project.data.tasks[0].id;
  }
  const extra = await json(
    await post(
      "/projects",
      { name: "baseline", project_type: "bench", tasks: [{ task_type: "baseline" }] },
      operator,
    ),
  );
  baselineTaskId = extra.data.tasks[0].id;

  // 50 clients claim until nothing is left.
  const claimed = [];
  const latencies = [];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, client) => {
      for (;;) {
        const t0 = performance.now();
        const res = await post(
          "/api/tasks/claim",
          { task_types: ["render"], worker_id: `bench-${client}` },
          worker,
        );
        const body = await res.json();
        latencies.push(performance.now() - t0);
        if (body.code === 1) return;
        if (body.code !== 0) throw new Error(`claim failed: ${res.status} ${JSON.stringify(body)}`);
        claimed.push(body.data.id);
      }
    }),
  );
  const claimSeconds = (performance.now() - started) / 1000;
  const duplicates = claimed.length - new Set(claimed).size;

  // Baseline: the same 50 clients doing as many bare single-row UPDATEs through HTTP.
  const updates = [];
  const baseStarted = performance.now();
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (updates.length < claimed.length) {
        const t0 = performance.now();
        const res = await fetch(`${server.url}/__bench/d1-update?id=${baselineTaskId}`, { method: "POST" });
        await res.json();
        updates.push(performance.now() - t0);
      }
    }),
  );
  const baseSeconds = (performance.now() - baseStarted) / 1000;

  latencies.sort((a, b) => a - b);
  updates.sort((a, b) => a - b);
  const claimRate = claimed.length / claimSeconds;
  const baseRate = updates.length / baseSeconds;
  console.log(`bench/claim: ${TASKS} pending tasks, ${CLIENTS} concurrent claimers over HTTP (wrangler dev)`);
  console.log(
    `claims                 ${claimed.length} in ${claimSeconds.toFixed(2)}s = ${claimRate.toFixed(0)} claims/s   p50 ${percentile(latencies, 50).toFixed(1)} ms   p99 ${percentile(latencies, 99).toFixed(1)} ms`,
  );
  console.log(`duplicates             ${duplicates} (must be 0)`);
  console.log(
    `bare D1 UPDATE loop    ${updates.length} in ${baseSeconds.toFixed(2)}s = ${baseRate.toFixed(0)} updates/s   p50 ${percentile(updates, 50).toFixed(1)} ms   p99 ${percentile(updates, 99).toFixed(1)} ms`,
  );
  console.log(`ratio claims/bare: ${(claimRate / baseRate).toFixed(2)} (aim >= 0.50)`);
  if (duplicates > 0 || claimed.length !== TASKS) process.exitCode = 1;
} finally {
  await server.stop();
}
