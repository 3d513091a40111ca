import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { sha256Hex as sha256HexOf } from "../../../contracts/crypto";
import {
  SEGMENT_FORMAT_VERSION,
  type SegmentAnswer,
  type SegmentDescriptor,
  type SegmentLookupRequest,
  SegmentLookupResponseSchema,
  type SegmentReport,
} from "../../../contracts/segments";
import { signRequest } from "../../../contracts/signing";
import type { Timeline } from "../../../contracts/timeline";
import { buildStillPrepPlan, captionMetrics } from "../ffmpeg/args";
import type { VideoEncoder } from "../ffmpeg/encoder";
import { type Binaries, probe, runPlan } from "../ffmpeg/run";
import {
  buildSegmentPlan,
  type Segment,
  type SegmentPlanInput,
  type ShotCaption,
  type ShotVisual,
  segmentContainer,
  segmentIdentity,
} from "../ffmpeg/segment-plan";
import { wrapText } from "../ffmpeg/text";
import { fetchInput } from "./inputs";
import { type PreparedScene, sha256File } from "./prepare";
import { type UploadLimits, uploadFile } from "./uploader";

/**
 * Encodes a film's segments, reusing the ones the Worker already holds (contracts/segments.ts).
 * The cache is an optimisation the render never depends on: a failed lookup, a bad download or a
 * failed upload only means more encoding.
 */
export interface SegmentContext {
  bin: Binaries;
  fontFile: string;
  apiOrigin: string;
  secret: string;
  ffmpegVersion: string;
  encoder: VideoEncoder;
  encoderExtra: string[];
  parallel: number;
  upload: UploadLimits;
  signal: AbortSignal;
  onFfmpegStart?: ((pid: number | undefined) => void) | undefined;
  /** Frames encoded so far, for progress. */
  onFrames?: ((frames: number) => void) | undefined;
}

/** Every scene's picture and burned-in captions, on its own frame numbers. */
export async function shotVisuals(
  scenes: PreparedScene[],
  timeline: Timeline,
  fps: number,
  canvas: { width: number; height: number },
  burnIn: boolean,
  dir: string,
): Promise<ShotVisual[]> {
  const { maxLineWidth } = captionMetrics(canvas.width, canvas.height);
  const out: ShotVisual[] = [];
  for (const [i, scene] of scenes.entries()) {
    const slot = timeline.slots[i] as Timeline["slots"][number];
    const first = Math.round(slot.start * fps);
    const frames = Math.round((slot.start + slot.duration) * fps) - first;
    const captions: ShotCaption[] = [];
    if (burnIn) {
      for (const [k, cue] of timeline.cues.filter((c) => c.index === i).entries()) {
        const text = wrapText(cue.text, maxLineWidth, 3).join("\n");
        const file = join(dir, `caption-${i}-${k}.txt`);
        await writeFile(file, text);
        // A spoken line shows while it is heard; the older whole-scene caption over the whole scene.
        const [from, to] =
          cue.line === undefined
            ? [0, frames]
            : [
                Math.max(0, Math.round(cue.start * fps) - first),
                Math.min(frames, Math.round(cue.end * fps) - first),
              ];
        if (to > from) captions.push({ file, text, from, to });
      }
    }
    out.push({
      kind: scene.source === "clip" ? "clip" : "still",
      source: scene.visual,
      sha256: scene.sha256,
      captions,
      ...(scene.clip ? { clipFrames: Math.floor(scene.clip.seconds * fps) } : {}),
    });
  }
  return out;
}

export interface PlannedSegment {
  segment: Segment;
  key: string;
  descriptor: SegmentDescriptor;
  file: string;
}

