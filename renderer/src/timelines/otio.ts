import { type CutAudio, type CutList, cutLength } from "./cut-list";

/**
 * OpenTimelineIO JSON (`.otio`), as the reference implementation serialises it: a Timeline whose
 * Stack holds one video track and one audio track per kind of stem. A video track lays each shot
 * from its cut point to the next (a card is a Gap), with a dissolve after each cut: `in_offset` 0,
 * `out_offset` the crossfade, so the outgoing shot plays on over its handle exactly as in the MP4.
 * Captions are markers on the video track (OTIO has no subtitle track).
 */
type Json = Record<string, unknown>;

function time(value: number, rate: number): Json {
  return { OTIO_SCHEMA: "RationalTime.1", rate, value };
}

function range(start: number, duration: number, rate: number): Json {
  return { OTIO_SCHEMA: "TimeRange.1", duration: time(duration, rate), start_time: time(start, rate) };
}

const item = (schema: string, name: string, sourceRange: Json, extra: Json = {}): Json => ({
  OTIO_SCHEMA: schema,
  metadata: {},
  name,
  source_range: sourceRange,
  effects: [],
  markers: [],
  enabled: true,
  ...extra,
});

function clip(name: string, ref: string, start: number, frames: number, rate: number): Json {
  return item("Clip.2", name, range(start, frames, rate), {
    media_references: {
      DEFAULT_MEDIA: {
        OTIO_SCHEMA: "ExternalReference.1",
        metadata: {},
        name,
        available_range: null,
        target_url: ref,
      },
    },
    active_media_reference_key: "DEFAULT_MEDIA",
  });
}

const gap = (frames: number, rate: number, name = "") => item("Gap.1", name, range(0, frames, rate));

function track(name: string, kind: "Video" | "Audio", children: Json[], markers: Json[] = []): Json {
  return {
    OTIO_SCHEMA: "Track.1",
    metadata: {},
    name,
    source_range: null,
    effects: [],
    markers,
    enabled: true,
    children,
    kind,
  };
}

/** Audio stems of one kind laid end to end with gaps between (stems of one kind never overlap). */
function audioTrack(cut: CutList, kind: CutAudio["track"], name: string): Json | null {
  const stems = cut.audio.filter((a) => a.track === kind).sort((a, b) => a.start - b.start);
  if (stems.length === 0) return null;
  const children: Json[] = [];
  let at = 0;
  for (const a of stems) {
    const start = Math.max(a.start, at);
    if (start > at) children.push(gap(start - at, cut.fps));
    const frames = a.frames - (start - a.start);
    if (frames > 0) children.push(clip(a.name, a.ref, start - a.start, frames, cut.fps));
    at = start + Math.max(0, frames);
  }
  return track(name, "Audio", children);
}

export function toOtio(cut: CutList): string {
  const rate = cut.fps;
  const video: Json[] = [];
  cut.shots.forEach((shot, k) => {
    const frames = cutLength(cut, k);
    video.push(shot.ref ? clip(shot.name, shot.ref, 0, frames, rate) : gap(frames, rate, shot.name));
    if (shot.overlapNext > 0 && k + 1 < cut.shots.length) {
      video.push({
        OTIO_SCHEMA: "Transition.1",
        metadata: {},
        name: "Cross Dissolve",
        transition_type: "SMPTE_Dissolve",
        in_offset: time(0, rate),
        out_offset: time(shot.overlapNext, rate),
      });
    }
  });
  const markers = cut.captions.map((c) => ({
    OTIO_SCHEMA: "Marker.2",
    metadata: c.speaker ? { speaker: c.speaker } : {},
    name: c.text.slice(0, 60),
    comment: c.text,
    color: "WHITE",
    marked_range: range(c.start, c.end - c.start, rate),
  }));
  const tracks = [
    track("Video 1", "Video", video, markers),
    audioTrack(cut, "dialogue", "Dialogue"),
    audioTrack(cut, "clip", "Clip audio"),
    audioTrack(cut, "music", "Music"),
  ].filter((t): t is Json => t !== null);
  const timeline = {
    OTIO_SCHEMA: "Timeline.1",
    metadata: { short_drama_studio: { width: cut.width, height: cut.height } },
    name: cut.title,
    global_start_time: time(0, rate),
    tracks: {
      OTIO_SCHEMA: "Stack.1",
      metadata: {},
      name: "tracks",
      source_range: null,
      effects: [],
      markers: [],
      enabled: true,
      children: tracks,
    },
  };
  return `${JSON.stringify(timeline, null, 4)}\n`;
}
