import { copyFile, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { canvasSize, type RenderSpec } from "../../../contracts/render-spec";
import { planTimeline, toSrt, toVtt } from "../../../contracts/timeline";
import { drawCard } from "../cards/card";
import {
  buildAudioPlan,
  buildChunkPlan,
  buildContactSheetPlan,
  buildMuxPlan,
  buildPosterPlan,
  captionMetrics,
  chunkFormat,
  planChunks,
  type RenderScene,
} from "../ffmpeg/args";
import type { VideoEncoder } from "../ffmpeg/encoder";
import { type Binaries, probe, runPlan } from "../ffmpeg/run";
import { wrapText } from "../ffmpeg/text";
import { CancelledError, InvalidJobError } from "./errors";
import { fetchInput } from "./inputs";
import { type UploadLimits, uploadFile } from "./uploader";

export type Stage = "fetching" | "rendering" | "finishing" | "uploading";

export interface JobContext {
  bin: Binaries;
  fontFile: string;
  apiOrigin: string;
  workDir: string;
  encoder: VideoEncoder;
  maxInputBytes: number;
  maxMusicBytes: number;
  upload: UploadLimits;
  /** How many chunk encodes run at once (one per core is the sweet spot). */
  parallelChunks: number;
  /** Scenes per chunk: bounds the memory of each ffmpeg whatever the length of the video. */
  scenesPerChunk: number;
  signal: AbortSignal;
  /** Overall progress 0..1 and the stage; the caller throttles what it forwards. */
  progress: (fraction: number, stage: Stage) => void;
  onFfmpegStart?: ((pid: number | undefined) => void) | undefined;
}

export interface OutputFile {
  url: string;
  size: number;
  content_type: string;
}

export interface RenderResult {
  outputs: {
    video: OutputFile;
    srt?: OutputFile;
    vtt?: OutputFile;
    poster?: OutputFile;
    contact_sheet?: OutputFile;
  };
  duration: number;
  width: number;
  height: number;
  encoder: VideoEncoder;
  render_seconds: number;
  x_realtime: number;
}

/** Fractions of the whole job each stage covers, for one progress figure. */
const SHARE = {
  fetching: [0, 0.05],
  rendering: [0.05, 0.9],
  finishing: [0.9, 0.94],
  uploading: [0.94, 1],
} as const;

function checkAborted(signal: AbortSignal) {
  if (signal.aborted) throw new CancelledError(String(signal.reason ?? "cancelled"));
}

/** Runs `fns` with at most `limit` at a time. */
async function inParallel<T>(items: T[], limit: number, fn: (item: T, index: number) => Promise<void>) {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i] as T, i);
    }
  });
  await Promise.all(workers);
}

/**
 * The render job — one code path whichever queue runs it: fetch the inputs (API origin only), draw
 * cards for scenes without an image, render the whole video in one ffmpeg run, make the poster,
 * contact sheet and subtitle sidecars, verify the result with ffprobe, and stream every file to
 * its signed upload URL. The working directory is removed whatever happens.
 */
