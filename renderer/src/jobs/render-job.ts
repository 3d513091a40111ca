import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { availableParallelism, totalmem } from "node:os";
import { join } from "node:path";
import type { AudioStem, ShotReport } from "../../../contracts/render-events";
import { canvasSize, type RenderSpec } from "../../../contracts/render-spec";
import { SEGMENT_FORMAT_VERSION, type SegmentReport } from "../../../contracts/segments";
import { planTimeline, toSrt, toVtt } from "../../../contracts/timeline";
import { buildContactSheetPlan, buildMuxPlan, buildPosterPlan, frameGrid } from "../ffmpeg/args";
import type { VideoEncoder } from "../ffmpeg/encoder";
import { chooseEncoding } from "../ffmpeg/parallelism";
import { type Binaries, ffmpegVersion, probe, runPlan } from "../ffmpeg/run";
import { planSegments, segmentContainer } from "../ffmpeg/segment-plan";
import { CancelledError, InvalidJobError } from "./errors";
import { fetchInput } from "./inputs";
import { type Music, obtainSoundtrack, planSoundtrack, soundtrackKey } from "./mix";
import { type PreparedScene, prepareScene, sha256File } from "./prepare";
import {
  concatList,
  inParallel,
  keySegments,
  lookupSegments,
  produceSegments,
  shotVisuals,
} from "./segments";
import { writeTimelines } from "./timelines";
import { type UploadLimits, uploadFile } from "./uploader";

export type Stage = "fetching" | "rendering" | "finishing" | "uploading";

