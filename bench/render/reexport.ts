// bench/render/reexport: what the shot-segment cache buys. One job — 10 shots of which 5
// are 4 s video clips, every shot voiced by the renderer's own /v1/speech (espeak-ng), music
// ducked under the lines, 1080×1920 — rendered through the renderer's HTTP API against the stub
// Worker's segment cache: a full render (cold cache), then a re-export after changing one shot's
// still, then a re-export with nothing changed. Prints wall seconds, segments encoded and the
// speed-up of each re-export over the full render (goal for one changed shot: ≥ 5×).
import { execFile, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import type { RenderEvent } from "../../contracts/render-events";
import { signRequest } from "../../contracts/signing";
import { SPEECH_HEADERS } from "../../contracts/speech";
import { sha256, startStubApi } from "../../renderer/test/helpers/stub-api";
import { freePort, startRedis } from "../../tools/local-stack/services.mjs";

const exec = promisify(execFile);
const root = join(import.meta.dirname, "..", "..");
const SECRET = "bench-renderer-secret-0123456789";
const SHOTS = 10;
const LINES = [
  "雨夜里，她终于推开了那扇门。",
  "你怎么会在这里？",
  "三年前的约定，我一直没有忘。",
  "父亲的遗嘱里藏着一个秘密。",
  "她把戒指放在桌上，转身离开。",
  "电话响了，是一个陌生的号码。",
  "对不起，我来晚了。",
  "真相，比她想象的更残忍。",
  "这次换我保护你。",
  "天亮了，一切重新开始。",
];

const media = mkdtempSync(join(tmpdir(), "sds-bench-reexport-"));
const stub = await startStubApi(SECRET);
const port = await freePort();
// BullMQ on a redis-server of its own, as the renderer runs in production.
const redis = await startRedis();
const workDir = mkdtempSync(join(tmpdir(), "sds-bench-reexport-work-"));
const renderer = spawn(process.execPath, ["--import", "tsx", join(root, "renderer/src/main.ts")], {
  cwd: root,
  env: {
    ...process.env,
    PORT: String(port),
    RENDERER_SECRET: SECRET,
    API_ORIGIN: stub.origin,
    WORK_DIR: workDir,
    ENCODER: "libx264",
    REDIS_URL: redis.url,
    QUEUE_NAME: `reexport-${Date.now()}`,
  },
  stdio: ["ignore", "ignore", "inherit"],
});
const base = `http://127.0.0.1:${port}`;

async function signedPost(path: string, body: unknown): Promise<Response> {
  const text = JSON.stringify(body);
  return fetch(`${base}${path}`, {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      ...(await signRequest(SECRET, { method: "POST", path, body: text })),
    },
    body: text,
  });
}

async function make(name: string, args: string[]): Promise<Buffer> {
  const file = join(media, name);
  await exec("ffmpeg", ["-v", "error", "-y", ...args, file]);
  return readFile(file);
}

async function render(id: string, scenes: unknown[]): Promise<{ wall: number; event: RenderEvent }> {
  const spec = {
    render_id: id,
    aspect_ratio: "9:16",
    resolution: "1080p",
    include_subtitles: true,
    scenes,
    music_url: `${stub.origin}/media/bgm.m4a`,
    outputs: { video: stub.target(`${id}.mp4`), srt: stub.target(`${id}.srt`) },
    callback_url: `${stub.origin}/events`,
    segments_url: stub.segmentsUrl,
  };
  const t0 = performance.now();
  const res = await signedPost("/v1/jobs", spec);
  if (res.status !== 202) throw new Error(`dispatch failed: ${res.status} ${await res.text()}`);
  for (;;) {
    const done = stub.events.find(
      (e) => e.render_id === id && (e.type === "completed" || e.type === "failed"),
    );
    if (done?.type === "failed") throw new Error(`render failed: ${done.error}`);
    if (done) return { wall: (performance.now() - t0) / 1000, event: done };
    await new Promise((r) => setTimeout(r, 50));
  }
}

