import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { copyFile } from "node:fs/promises";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { MIN_CLIP_SECONDS, type RenderSpec, type Scene } from "../../../contracts/render-spec";
import { drawCard } from "../cards/card";
import { buildFrameGrabPlan } from "../ffmpeg/args";
import { type Binaries, probe, runPlan } from "../ffmpeg/run";
import { InvalidJobError } from "./errors";
import { fetchInput } from "./inputs";

/**
 * Everything a render draws and plays, fetched (API origin only), checked and measured before any
 * plan is made: the stills (or cards), the clips, the spoken lines and the music.
 */
export interface PrepareContext {
  bin: Binaries;
  fontFile: string;
  apiOrigin: string;
  maxInputBytes: number;
  maxMusicBytes: number;
  maxClipBytes: number;
  signal: AbortSignal;
}

export interface PreparedLine {
  file: string;
  /** SHA-256 of the downloaded audio (the soundtrack's cache key is made of these). */
  sha256: string;
  /** Seconds, measured with ffprobe on the downloaded file. */
  duration: number;
  text: string;
  speaker?: string | undefined;
  url: string;
  hash: string;
  mediaRef?: string | undefined;
}

export interface PreparedClip {
  file: string;
  /** Seconds of picture, probed. */
  seconds: number;
  /** The clip's own audio is mixed in (asked for and present). */
  keepAudio: boolean;
  url: string;
  hash: string;
  mediaRef?: string | undefined;
}

export interface PreparedScene {
  source: "image" | "clip" | "card";
  /** The file the picture is drawn from: a still (fetched or drawn) or the clip. */
  visual: string;
  /** SHA-256 of that file's bytes. */
  sha256: string;
  /** A still of the scene (for the contact sheet): the image, the card, or the clip's first frame
   * (drawn only when a contact sheet is asked for). */
  still: string;
  imageUrl?: string | undefined;
  mediaRef?: string | undefined;
  clip?: PreparedClip | undefined;
  lines: PreparedLine[];
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash("sha256");
  await pipeline(createReadStream(file), hash);
  return hash.digest("hex");
}

/** Re-labels an input's refusal with the place in the spec it came from. */
async function at<T>(where: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof InvalidJobError) throw new InvalidJobError(`${where}: ${err.message}`);
    throw err;
  }
}

async function prepareLine(
  ctx: PrepareContext,
  dir: string,
  i: number,
  j: number,
  line: NonNullable<Scene["lines"]>[number],
): Promise<PreparedLine> {
  const where = `scenes[${i}].lines[${j}]`;
  const file = join(dir, `line-${i}-${j}`);
  return at(where, async () => {
    await fetchInput(line.audio_url, file, {
      apiOrigin: ctx.apiOrigin,
      maxBytes: ctx.maxMusicBytes,
      kind: "audio",
      signal: ctx.signal,
    });
    const probed = await probe(file, ctx.bin).catch(() => null);
    const audio = probed?.streams.find((s) => s.codec_type === "audio");
    const duration = Number(audio?.duration ?? probed?.format.duration ?? 0);
    if (!audio || !(duration > 0.05)) throw new InvalidJobError("the line's audio is empty or unreadable");
    return {
      file,
      sha256: await sha256File(file),
      duration: Math.round(duration * 1000) / 1000,
      text: line.text,
      speaker: line.speaker,
      url: line.audio_url,
      hash: line.audio_hash,
      mediaRef: line.media_ref,
    };
  });
}

async function prepareClip(
  ctx: PrepareContext,
  dir: string,
  i: number,
  clip: NonNullable<Scene["clip"]>,
  still: string | null,
): Promise<PreparedClip> {
  const file = join(dir, `clip-${i}`);
  return at(`scenes[${i}].clip`, async () => {
    await fetchInput(clip.url, file, {
      apiOrigin: ctx.apiOrigin,
      maxBytes: ctx.maxClipBytes,
      kind: "video",
      signal: ctx.signal,
    });
    const probed = await probe(file, ctx.bin, ["-count_packets"]).catch(() => null);
    const video = probed?.streams.find((s) => s.codec_type === "video");
    if (!probed || !video) throw new InvalidJobError("the clip is not a video (no video stream)");
    const frames = Number(video.nb_read_packets ?? 0);
    if (!(frames > 0)) throw new InvalidJobError("the clip has no frames");
    const seconds = Number(video.duration ?? probed.format.duration ?? 0);
    if (!(seconds >= MIN_CLIP_SECONDS))
      throw new InvalidJobError(
        `the clip is ${seconds.toFixed(2)} s long, shorter than ${MIN_CLIP_SECONDS} s`,
      );
    if (still)
      await runPlan(buildFrameGrabPlan(file, still), ctx.bin, { signal: ctx.signal }).catch(() => {
        throw new InvalidJobError("the clip's first frame cannot be decoded");
      });
    return {
      file,
      seconds,
      keepAudio: clip.keep_audio && probed.streams.some((s) => s.codec_type === "audio"),
      url: clip.url,
      hash: clip.hash,
      mediaRef: clip.media_ref,
    };
  });
}

/** One scene: its picture (clip, image or card), hashed, and its lines, measured. */
export async function prepareScene(
  spec: RenderSpec,
  ctx: PrepareContext,
  dir: string,
  canvas: { width: number; height: number },
  i: number,
): Promise<PreparedScene> {
  const scene = spec.scenes[i] as Scene;
  const still = join(dir, `scene-${String(i).padStart(3, "0")}.png`);
  const lines: PreparedLine[] = [];
  for (const [j, line] of (scene.lines ?? []).entries()) lines.push(await prepareLine(ctx, dir, i, j, line));
  if (scene.clip) {
    // The clip's still is only for the contact sheet.
    const clip = await prepareClip(ctx, dir, i, scene.clip, spec.outputs.contact_sheet ? still : null);
    return { source: "clip", visual: clip.file, sha256: await sha256File(clip.file), still, clip, lines };
  }
  if (scene.image_url) {
    const raw = join(dir, `input-${i}`);
    await at(`scenes[${i}].image_url`, () =>
      fetchInput(scene.image_url as string, raw, {
        apiOrigin: ctx.apiOrigin,
        maxBytes: ctx.maxInputBytes,
        kind: "image",
        signal: ctx.signal,
      }),
    );
    // ffmpeg reads by content, so the image keeps its bytes whatever its type.
    await copyFile(raw, still);
    return {
      source: "image",
      visual: still,
      sha256: await sha256File(still),
      still,
      imageUrl: scene.image_url,
      mediaRef: scene.image_media_ref,
      lines,
    };
  }
  // A card prints the scene's description; with lines, never the dialogue the captions carry.
  const text = lines.length > 0 ? (scene.text ?? "") : (scene.text ?? scene.caption ?? "");
  await drawCard(
    { bin: ctx.bin, fontFile: ctx.fontFile },
    { ...canvas, style: spec.style, seed: i * 37, title: i === 0 ? spec.title : undefined, text },
    [],
    still,
    ctx.signal,
  );
  return { source: "card", visual: still, sha256: await sha256File(still), still, lines };
}
