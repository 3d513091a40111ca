// bench/api: authenticated `GET /api/v1/projects` against `wrangler dev`, beside a bare Hono route
// returning the same JSON on the same server, in one run. Prints requests/s, p50/p99 and the ratio.
import autocannon from "autocannon";
import { startWrangler } from "../../tools/local-stack/wrangler-server.mjs";

const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 20);

function run(url, headers) {
  return new Promise((resolve, reject) => {
    autocannon({ url, headers, connections: CONNECTIONS, duration: DURATION }, (err, result) =>
      err ? reject(err) : resolve(result),
    );
  });
}

async function json(res) {
  const body = await res.json();
  if (!res.ok) throw new Error(`${res.status} ${JSON.stringify(body)}`);
  return body;
}

const server = await startWrangler({
  // The limiter still runs on every request (one Durable Object call); the limit is only raised
  // so the benchmark measures the work, not 429s.
  env: "bench",
  vars: { RATE_LIMIT_FREE_PER_HOUR: "100000000" },
});
try {
  const email = `bench-${Date.now()}@example.com`;
  const password = "BenchPassword123!";
  await json(
    await fetch(`${server.url}/api/v1/auth/register`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ email, password, username: "bench" }),
    }),
  );
  const { access_token: token } = await json(
    await fetch(`${server.url}/api/v1/auth/login`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ email, password }),
    }),
  );
  const auth = { Authorization: `Bearer ${token}` };
  for (let i = 0; i < 10; i++) {
    await json(
      await fetch(`${server.url}/api/v1/projects`, {
        method: "POST",
        headers: { ...auth, "Content-Type": "application/json" },
        body: JSON.stringify({
          name: `基准项目 ${i}`,
          description: "一个关于爱情的故事",
          aspect_ratio: "9:16",
        }),
      }),
    );
  }
  const list = await json(await fetch(`${server.url}/api/v1/projects`, { headers: auth }));
  await fetch(`${server.url}/__bench/payload`, { method: "PUT", body: JSON.stringify(list) });
  const bare = await json(await fetch(`${server.url}/__bench/bare`));
  if (JSON.stringify(bare) !== JSON.stringify(list))
    throw new Error("bare route does not return the same JSON");

  const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
  console.log(
    `bench/api: ${CONNECTIONS} connections, ${DURATION}s per run, ${ROUNDS} interleaved rounds, body ${JSON.stringify(list).length} bytes`,
  );
  await run(`${server.url}/__bench/bare`, {}); // warm-up of the isolate and connections
  await run(`${server.url}/api/v1/projects`, auth);
  const row = (name, r) =>
    `${name.padEnd(36)} ${r.requests.average.toFixed(0).padStart(6)} req/s   p50 ${String(r.latency.p50).padStart(4)} ms   p99 ${String(r.latency.p99).padStart(4)} ms   non-2xx ${r.non2xx}   errors ${r.errors}`;
  let bareTotal = 0;
  let apiTotal = 0;
  let failed = false;
  for (let round = 1; round <= ROUNDS; round++) {
    // Interleaved so that drift on a shared machine affects both sides alike.
    const bareResult = await run(`${server.url}/__bench/bare`, {});
    const apiResult = await run(`${server.url}/api/v1/projects`, auth);
    console.log(row(`#${round} bare Hono route (same JSON)`, bareResult));
    console.log(row(`#${round} GET /api/v1/projects`, apiResult));
    bareTotal += bareResult.requests.average;
    apiTotal += apiResult.requests.average;
    if (apiResult.non2xx > 0 || apiResult.errors > 0 || bareResult.errors > 0) failed = true;
  }
  const ratio = apiTotal / bareTotal;
  console.log(
    `mean: bare ${(bareTotal / ROUNDS).toFixed(0)} req/s, api ${(apiTotal / ROUNDS).toFixed(0)} req/s, ratio api/bare ${ratio.toFixed(2)} (aim >= 0.40)`,
  );
  if (failed) process.exitCode = 1;
} finally {
  await server.stop();
}
