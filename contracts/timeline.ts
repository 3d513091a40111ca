import { CROSSFADE_SECONDS, videoLength } from "./render-spec";

export interface SceneSlot {
  index: number;
  /** When the scene starts (its crossfade in begins here), in seconds. */
  start: number;
  duration: number;
}

export interface CaptionCue {
  index: number;
  start: number;
  end: number;
  text: string;
}

export interface Timeline {
  total: number;
  slots: SceneSlot[];
  cues: CaptionCue[];
}

const round3 = (n: number) => Math.round(n * 1000) / 1000;

/**
 * Where every scene sits and when every caption shows. Scene i starts when scene i-1 begins to
 * fade out; a caption switches to the next in the middle of their crossfade, so cues never overlap
 * and cover the scenes without gaps.
 */
export function planTimeline(
  scenes: readonly { duration: number; caption?: string | undefined }[],
): Timeline {
  const slots: SceneSlot[] = [];
  let start = 0;
  scenes.forEach((s, index) => {
    slots.push({ index, start: round3(start), duration: s.duration });
    start += s.duration - CROSSFADE_SECONDS;
  });
  const total = videoLength(scenes.map((s) => s.duration));
  const half = CROSSFADE_SECONDS / 2;
  const cues: CaptionCue[] = [];
  scenes.forEach((s, i) => {
    const text = s.caption?.trim();
    if (!text) return;
    const slot = slots[i] as SceneSlot;
    const next = slots[i + 1];
    cues.push({
      index: i,
      start: round3(i === 0 ? 0 : slot.start + half),
      end: round3(next ? next.start + half : total),
      text,
    });
  });
  return { total, slots, cues };
}

function clock(seconds: number, separator: "," | "."): string {
  const ms = Math.round(seconds * 1000);
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = Math.floor((ms % 60_000) / 1000);
  const rest = ms % 1000;
  const pad = (n: number, w = 2) => String(n).padStart(w, "0");
  return `${pad(h)}:${pad(m)}:${pad(s)}${separator}${pad(rest, 3)}`;
}

export function toSrt(cues: readonly CaptionCue[]): string {
  return cues
    .map((c, i) => `${i + 1}\n${clock(c.start, ",")} --> ${clock(c.end, ",")}\n${c.text}\n`)
    .join("\n");
}

export function toVtt(cues: readonly CaptionCue[]): string {
  return `WEBVTT\n\n${cues.map((c) => `${clock(c.start, ".")} --> ${clock(c.end, ".")}\n${c.text}\n`).join("\n")}`;
}