export async function keySegments(
  segments: Segment[],
  base: Omit<SegmentPlanInput, "segment" | "output">,
  ffmpegVersion: string,
  dir: string,
): Promise<PlannedSegment[]> {
  const ext = segmentContainer(base.encoder) === "webm" ? "webm" : "ts";
  return Promise.all(
    segments.map(async (segment, i) => {
      const identity = segmentIdentity(
        { ...base, segment },
        { formatVersion: SEGMENT_FORMAT_VERSION, ffmpeg: ffmpegVersion },
      );
      const key = await sha256HexOf(JSON.stringify(identity));
      return {
        segment,
        key,
        descriptor: {
          key,
          kind: segment.kind,
          shots: segment.spans.map((s) => s.shot),
          frames: segment.end - segment.start,
        },
        file: join(dir, `segment-${String(i).padStart(3, "0")}.${ext}`),
      };
    }),
  );
}

/** Asks the Worker which segments it holds; any failure is "none" (the cache is optional). */
export async function lookupSegments(
  url: string,
  request: SegmentLookupRequest,
  secret: string,
  signal: AbortSignal,
): Promise<Map<string, SegmentAnswer>> {
  const body = JSON.stringify(request);
  const target = new URL(url);
  try {
    const res = await fetch(target, {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        ...(await signRequest(secret, { method: "POST", path: target.pathname + target.search, body })),
      },
      body,
      redirect: "manual",
      signal: AbortSignal.any([signal, AbortSignal.timeout(15_000)]),
    });
    if (!res.ok) return new Map();
    const parsed = SegmentLookupResponseSchema.safeParse(await res.json());
    return parsed.success ? new Map(parsed.data.segments.map((a) => [a.key, a])) : new Map();
  } catch (err) {
    if (signal.aborted) throw err;
    return new Map();
  }
}

/**
 * A downloaded segment is used only if it is what was stored — the SHA-256 recorded at upload —
 * or, without one, what we would have encoded: one video stream, the canvas, the frame count.
 */
async function usableHit(
  file: string,
  p: PlannedSegment,
  answer: Extract<SegmentAnswer, { status: "hit" }>,
  ctx: SegmentContext,
  canvas: { width: number; height: number },
): Promise<boolean> {
  if (answer.sha256) return (await sha256File(file)) === answer.sha256;
  const probed = await probe(file, ctx.bin, ["-count_packets"]).catch(() => null);
  const v = probed?.streams.find((s) => s.codec_type === "video");
  return (
    !!v &&
    v.width === canvas.width &&
    v.height === canvas.height &&
    Number(v.nb_read_packets) === p.descriptor.frames &&
    (probed?.streams.length ?? 0) === 1
  );
}

/**
 * Obtains every segment: hits downloaded and checked, the rest encoded (at most `parallel` at a
 * time) and uploaded where the Worker gave a target. Reports each in film order.
 */
export async function produceSegments(
  planned: PlannedSegment[],
  base: Omit<SegmentPlanInput, "segment" | "output">,
  answers: Map<string, SegmentAnswer>,
  ctx: SegmentContext,
): Promise<SegmentReport[]> {
  const canvas = { width: base.width, height: base.height };
  const reports: SegmentReport[] = planned.map((p) => ({
    ...p.descriptor,
    start: p.segment.start,
    reused: false,
  }));
  const toEncode: number[] = [];
  await inParallel(planned, 4, async (p, i) => {
    const answer = answers.get(p.key);
    if (answer?.status !== "hit") return void toEncode.push(i);
    try {
      await fetchInput(answer.url, p.file, {
        apiOrigin: ctx.apiOrigin,
        maxBytes: answer.size,
        kind: "video",
        signal: ctx.signal,
      });
      if (await usableHit(p.file, p, answer, ctx, canvas)) {
        (reports[i] as SegmentReport).reused = true;
        ctx.onFrames?.(p.descriptor.frames);
        return;
      }
    } catch (err) {
      if (ctx.signal.aborted) throw err;
    }
    await rm(p.file, { force: true });
    toEncode.push(i);
  });
  toEncode.sort((a, b) => a - b);
  const stills = new StillPreparer(
    base,
    toEncode.map((i) => (planned[i] as PlannedSegment).segment),
    ctx,
  );
  const uploads: Promise<void>[] = [];
  await inParallel(toEncode, ctx.parallel, async (i) => {
    const p = planned[i] as PlannedSegment;
    let done = 0;
    const shots = await stills.acquire(p.segment);
    await runPlan(buildSegmentPlan({ ...base, shots, segment: p.segment, output: p.file }), ctx.bin, {
      signal: ctx.signal,
      onStart: ctx.onFfmpegStart,
      onProgress: (t) => {
        const now = Math.min(p.descriptor.frames, Math.round(t * base.fps));
        ctx.onFrames?.(now - done);
        done = now;
      },
    });
    ctx.onFrames?.(p.descriptor.frames - done);
    await stills.release(p.segment);
    const answer = answers.get(p.key);
    if (answer?.status === "miss" && answer.upload) {
      const target = answer.upload;
      // Uploads overlap the next encodes; a failed one only means the cache misses next time.
      uploads.push(
        (async () => {
          const { size } = await uploadFile(
            p.file,
            target,
            segmentContentType(base.encoder),
            ctx.upload,
            ctx.signal,
          );
          (reports[i] as SegmentReport).uploaded = {
            url: target.url,
            size,
            sha256: await sha256File(p.file),
          };
        })().catch(() => {}),
      );
    }
  });
  await Promise.all(uploads);
  return reports;
}