try {
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(`${base}/healthz`)).ok) break;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  // Inputs: 6 stills (one spare for the change), 5 clips of 4 s with motion, music, 10 voiced lines.
  const srcs = ["testsrc2", "smptehdbars", "rgbtestsrc", "testsrc", "mandelbrot", "cellauto"];
  for (let i = 0; i < 6; i++) {
    const src = srcs[i] as string;
    const body = await make(`s${i}.png`, [
      "-f",
      "lavfi",
      "-i",
      `${src}=s=1080x1920`,
      "-frames:v",
      "1",
      "-vf",
      `format=rgb24,hue=h=${i * 37}`,
    ]);
    stub.serve(`/media/s${i}.png`, body, "image/png");
  }
  const clips: string[] = [];
  for (let i = 0; i < 5; i++) {
    const body = await make(`c${i}.mp4`, [
      "-f",
      "lavfi",
      "-i",
      `testsrc2=s=720x1280:r=24:d=4,hue=h=${i * 60}`,
      "-c:v",
      "libx264",
      "-preset",
      "veryfast",
      "-pix_fmt",
      "yuv420p",
    ]);
    stub.serve(`/media/c${i}.mp4`, body, "video/mp4");
    clips.push(sha256(body));
  }
  stub.serve(
    "/media/bgm.m4a",
    await make("bgm.m4a", ["-f", "lavfi", "-i", "sine=f=220:d=60", "-c:a", "aac", "-b:a", "128k"]),
    "audio/mp4",
  );
  const lines = [];
  for (const [i, text] of LINES.entries()) {
    const res = await signedPost("/v1/speech", {
      text,
      voice_key: i % 2 === 0 ? "char-1:林夏" : "char-2:陈默",
    });
    if (!res.ok) throw new Error(`speech failed: ${res.status} ${await res.text()}`);
    const wav = Buffer.from(await res.arrayBuffer());
    stub.serve(`/media/line-${i}.wav`, wav, "audio/wav");
    lines.push({
      speaker: i % 2 === 0 ? "林夏" : "陈默",
      text,
      audio_url: `${stub.origin}/media/line-${i}.wav`,
      audio_duration: Number(res.headers.get(SPEECH_HEADERS.duration)),
      audio_hash: sha256(wav),
    });
  }
  const scenes = (changed: number | null) =>
    Array.from({ length: SHOTS }, (_, i) => ({
      ...(i % 2 === 1
        ? { clip: { url: `${stub.origin}/media/c${(i - 1) / 2}.mp4`, hash: clips[(i - 1) / 2] } }
        : { image_url: `${stub.origin}/media/s${i === changed ? 5 : i / 2}.png` }),
      lines: [lines[i]],
      duration: 4,
    }));

  console.log(
    `bench/render/reexport — ${SHOTS} shots (5 × 4 s clips), voiced, 1080×1920, segment cache on the stub`,
  );
  console.log("run                         wall_s  encoded/segments  reused shots  speed-up");
  const full = await render(`re-full-${Date.now()}`, scenes(null));
  const row = (name: string, r: { wall: number; event: RenderEvent }, over = "") => {
    if (r.event.type !== "completed") return;
    const segs = r.event.segments ?? [];
    const reused = (r.event.shots ?? []).filter((s) => s.reused).length;
    console.log(
      [
        name.padEnd(26),
        r.wall.toFixed(2).padStart(7),
        `${segs.filter((s) => !s.reused).length}/${segs.length}`.padStart(17),
        `${reused}/${SHOTS}`.padStart(13),
        over.padStart(9),
      ].join(" "),
    );
  };
  row("full render (cold cache)", full);
  const one = await render(`re-one-${Date.now()}`, scenes(4));
  row("re-export, shot 5 changed", one, `${(full.wall / one.wall).toFixed(2)}×`);
  const none = await render(`re-none-${Date.now()}`, scenes(4));
  row("re-export, nothing changed", none, `${(full.wall / none.wall).toFixed(2)}×`);
  console.log("goal: a re-export after changing one shot ≥ 5× faster than the full render");
} finally {
  renderer.kill("SIGTERM");
  await new Promise((r) => renderer.once("exit", r));
  await redis.stop();
  await stub.close();
  rmSync(media, { recursive: true, force: true });
  rmSync(workDir, { recursive: true, force: true });
}