export interface JobContext {
  bin: Binaries;
  fontFile: string;
  apiOrigin: string;
  /** Signs the segment-cache lookup (the same secret as every call between the two sides). */
  secret: string;
  workDir: string;
  encoder: VideoEncoder;
  maxInputBytes: number;
  maxMusicBytes: number;
  maxClipBytes: number;
  upload: UploadLimits;
  /** At most this many segment encodes at once (see ffmpeg/parallelism.ts for how many do). */
  parallelChunks: number;
  /** Memory the encoders may use together, MB; unset: half the machine's, over its renders. */
  memoryMb?: number | undefined;
  /** libx264 threads per encode; unset: chosen with the parallelism. */
  encoderThreads?: number | undefined;
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

type OutputName = keyof RenderSpec["outputs"];

export interface RenderResult {
  outputs: { video: OutputFile } & Partial<Record<Exclude<OutputName, "video">, OutputFile>>;
  duration: number;
  width: number;
  height: number;
  encoder: VideoEncoder;
  render_seconds: number;
  x_realtime: number;
  shots: ShotReport[];
  segments: SegmentReport[];
  audio: { stems: AudioStem[]; loudness?: { integrated_lufs: number; true_peak_dbtp: number } | undefined };
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

let versionOf: Promise<string> | null = null;

/**
 * The render job — one code path whichever process runs it: fetch and measure the inputs (API
 * origin only), place every shot and line on the timeline, obtain the film's segments (reused from
 * the Worker's cache or encoded in parallel), mix the soundtrack meanwhile, join segments and audio
 * by stream copy, verify the result with ffprobe and stream every file to its signed upload URL.
 * The working directory is removed whatever happens.
 */
export async function renderJob(spec: RenderSpec, ctx: JobContext): Promise<RenderResult> {
  const started = performance.now();
  const canvas = canvasSize(spec.resolution, spec.aspect_ratio);
  const { width, height } = canvas;
  const format = spec.format;
  if (format === "webm" && ctx.encoder !== "libvpx-vp9") ctx.encoder = "libvpx-vp9";
  if (format === "mp4" && ctx.encoder === "libvpx-vp9")
    throw new InvalidJobError("mp4 needs an H.264 encoder");
  versionOf ??= ffmpegVersion(ctx.bin).catch(() => "unknown");
  await mkdir(ctx.workDir, { recursive: true });
  const dir = await mkdtemp(join(ctx.workDir, `job-${spec.render_id}-`));
  try {
    // 1. Inputs: every picture, clip and line fetched, checked and measured.
    ctx.progress(SHARE.fetching[0], "fetching");
    const prepared: PreparedScene[] = new Array(spec.scenes.length);
    const prep = { ...ctx, signal: ctx.signal };
    let fetched = 0;
    await inParallel(spec.scenes, 4, async (_, i) => {
      checkAborted(ctx.signal);
      prepared[i] = await prepareScene(spec, prep, dir, canvas, i);
      fetched++;
      const [f0, f1] = SHARE.fetching;
      ctx.progress(f0 + ((f1 - f0) * fetched) / spec.scenes.length, "fetching");
    });
    let music: Music | null = null;
    if (spec.music_url) {
      const file = join(dir, "music");
      await fetchInput(spec.music_url, file, {
        apiOrigin: ctx.apiOrigin,
        maxBytes: ctx.maxMusicBytes,
        kind: "audio",
        signal: ctx.signal,
      });
      music = { file, url: spec.music_url, sha256: await sha256File(file), mediaRef: spec.music_media_ref };
    }
    checkAborted(ctx.signal);

    // 2. The timeline from the measured audio, and the film as segments with their keys.
    const timeline = planTimeline(
      spec.scenes.map((s, i) => ({
        duration: s.duration,
        caption: s.caption,
        lines: prepared[i]?.lines.map((l) => ({ text: l.text, speaker: l.speaker, duration: l.duration })),
      })),
    );
    const grid = frameGrid(timeline, spec.fps);
    const encoding = chooseEncoding({
      cores: availableParallelism(),
      memoryMb: ctx.memoryMb ?? totalmem() / 2 ** 21,
      pixels: width * height,
      maxParallel: ctx.parallelChunks,
      threads: ctx.encoderThreads,
    });
    // Threads change libx264's bitstream (not its quality settings), so they are part of the key.
    const encoderExtra = ctx.encoder === "libx264" ? ["-threads", String(encoding.threads)] : [];
    const shots = await shotVisuals(prepared, timeline, spec.fps, canvas, spec.include_subtitles, dir);
    const base = {
      width,
      height,
      fps: spec.fps,
      shots,
      grid,
      fontFile: ctx.fontFile,
      encoder: ctx.encoder,
      encoderExtra,
    };
    const planned = await keySegments(planSegments(timeline, spec.fps), base, await versionOf, dir);
    const sound = planSoundtrack(prepared, timeline, music);
    const audioDescriptor = {
      key: await soundtrackKey(sound, ctx.encoder, await versionOf),
      kind: "audio" as const,
      shots: [],
      frames: Math.max(1, Math.round(timeline.total * spec.fps)),
    };
    const answers = spec.segments_url
      ? await lookupSegments(
          spec.segments_url,
          {
            render_id: spec.render_id,
            format_version: SEGMENT_FORMAT_VERSION,
            container: segmentContainer(ctx.encoder),
            segments: [...planned.map((p) => p.descriptor), audioDescriptor],
          },
          ctx.secret,
          ctx.signal,
        )
      : new Map();

    // 3. Segments (reused or encoded) while the soundtrack, sidecars and contact sheet are made.
    const ext = format === "webm" ? "webm" : "mp4";
    const video = join(dir, `video.${ext}`);
    const audio = join(dir, `audio.${format === "webm" ? "webm" : "m4a"}`);
    const renderStarted = performance.now();
    const side = new AbortController();
    const sideSignal = AbortSignal.any([ctx.signal, side.signal]);
    const soundtrack = obtainSoundtrack(
      sound,
      answers.get(audioDescriptor.key),
      {
        bin: ctx.bin,
        apiOrigin: ctx.apiOrigin,
        encoder: ctx.encoder,
        upload: ctx.upload,
        signal: sideSignal,
      },
      dir,
      audio,
    );
    const sideWork = Promise.all([
      soundtrack,
      writeFile(join(dir, "captions.srt"), toSrt(timeline.cues)),
      writeFile(join(dir, "captions.vtt"), toVtt(timeline.cues)),
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
            { signal: sideSignal },
          )
        : Promise.resolve(""),
    ]);
    const sideSettled = sideWork.then(
      () => undefined,
      () => undefined,
    );
    const totalFrames = planned.reduce((n, p) => n + p.descriptor.frames, 0);
    let framesDone = 0;
    const [r0, r1] = SHARE.rendering;
    let segments: SegmentReport[];
    try {
      segments = await produceSegments(planned, base, answers, {
        bin: ctx.bin,
        fontFile: ctx.fontFile,
        apiOrigin: ctx.apiOrigin,
        secret: ctx.secret,
        ffmpegVersion: await versionOf,
        encoder: ctx.encoder,
        encoderExtra,
        parallel: encoding.parallel,
        upload: ctx.upload,
        signal: ctx.signal,
        onFfmpegStart: ctx.onFfmpegStart,
        onFrames: (n) => {
          framesDone += n;
          ctx.progress(r0 + ((r1 - r0) * framesDone) / totalFrames, "rendering");
        },
      });
      await sideWork;
    } catch (err) {
      side.abort();
      await sideSettled;
      throw err;
    }
    const { reused: audioReused, uploaded: audioUploaded, ...mix } = await soundtrack;
    segments.push({
      ...audioDescriptor,
      start: 0,
      reused: audioReused,
      ...(audioUploaded ? { uploaded: audioUploaded } : {}),
    });
    await writeTimelines(spec, prepared, timeline, grid, mix.stems, canvas, dir);
    const list = join(dir, "segments.txt");
    await writeFile(list, concatList(planned, spec.fps));
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
    const duration = await verify(video, timeline.total, canvas, ctx.bin);

    // 5. Uploads, streamed.
    checkAborted(ctx.signal);
    ctx.progress(SHARE.uploading[0], "uploading");
    const files: [OutputName, string, string][] = [
      ["video", video, format === "webm" ? "video/webm" : "video/mp4"],
      ["srt", join(dir, "captions.srt"), "application/x-subrip; charset=utf-8"],
      ["vtt", join(dir, "captions.vtt"), "text/vtt; charset=utf-8"],
      ["poster", join(dir, "poster.jpg"), "image/jpeg"],
      ["contact_sheet", join(dir, "contact.png"), "image/png"],
      ["fcpxml", join(dir, "timeline.fcpxml"), "application/xml; charset=utf-8"],
      ["otio", join(dir, "timeline.otio"), "application/json; charset=utf-8"],
      ["edl", join(dir, "timeline.edl"), "text/plain; charset=utf-8"],
    ];
    const outputs: Partial<Record<OutputName, OutputFile>> = {};
    for (const [name, file, type] of files) {
      const target = spec.outputs[name];
      if (!target) continue;
      const { size } = await uploadFile(file, target, type, ctx.upload, ctx.signal);
      outputs[name] = { url: target.url, size, content_type: type };
    }
    ctx.progress(1, "uploading");
    const total = (performance.now() - started) / 1000;
    return {
      outputs: outputs as RenderResult["outputs"],
      duration,
      width,
      height,
      encoder: ctx.encoder,
      render_seconds: Math.round(renderSeconds * 100) / 100,
      x_realtime: Math.round((timeline.total / total) * 1000) / 1000,
      shots: shotReports(prepared, timeline, segments),
      segments,
      audio: mix,
    };
  } catch (err) {
    if (ctx.signal.aborted) throw new CancelledError(String(ctx.signal.reason ?? "cancelled"));
    throw err;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The film is what was planned: duration within 0.1 s, canvas size, 4:2:0, an audio track. */
async function verify(
  video: string,
  planned: number,
  canvas: { width: number; height: number },
  bin: Binaries,
): Promise<number> {
  const probed = await probe(video, bin);
  const v = probed.streams.find((s) => s.codec_type === "video");
  const a = probed.streams.find((s) => s.codec_type === "audio");
  const duration = Number(probed.format.duration ?? 0);
  const problems = [
    Math.abs(duration - planned) > 0.1 ? `duration ${duration} s instead of ${planned} s` : null,
    v?.width !== canvas.width || v?.height !== canvas.height
      ? `size ${v?.width}x${v?.height} instead of ${canvas.width}x${canvas.height}`
      : null,
    v?.pix_fmt !== "yuv420p" ? `video stream ${v?.codec_name}/${v?.pix_fmt}` : null,
    !a ? "no audio stream" : null,
  ].filter(Boolean);
  if (problems.length > 0) throw new Error(`output failed verification: ${problems.join("; ")}`);
  return duration;
}

/** A shot is reused when its body segment came from the cache (a body-less shot: all its fades). */
function shotReports(
  prepared: PreparedScene[],
  timeline: ReturnType<typeof planTimeline>,
  segments: SegmentReport[],
): ShotReport[] {
  return timeline.slots.map((slot, i) => {
    const body = segments.find((s) => s.kind === "body" && s.shots[0] === i);
    const mine = body ? [body] : segments.filter((s) => s.shots.includes(i));
    return {
      index: i,
      start: slot.start,
      duration: slot.duration,
      source: prepared[i]?.source ?? "card",
      reused: mine.length > 0 && mine.every((s) => s.reused),
    };
  });
}
