import { CROSSFADE_SECONDS, videoLength } from "./render-spec";

export interface SceneSlot {
  index: number;
  /** When the scene starts (its crossfade in begins here), in seconds. */
  start: number;
  /** Seconds, crossfades included: the spec's duration, lengthened to hold the scene's lines. */
  duration: number;
}

export interface CaptionCue {
  /** The scene the cue belongs to. */
  index: number;
  start: number;
  end: number;
  text: string;
  /** For a spoken line: its position in the scene's `lines`. */
  line?: number;
  speaker?: string;
}

/** A spoken line placed on the film's clock. */
export interface LineSlot {
  scene: number;
  line: number;
  /** When its audio starts and how long it is (measured), in seconds from the film's start. */
  start: number;
  duration: number;
}

export interface Timeline {
  total: number;
  slots: SceneSlot[];
  cues: CaptionCue[];
  lines: LineSlot[];
}

/** Silence after a shot's incoming crossfade before its first line. */
export const LINE_LEAD_SECONDS = 0.25;
/** Room tone between two lines of one shot. */
export const LINE_GAP_SECONDS = 0.3;
/** Silence after a shot's last line before its outgoing crossfade. */
export const LINE_TAIL_SECONDS = 0.35;

export interface TimedScene {
  duration: number;
  caption?: string | undefined;
  /**
   * Spoken lines with their audio's length: `duration` when measured (the renderer ffprobes each
   * file), else the spec's `audio_duration` (what the Worker knows when it estimates).
   */
  lines?: readonly TimedLine[] | undefined;
}

export interface TimedLine {
  text: string;
  speaker?: string | undefined;
  duration?: number | undefined;
  audio_duration?: number | undefined;
}

const seconds = (l: TimedLine) => l.duration ?? l.audio_duration ?? 0;

const round3 = (n: number) => Math.round(n * 1000) / 1000;
const ceil3 = (n: number) => Math.ceil(n * 1000 - 1e-6) / 1000;

/**
 * The shortest scene `index` of `count` may be to hold its lines: its crossfades (never under a
 * line, so a line is never cut or blended), the lead, every line with a gap between, the tail.
 */
export function minimumShotDuration(lineDurations: readonly number[], index: number, count: number): number {
  if (lineDurations.length === 0) return 0;
  const fades = (index > 0 ? CROSSFADE_SECONDS : 0) + (index < count - 1 ? CROSSFADE_SECONDS : 0);
  const speech = lineDurations.reduce((a, b) => a + b, 0) + LINE_GAP_SECONDS * (lineDurations.length - 1);
  return ceil3(fades + LINE_LEAD_SECONDS + speech + LINE_TAIL_SECONDS);
}

/** Each scene's duration once lengthened to hold its lines: what the Worker estimates and prices. */
export function shotDurations(scenes: readonly TimedScene[]): number[] {
  return scenes.map((s, i) =>
    Math.max(s.duration, minimumShotDuration((s.lines ?? []).map(seconds), i, scenes.length)),
  );
}

/**
 * Where every scene sits and when every caption shows. Scene i starts when scene i-1 begins to
 * fade out. A scene's lines are spoken one after another from `LINE_LEAD_SECONDS` after its
 * incoming crossfade, each cue exactly its audio. A scene without lines but with a `caption` keeps
 * the older timing: the caption switches to the next in the middle of their crossfade.
 */
export function planTimeline(scenes: readonly TimedScene[]): Timeline {
  const durations = shotDurations(scenes);
  const slots: SceneSlot[] = [];
  let start = 0;
  durations.forEach((duration, index) => {
    slots.push({ index, start: round3(start), duration });
    start += duration - CROSSFADE_SECONDS;
  });
  const total = videoLength(durations);
  const half = CROSSFADE_SECONDS / 2;
  const cues: CaptionCue[] = [];
  const lines: LineSlot[] = [];
  scenes.forEach((s, i) => {
    const slot = slots[i] as SceneSlot;
    if (s.lines && s.lines.length > 0) {
      let at = slot.start + (i > 0 ? CROSSFADE_SECONDS : 0) + LINE_LEAD_SECONDS;
      s.lines.forEach((l, line) => {
        const duration = seconds(l);
        lines.push({ scene: i, line, start: round3(at), duration });
        cues.push({
          index: i,
          line,
          start: round3(at),
          end: round3(at + duration),
          text: l.text.trim(),
          ...(l.speaker ? { speaker: l.speaker } : {}),
        });
        at += duration + LINE_GAP_SECONDS;
      });
      return;
    }
    const text = s.caption?.trim();
    if (!text) return;
    const next = slots[i + 1];
    cues.push({
      index: i,
      start: round3(i === 0 ? 0 : slot.start + half),
      end: round3(next ? next.start + half : total),
      text,
    });
  });
  return { total, slots, cues, lines };
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
