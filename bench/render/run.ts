// bench/render: the renderer against the fixed baseline `../shared/bench/render-reference.sh` (the
// same job as one hand-written ffmpeg command, and the pure encoding floor), in one run, on this
// machine. For 5, 10 and 20 scenes: 1080×1920 stills, 4 s each, Ken Burns, 0.5 s crossfades, one
// Chinese caption per scene burned in, music. Prints wall seconds, x-realtime, peak RSS (renderer
// process tree) and our speed as a ratio to both baseline figures.
import { execFile, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { signRequest } from "../../contracts/signing";
import { startStubApi } from "../../renderer/test/helpers/stub-api";
import { freePort, startRedis } from "../../tools/local-stack/services.mjs";

const exec = promisify(execFile);
const root = join(import.meta.dirname, "..", "..");
const reference = process.env.RENDER_REFERENCE ?? join(root, "..", "shared", "bench", "render-reference.sh");
const SCENES = (process.env.BENCH_SCENES ?? "5,10,20").split(",").map(Number);
const SECRET = "bench-renderer-secret-0123456789";

/** Resident memory of a process and all its descendants, in bytes (from /proc). */
function treeRss(pid: number): number {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // the process ended while we looked
    }
  }
  let total = 0;
  const visit = (p: number) => {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${p}/status`, "utf8"));
      total += Number(m?.[1] ?? 0) * 1024;
    } catch {
      return;
    }
    for (const c of children.get(p) ?? []) visit(c);
  };
  visit(pid);
  return total;
}

async function runReference(n: number, work: string) {
  const { stdout } = await exec("bash", [reference, String(n), work], { maxBuffer: 16 * 1024 * 1024 });
  return Object.fromEntries(
    stdout
      .trim()
      .split("\n")
      .map((l) => l.split("=") as [string, string]),
  );
}

const stub = await startStubApi(SECRET);
const redis = await startRedis();
const port = await freePort();
const workDir = mkdtempSync(join(tmpdir(), "sds-bench-render-"));
const renderer = spawn(process.execPath, ["--import", "tsx", join(root, "renderer/src/main.ts")], {
  cwd: root,
  env: {
    ...process.env,
    PORT: String(port),
    RENDERER_SECRET: SECRET,
    API_ORIGIN: stub.origin,
    REDIS_URL: redis.url,
    WORK_DIR: workDir,
    ENCODER: "auto",
  },
  stdio: ["ignore", "ignore", "inherit"],
});
const base = `http://127.0.0.1:${port}`;
try {
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(`${base}/healthz`)).ok) break;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const health = (await (await fetch(`${base}/healthz`)).json()) as { encoder: string; ffmpeg: string };
  console.log(`bench/render — ${health.ffmpeg}; renderer encoder ${health.encoder}; reference ${reference}`);
  console.log(
    "scenes  video_s | reference_s  x_rt | floor_s  x_rt | renderer_s  x_rt  peak_rss_MiB | vs reference  vs floor",
  );

  for (const n of SCENES) {
    const work = mkdtempSync(join(tmpdir(), `sds-ref-${n}-`));
    const ref = await runReference(n, work);
    // The same inputs as the reference: its generated stills, captions and music.
    for (let i = 0; i < n; i++) {
      stub.serve(`/bench/${n}/s${i}.png`, await readFile(join(work, "in", `s${i}.png`)), "image/png");
    }
    stub.serve(`/bench/${n}/bgm.m4a`, await readFile(join(work, "in", "bgm.m4a")), "audio/mp4");
    const id = `bench-${n}-${Date.now()}`;
    const spec = {
      render_id: id,
      aspect_ratio: "9:16",
      resolution: "1080p",
      include_subtitles: true,
      scenes: Array.from({ length: n }, (_, i) => ({
        image_url: `${stub.origin}/bench/${n}/s${i}.png`,
        caption: readFileSync(join(work, "in", `c${i}.txt`), "utf8"),
        duration: 4,
      })),
      music_url: `${stub.origin}/bench/${n}/bgm.m4a`,
      outputs: {
        video: stub.target(`${id}.mp4`),
        srt: stub.target(`${id}.srt`),
        vtt: stub.target(`${id}.vtt`),
        poster: stub.target(`${id}.jpg`),
        contact_sheet: stub.target(`${id}.png`),
      },
      callback_url: `${stub.origin}/events`,
    };
    const body = JSON.stringify(spec);
    let peak = 0;
    const sampler = setInterval(() => {
      peak = Math.max(peak, treeRss(renderer.pid ?? 0));
    }, 100);
    const t0 = performance.now();
    const res = await fetch(`${base}/v1/jobs`, {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        ...(await signRequest(SECRET, { method: "POST", path: "/v1/jobs", body })),
      },
      body,
    });
    if (res.status !== 202) throw new Error(`dispatch failed: ${res.status} ${await res.text()}`);
    for (;;) {
      const done = stub.events.find(
        (e) => e.render_id === id && (e.type === "completed" || e.type === "failed"),
      );
      if (done?.type === "failed") throw new Error(`render failed: ${done.error}`);
      if (done) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const wall = (performance.now() - t0) / 1000;
    clearInterval(sampler);
    const video = Number(ref.video_seconds);
    const refWall = Number(ref.reference_graph_wall_s);
    const floorWall = Number(ref.encode_floor_wall_s);
    const ours = video / wall;
    console.log(
      [
        String(n).padStart(6),
        video.toFixed(1).padStart(8),
        "|",
        refWall.toFixed(2).padStart(11),
        Number(ref.reference_graph_x_realtime).toFixed(2).padStart(5),
        "|",
        floorWall.toFixed(2).padStart(7),
        Number(ref.encode_floor_x_realtime).toFixed(2).padStart(5),
        "|",
        wall.toFixed(2).padStart(10),
        ours.toFixed(2).padStart(5),
        (peak / 1024 / 1024).toFixed(0).padStart(13),
        "|",
        (ours / Number(ref.reference_graph_x_realtime)).toFixed(2).padStart(12),
        (ours / Number(ref.encode_floor_x_realtime)).toFixed(2).padStart(9),
      ].join(" "),
    );
    if (!existsSync(join(work, "reference.mp4"))) throw new Error("reference did not render");
  }
  console.log(
    "ratios are speed ratios (x-realtime of ours ÷ the baseline's); aim ≥ 0.90 against the reference graph",
  );
} finally {
  renderer.kill("SIGTERM");
  await new Promise((r) => (renderer.exitCode !== null ? r(null) : renderer.once("exit", r)));
  await redis.stop();
  await stub.close();
}
