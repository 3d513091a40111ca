import type { AudioStem } from "../../../contracts/render-events";
import type { Timeline } from "../../../contracts/timeline";
import type { SceneFrames } from "../ffmpeg/args";

/**
 * The film as an editor sees it, on the frame grid the MP4 was rendered on: what the three
 * timeline writers (FCPXML, OTIO, EDL) share, so their cut points and durations cannot disagree
 * with each other or with the video.
 *
 * Conventions: shot k is on screen over film frames [start, start + frames); it overlaps the next
 * shot by `overlapNext` frames, its crossfade. The *cut point* between two shots is the first frame
 * of their crossfade (where the incoming shot starts): OTIO and EDL place their edits there, with a
 * dissolve that runs after the edit on the outgoing shot's handle; FCPXML lays the shots out with
 * their real overlap and a transition over it.
 */
export interface CutShot {
  index: number;
  name: string;
  kind: "image" | "clip" | "card";
  /** Where editing software finds the media (the spec's media_ref, else its URL); none for a card. */
  ref: string | null;
  start: number;
  frames: number;
  overlapNext: number;
}

export interface CutAudio {
  track: "dialogue" | "music" | "clip";
  name: string;
  ref: string;
  start: number;
  frames: number;
}

export interface CutCaption {
  start: number;
  end: number;
  text: string;
  speaker?: string | undefined;
}

export interface CutList {
  title: string;
  fps: number;
  width: number;
  height: number;
  /** Frames of the whole film (what ffprobe finds in the MP4). */
  frames: number;
  shots: CutShot[];
  audio: CutAudio[];
  captions: CutCaption[];
}

/** Film frame of each cut point (a crossfade's first frame), in order. */
export function cutPoints(cut: CutList): number[] {
  return cut.shots.slice(1).map((s) => s.start);
}

/** How long shot k plays up to the next cut (or the end): its range on an OTIO or EDL track. */
export function cutLength(cut: CutList, k: number): number {
  const shot = cut.shots[k] as CutShot;
  const next = cut.shots[k + 1];
  return (next ? next.start : cut.frames) - shot.start;
}

function baseName(ref: string): string {
  const path = ref.split("?")[0] ?? ref;
  return decodeURIComponent(path.slice(path.lastIndexOf("/") + 1)) || ref;
}

export interface CutListInput {
  title: string;
  fps: number;
  width: number;
  height: number;
  timeline: Timeline;
  grid: SceneFrames[];
  shots: { kind: "image" | "clip" | "card"; ref: string | null; label?: string | undefined }[];
  stems: AudioStem[];
}

export function buildCutList(p: CutListInput): CutList {
  const frame = (seconds: number) => Math.round(seconds * p.fps);
  let start = 0;
  const shots = p.grid.map((g, index) => {
    const s = p.shots[index] as CutListInput["shots"][number];
    const shot: CutShot = {
      index,
      name: s.ref ? baseName(s.ref) : `card ${index + 1}${s.label ? `: ${s.label.slice(0, 40)}` : ""}`,
      kind: s.kind,
      ref: s.ref,
      start,
      frames: g.frames,
      overlapNext: g.overlapNext,
    };
    start += g.frames - g.overlapNext;
    return shot;
  });
  return {
    title: p.title,
    fps: p.fps,
    width: p.width,
    height: p.height,
    frames: frame(p.timeline.total),
    shots,
    audio: p.stems.map((stem) => {
      const ref = stem.media_ref ?? stem.url;
      return {
        track: stem.kind,
        name: stem.speaker ? `${stem.speaker}: ${baseName(ref)}` : baseName(ref),
        ref,
        start: frame(stem.start),
        frames: Math.max(1, frame(stem.start + stem.duration) - frame(stem.start)),
      };
    }),
    captions: p.timeline.cues.map((c) => ({
      start: frame(c.start),
      end: frame(c.end),
      text: c.text,
      ...(c.speaker ? { speaker: c.speaker } : {}),
    })),
  };
}
