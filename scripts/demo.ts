// `npm run demo`: the product's journey against a running `npm run dev`, through the SDK —
// register, a project with a Chinese script, a full_production workflow watched live, the export
// downloaded. Prints progress bars and where the MP4, its contact sheet and a small JPEG preview of
// the sheet (what docs/demo-contact-sheet.jpg is) were saved.
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type ProgressFrame, ShortDramaClient, ShortDramaError } from "../sdk/src/index";
import { ensureSystem } from "./setup/index.mjs";

const BASE = process.env.API_URL ?? `http://127.0.0.1:${process.env.PORT ?? 8787}`;
const OUT = process.env.DEMO_OUT ?? join(process.cwd(), "demo-output");
const SCRIPT = `场景1：公园 清晨
小明在湖边散步，阳光洒在水面上，柳树轻轻摇动。
小明：今天天气真好。

场景2：咖啡馆 午后
小红坐在窗边看书，小明推门进来，手里拿着两杯咖啡。
小红：你来了！
小明：我们去湖边走走吧。

场景3：湖边 黄昏
两人沿着湖边散步，夕阳把水面染成金色。
小红：你看，好美的夕阳。
小明：是啊，我们明天再来。`;

const STEPS = ["script_parsing", "character_generation", "storyboard_generation", "video_rendering"];
const tty = process.stdout.isTTY;

function bar(fraction: number, width = 28): string {
  const filled = Math.round(Math.max(0, Math.min(1, fraction)) * width);
  return `[${"█".repeat(filled)}${"░".repeat(width - filled)}] ${String(Math.round(fraction * 100)).padStart(3)}%`;
}

function render(frame: ProgressFrame, stepState: Map<string, number>) {
  const lines = [`workflow ${bar(frame.progress)}  ${frame.message ?? frame.type}`];
  for (const s of STEPS) lines.push(`  ${s.padEnd(22)} ${bar(stepState.get(s) ?? 0, 20)}`);
  if (tty) process.stdout.write(`\x1b[${lines.length}A\x1b[0J${lines.join("\n")}\n`);
  else console.log(lines[0]);
}

/** A JPEG of the contact sheet small enough for a README (at most 400 px wide), made by ffmpeg. */
function preview(sheet: string, out: string): string | null {
  const scale = "scale=w='min(400,iw)':h=-2";
  const r = spawnSync("ffmpeg", ["-v", "error", "-y", "-i", sheet, "-vf", scale, "-q:v", "5", out]);
  return r.status === 0 ? out : null;
}

async function main() {
  // The preview needs ffmpeg here; the same check as `npm run dev`, free when it already ran.
  ensureSystem("dev");
  const client = new ShortDramaClient({ baseUrl: BASE });
  try {
    await client.health();
  } catch {
    console.error(`Nothing answers at ${BASE}. Start the service first: npm run dev`);
    process.exit(1);
  }
  const email = `demo-${Date.now()}@example.com`;
  const password = "SecurePassword123!";
  await client.auth.register({ email, password, username: "demo" });
  await client.auth.login({ email, password });
  console.log(`signed up as ${email}`);

  const project = await client.projects.create({
    name: "湖边的约定",
    description: "两个朋友在湖边的一天",
    script: SCRIPT,
    aspectRatio: "9:16",
  });
  console.log(`project ${project.id}`);
  const workflow = await client.workflows.start({
    projectId: project.id,
    workflowType: "full_production",
    options: { resolution: "720p", style: "cinematic" },
  });
  console.log(`workflow ${workflow.id} — live progress over WebSocket:\n`);
  if (tty) process.stdout.write("\n".repeat(STEPS.length + 1));

  const stepState = new Map<string, number>();
  let last: ProgressFrame | null = null;
  for await (const frame of client.workflows.watch(workflow.id)) {
    last = frame;
    const snapshot = frame.workflow as { steps?: { name: string; status: string }[] } | undefined;
    if (frame.type === "snapshot" && snapshot?.steps) {
      for (const s of snapshot.steps) stepState.set(s.name, s.status === "completed" ? 1 : 0);
    }
    const items = frame.items as { total?: number; completed?: number } | undefined;
    if (frame.step && items?.total) stepState.set(frame.step, (items.completed ?? 0) / items.total);
    if (frame.type === "export_progress") stepState.set("video_rendering", frame.export_progress ?? 0);
    if (frame.type === "step_completed" && frame.step) stepState.set(frame.step, 1);
    render(frame, stepState);
  }
  if (last?.type !== "workflow_completed" && last?.status !== "completed") {
    console.error(`\nthe workflow ended ${last?.status}: ${last?.message ?? ""}`);
    process.exit(1);
  }

  const history = await client.export.history({ limit: 1 });
  const exp = await client.export.wait(history.items[0]?.export_id ?? 0);
  if (exp.status !== "completed" || !exp.video_url) {
    console.error(`the export ended ${exp.status}: ${exp.error ?? ""}`);
    process.exit(1);
  }
  mkdirSync(OUT, { recursive: true });
  const save = async (url: string | null, name: string) => {
    if (!url) return null;
    const res = await fetch(url);
    const path = join(OUT, name);
    writeFileSync(path, Buffer.from(await res.arrayBuffer()));
    return path;
  };
  const video = await save(exp.video_url, `export-${exp.export_id}.mp4`);
  const sheet = await save(exp.contact_sheet_url, `export-${exp.export_id}-contact-sheet.png`);
  const subs = await save(exp.subtitle_url, `export-${exp.export_id}.srt`);
  const small = sheet ? preview(sheet, join(OUT, `export-${exp.export_id}-preview.jpg`)) : null;
  const quota = await client.subscriptions.me();
  console.log(
    `\nvideo:         ${video}  (${exp.duration} s, ${((exp.file_size ?? 0) / 1024).toFixed(0)} KiB, ${exp.resolution})`,
  );
  console.log(`contact sheet: ${sheet}`);
  if (small) console.log(`preview:       ${small}`);
  console.log(`subtitles:     ${subs}`);
  console.log(`credits:       ${exp.cost} used, ${quota.quota_remaining} left this month`);
  console.log(`watch it in a browser: ${exp.video_url}`);
}

main().catch((err) => {
  if (err instanceof ShortDramaError) console.error(`\n${err.name}: ${err.message}`);
  else console.error(err);
  process.exit(1);
});