export async function renderJob(spec: RenderSpec, ctx: JobContext): Promise<RenderResult> {
  const started = performance.now();
  const { width, height } = canvasSize(spec.resolution, spec.aspect_ratio);
  const timeline = planTimeline(spec.scenes);
  const format = spec.format;
  if (format === "webm" && ctx.encoder !== "libvpx-vp9") ctx.encoder = "libvpx-vp9";
  if (format === "mp4" && ctx.encoder === "libvpx-vp9")
    throw new InvalidJobError("mp4 needs an H.264 encoder");
  await mkdir(ctx.workDir, { recursive: true });
  const dir = await mkdtemp(join(ctx.workDir, `job-${spec.render_id}-`));
  try {
    // 1. Inputs: scene stills (fetched, or drawn as cards) under sequential names for the contact sheet.
    ctx.progress(SHARE.fetching[0], "fetching");
    const stills = spec.scenes.map((_, i) => join(dir, `scene-${String(i).padStart(3, "0")}.png`));
    let fetched = 0;
    await inParallel(spec.scenes, 4, async (scene, i) => {
      checkAborted(ctx.signal);
      const dest = stills[i] as string;
      if (scene.image_url) {
        const raw = join(dir, `input-${i}`);
        await fetchInput(scene.image_url, raw, {
          apiOrigin: ctx.apiOrigin,
          maxBytes: ctx.maxInputBytes,
          kind: "image",
          signal: ctx.signal,
        });
        // ffmpeg reads by content, so the image keeps its bytes whatever its type.
        await copyFile(raw, dest);
      } else {
        await drawCard(
          { bin: ctx.bin, fontFile: ctx.fontFile },
          {
            width,
            height,
            style: spec.style,
            seed: i * 37,
            title: i === 0 ? spec.title : undefined,
            text: scene.text ?? scene.caption ?? "",
          },
          [],
          dest,
          ctx.signal,
        );
      }
      fetched++;
      ctx.progress(
        SHARE.fetching[0] + ((SHARE.fetching[1] - SHARE.fetching[0]) * fetched) / spec.scenes.length,
        "fetching",
      );
    });
    let music: string | null = null;
    if (spec.music_url) {
      music = join(dir, "music");
      await fetchInput(spec.music_url, music, {
        apiOrigin: ctx.apiOrigin,
        maxBytes: ctx.maxMusicBytes,
        kind: "audio",
        signal: ctx.signal,
      });
    }
    checkAborted(ctx.signal);

    // 2. Captions, wrapped to the canvas, as text files (drawtext reads them verbatim).
    const { maxLineWidth } = captionMetrics(width, height);
    const scenes: RenderScene[] = [];
    for (const [i, scene] of spec.scenes.entries()) {
      let captionFile: string | undefined;
      if (spec.include_subtitles && scene.caption?.trim()) {
        captionFile = join(dir, `caption-${i}.txt`);
        await writeFile(captionFile, wrapText(scene.caption.trim(), maxLineWidth, 3).join("\n"));
      }
      scenes.push({ image: stills[i] as string, captionFile });
    }

    // 3. The video: chunks of a few scenes encoded in parallel, the audio once, then joined by
    // stream copy. Sidecars and the contact sheet do not need the video and are made meanwhile.
    const ext = format === "webm" ? "webm" : "mp4";
    const video = join(dir, `video.${ext}`);
    const renderStarted = performance.now();
    // Side work stops with the job, and always settles before the directory is removed.
    const side = new AbortController();
    const sideSignal = AbortSignal.any([ctx.signal, side.signal]);
    const audio = join(dir, `audio.${format === "webm" ? "webm" : "m4a"}`);
    const sideWork = Promise.all([
      writeFile(join(dir, "captions.srt"), toSrt(timeline.cues)),
      writeFile(join(dir, "captions.vtt"), toVtt(timeline.cues)),
      runPlan(buildAudioPlan(music, timeline.total, ctx.encoder, audio), ctx.bin, { signal: sideSignal }),
      spec.outputs.contact_sheet
        ? runPlan(
            buildContactSheetPlan(
              join(dir, "scene-%03d.png"),
              spec.scenes.length,
              width,
              height,
              join(dir, "contact.png"),
            ),
            ctx.bin,
            {
              signal: sideSignal,
            },
          )
        : Promise.resolve(),
    ]);
    const sideSettled = sideWork.then(
      () => undefined,
      () => undefined,
    );
    const chunks = planChunks(timeline, spec.fps, ctx.scenesPerChunk, ctx.parallelChunks);
    const chunkFiles = chunks.map((_, i) =>
      join(dir, `chunk-${i}.${chunkFormat(ctx.encoder) === "webm" ? "webm" : "ts"}`),
    );
    const totalFrames = chunks.reduce((n, c) => n + c.end - c.start, 0);
    const framesDone = chunks.map(() => 0);
    const [r0, r1] = SHARE.rendering;
    try {
      await inParallel(chunks, ctx.parallelChunks, (chunk, i) =>
        runPlan(
          buildChunkPlan({
            width,
            height,
            fps: spec.fps,
            scenes,
            timeline,
            fontFile: ctx.fontFile,
            encoder: ctx.encoder,
            chunk,
            output: chunkFiles[i] as string,
          }),
          ctx.bin,
          {
            signal: ctx.signal,
            onStart: ctx.onFfmpegStart,
            onProgress: (t) => {
              framesDone[i] = Math.min(chunk.end - chunk.start, Math.round(t * spec.fps));
              ctx.progress(
                r0 + ((r1 - r0) * framesDone.reduce((a, b) => a + b, 0)) / totalFrames,
                "rendering",
              );
            },
          },
        ),
      );
      await sideWork;
    } catch (err) {
      side.abort();
      await sideSettled;
      throw err;
    }
    const list = join(dir, "chunks.txt");
    await writeFile(list, chunkFiles.map((f) => `file '${f}'`).join("\n"));
    await runPlan(buildMuxPlan(list, audio, timeline.total, ctx.encoder, video), ctx.bin, {
      signal: ctx.signal,
    });
    const renderSeconds = (performance.now() - renderStarted) / 1000;

    // 4. Poster and verification.
    ctx.progress(SHARE.finishing[0], "finishing");
    if (spec.outputs.poster)
      await runPlan(buildPosterPlan(video, timeline.total, join(dir, "poster.jpg")), ctx.bin, {
        signal: ctx.signal,
      });
    const probed = await probe(video, ctx.bin);
    const v = probed.streams.find((s) => s.codec_type === "video");
    const a = probed.streams.find((s) => s.codec_type === "audio");
    const duration = Number(probed.format.duration ?? 0);
    const problems = [
      Math.abs(duration - timeline.total) > 0.1
        ? `duration ${duration} s instead of ${timeline.total} s`
        : null,
      v?.width !== width || v?.height !== height
        ? `size ${v?.width}x${v?.height} instead of ${width}x${height}`
        : null,
      v?.pix_fmt !== "yuv420p" ? `video stream ${v?.codec_name}/${v?.pix_fmt}` : null,
      !a ? "no audio stream" : null,
    ].filter(Boolean);
    if (problems.length > 0) throw new Error(`output failed verification: ${problems.join("; ")}`);

    // 5. Uploads, streamed.
    checkAborted(ctx.signal);
    ctx.progress(SHARE.uploading[0], "uploading");
    const send = async (file: string, target: RenderSpec["outputs"]["video"] | undefined, type: string) => {
      if (!target) return undefined;
      const { size } = await uploadFile(file, target, type, ctx.upload, ctx.signal);
      return { url: target.url, size, content_type: type };
    };
    const videoType = format === "webm" ? "video/webm" : "video/mp4";
    const outputs: RenderResult["outputs"] = {
      video: (await send(video, spec.outputs.video, videoType)) as OutputFile,
    };
    const srt = await send(
      join(dir, "captions.srt"),
      spec.outputs.srt,
      "application/x-subrip; charset=utf-8",
    );
    const vtt = await send(join(dir, "captions.vtt"), spec.outputs.vtt, "text/vtt; charset=utf-8");
    const poster = await send(join(dir, "poster.jpg"), spec.outputs.poster, "image/jpeg");
    const sheet = await send(join(dir, "contact.png"), spec.outputs.contact_sheet, "image/png");
    if (srt) outputs.srt = srt;
    if (vtt) outputs.vtt = vtt;
    if (poster) outputs.poster = poster;
    if (sheet) outputs.contact_sheet = sheet;
    ctx.progress(1, "uploading");
    const total = (performance.now() - started) / 1000;
    return {
      outputs,
      duration,
      width,
      height,
      encoder: ctx.encoder,
      render_seconds: Math.round(renderSeconds * 100) / 100,
      x_realtime: Math.round((timeline.total / total) * 1000) / 1000,
    };
  } catch (err) {
    if (ctx.signal.aborted) throw new CancelledError(String(ctx.signal.reason ?? "cancelled"));
    throw err;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