/**
 * Each still is decoded, scaled to twice the canvas and converted to 4:2:0 once, by one small
 * ffmpeg run, and the raw frame is read by every segment that shows it (a still is in up to three:
 * its body and two crossfades) instead of each decoding and scaling the PNG again. A prepared frame
 * is deleted when its last segment is encoded, so the disk holds a few at a time (12 MB each at
 * 1080×1920), not the whole film.
 */
class StillPreparer {
  private readonly users = new Map<number, number>();
  private readonly ready = new Map<number, Promise<string>>();

  constructor(
    private readonly base: Omit<SegmentPlanInput, "segment" | "output">,
    segments: Segment[],
    private readonly ctx: SegmentContext,
  ) {
    for (const segment of segments)
      for (const span of segment.spans)
        if (base.shots[span.shot]?.kind === "still")
          this.users.set(span.shot, (this.users.get(span.shot) ?? 0) + 1);
  }

  /** The segment's shots, its stills replaced by their prepared frames. */
  async acquire(segment: Segment): Promise<ShotVisual[]> {
    const shots = [...this.base.shots];
    for (const span of segment.spans) {
      const shot = shots[span.shot] as ShotVisual;
      if (shot.kind !== "still") continue;
      let ready = this.ready.get(span.shot);
      if (!ready) {
        const output = `${shot.source}.yuv`;
        ready = runPlan(
          buildStillPrepPlan(shot.source, this.base.width, this.base.height, output),
          this.ctx.bin,
          {
            signal: this.ctx.signal,
          },
        ).then(() => output);
        this.ready.set(span.shot, ready);
      }
      shots[span.shot] = { ...shot, prepared: await ready };
    }
    return shots;
  }

  async release(segment: Segment): Promise<void> {
    for (const span of segment.spans) {
      const left = (this.users.get(span.shot) ?? 0) - 1;
      this.users.set(span.shot, left);
      const ready = this.ready.get(span.shot);
      if (left <= 0 && ready) await rm(await ready, { force: true });
    }
  }
}

export function segmentContentType(encoder: VideoEncoder): string {
  return segmentContainer(encoder) === "webm" ? "video/webm" : "video/mp2t";
}

/** The concat demuxer's list: each segment with its exact length, so timestamps never drift. */
export function concatList(planned: PlannedSegment[], fps: number): string {
  return planned
    .map((p) => `file '${p.file}'\nduration ${(p.descriptor.frames / fps).toFixed(6)}`)
    .join("\n")
    .concat("\n");
}

/** Runs `fn` over `items` with at most `limit` at a time. */
export async function inParallel<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i] as T, i);
    }
  });
  await Promise.all(workers);
}
