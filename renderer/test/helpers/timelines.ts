import { execFile } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { z } from "zod";

const exec = promisify(execFile);

/** Validates an FCPXML file with xmllint against our DTD subset of FCPXML 1.10 (see the DTD's header). */
export async function validateFcpxml(xml: string, dir: string): Promise<{ ok: boolean; errors: string }> {
  const file = join(dir, `check-${crypto.randomUUID()}.fcpxml`);
  await writeFile(file, xml);
  const dtd = join(import.meta.dirname, "..", "fixtures", "fcpxml-1.10-subset.dtd");
  try {
    await exec("xmllint", ["--noout", "--nonet", "--dtdvalid", dtd, file]);
    return { ok: true, errors: "" };
  } catch (err) {
    return { ok: false, errors: String((err as { stderr?: string }).stderr ?? err) };
  }
}

/** Spine items of an FCPXML document: element, offset and duration in frames (at `fps`). */
export function fcpxmlSpine(xml: string, fps: number) {
  const frames = (t: string | undefined) => {
    if (!t || t === "0s") return 0;
    const m = /^(\d+)\/(\d+)s$/.exec(t);
    if (!m) throw new Error(`not a rational time: ${t}`);
    return (Number(m[1]) * fps) / Number(m[2]);
  };
  const spine = /<spine>([\s\S]*)<\/spine>/.exec(xml)?.[1] ?? "";
  const items = [...spine.matchAll(/<(video|gap|transition)\b([^>]*)>/g)].map((m) => {
    const attr = (name: string) => new RegExp(`\\b${name}="([^"]*)"`).exec(m[2] ?? "")?.[1];
    return {
      kind: m[1],
      ref: attr("ref"),
      offset: frames(attr("offset")),
      duration: frames(attr("duration")),
    };
  });
  const sequence = frames(/<sequence\b[^>]*\bduration="([^"]*)"/.exec(xml)?.[1]);
  const sources = Object.fromEntries(
    [...xml.matchAll(/<asset id="([^"]+)"[^>]*><media-rep kind="original-media" src="([^"]+)"\/>/g)].map(
      (m) => [m[1], m[2]?.replace(/&amp;/g, "&")],
    ),
  );
  return { items, sequence, sources };
}

/** The OpenTimelineIO objects we write, checked strictly (no OTIO parser is installable here). */
const Rational = z
  .object({ OTIO_SCHEMA: z.literal("RationalTime.1"), rate: z.number().positive(), value: z.number() })
  .strict();
const Range = z
  .object({ OTIO_SCHEMA: z.literal("TimeRange.1"), duration: Rational, start_time: Rational })
  .strict();
const ItemBase = {
  metadata: z.record(z.string(), z.unknown()),
  name: z.string(),
  source_range: Range,
  effects: z.array(z.unknown()).length(0),
  markers: z.array(z.unknown()).length(0),
  enabled: z.boolean(),
};
const External = z
  .object({
    OTIO_SCHEMA: z.literal("ExternalReference.1"),
    metadata: z.record(z.string(), z.unknown()),
    name: z.string(),
    available_range: z.null(),
    target_url: z.string().min(1),
  })
  .strict();
const Clip = z
  .object({
    OTIO_SCHEMA: z.literal("Clip.2"),
    ...ItemBase,
    media_references: z.object({ DEFAULT_MEDIA: External }).strict(),
    active_media_reference_key: z.literal("DEFAULT_MEDIA"),
  })
  .strict();
const Gap = z.object({ OTIO_SCHEMA: z.literal("Gap.1"), ...ItemBase }).strict();
const Transition = z
  .object({
    OTIO_SCHEMA: z.literal("Transition.1"),
    metadata: z.record(z.string(), z.unknown()),
    name: z.string(),
    transition_type: z.literal("SMPTE_Dissolve"),
    in_offset: Rational,
    out_offset: Rational,
  })
  .strict();
const Marker = z
  .object({
    OTIO_SCHEMA: z.literal("Marker.2"),
    metadata: z.record(z.string(), z.unknown()),
    name: z.string(),
    comment: z.string(),
    color: z.string(),
    marked_range: Range,
  })
  .strict();
const Track = z
  .object({
    OTIO_SCHEMA: z.literal("Track.1"),
    metadata: z.record(z.string(), z.unknown()),
    name: z.string(),
    source_range: z.null(),
    effects: z.array(z.unknown()).length(0),
    markers: z.array(Marker),
    enabled: z.boolean(),
    children: z.array(z.union([Clip, Gap, Transition])),
    kind: z.enum(["Video", "Audio"]),
  })
  .strict();
export const OtioTimelineSchema = z
  .object({
    OTIO_SCHEMA: z.literal("Timeline.1"),
    metadata: z.record(z.string(), z.unknown()),
    name: z.string(),
    global_start_time: Rational,
    tracks: z
      .object({
        OTIO_SCHEMA: z.literal("Stack.1"),
        metadata: z.record(z.string(), z.unknown()),
        name: z.string(),
        source_range: z.null(),
        effects: z.array(z.unknown()).length(0),
        markers: z.array(z.unknown()).length(0),
        enabled: z.boolean(),
        children: z.array(Track).min(1),
      })
      .strict(),
  })
  .strict();
export type OtioTimeline = z.infer<typeof OtioTimelineSchema>;

/** A track's cut points (frames where each item after the first starts) and its length. */
export function otioTrackCuts(track: OtioTimeline["tracks"]["children"][number]) {
  let at = 0;
  const starts: number[] = [];
  const refs: (string | null)[] = [];
  for (const child of track.children) {
    if (child.OTIO_SCHEMA === "Transition.1") continue;
    starts.push(at);
    refs.push(child.OTIO_SCHEMA === "Clip.2" ? child.media_references.DEFAULT_MEDIA.target_url : null);
    at += child.source_range.duration.value;
  }
  return { cuts: starts.slice(1), length: at, refs };
}

/** Video events of a CMX3600 EDL: record in/out in frames, and dissolve lengths. */
export function edlEvents(edl: string, fps: number) {
  const frames = (tc: string) => {
    const [h, m, s, f] = tc.split(":").map(Number) as [number, number, number, number];
    return ((h * 60 + m) * 60 + s) * fps + f;
  };
  return [
    ...edl.matchAll(/^(\d{3}) {2}(\S+)\s+(V|A|A2|NONE)\s+(C|D\s+\d{3})\s+(\S+) (\S+) (\S+) (\S+)$/gm),
  ].map((m) => ({
    event: Number(m[1]),
    reel: m[2],
    channel: m[3],
    dissolve: m[4]?.startsWith("D") ? Number(m[4].slice(1)) : 0,
    recIn: frames(m[7] ?? ""),
    recOut: frames(m[8] ?? ""),
  }));
}
