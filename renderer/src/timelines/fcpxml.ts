import type { CutAudio, CutCaption, CutList, CutShot } from "./cut-list";

/**
 * FCPXML 1.10 (Final Cut Pro, DaVinci Resolve, Premiere via its importer). Shots sit on the spine
 * with their real overlap and a Cross Dissolve over it (a spine transition overlaps the end of one
 * element and the start of the next); each caption and audio stem is a connected item of the shot
 * it starts in: captions above (lane 1), dialogue below (lane -1), music and kept clip audio
 * further down. Times are frame counts over the frame rate, so every edit is on a frame.
 */
export const FCPXML_VERSION = "1.10";
/** Final Cut's built-in Cross Dissolve; a transition without a filter imports disabled. */
const CROSS_DISSOLVE_UID = "FxPlug:4731E73A-8DAC-4113-9A30-AE85B1761265";

export function xmlEscape(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" })[c] as string,
  );
}

function attrs(a: Record<string, string | number | undefined>): string {
  return Object.entries(a)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${xmlEscape(String(v))}"`)
    .join("");
}

const LANES: Record<CutAudio["track"], number> = { dialogue: -1, clip: -2, music: -3 };
const ROLES: Record<CutAudio["track"], string> = { dialogue: "dialogue", clip: "effects", music: "music" };

export function toFcpxml(cut: CutList): string {
  const t = (frames: number) => (frames === 0 ? "0s" : `${frames}/${cut.fps}s`);
  const assets = new Map<string, { id: string; xml: string }>();
  let next = 3;
  const asset = (ref: string, name: string, kind: "video" | "audio") => {
    const key = `${kind}:${ref}`;
    const known = assets.get(key);
    if (known) return known.id;
    const id = `r${next++}`;
    const media =
      kind === "video" ? { hasVideo: "1", videoSources: "1" } : { hasAudio: "1", audioSources: "1" };
    assets.set(key, {
      id,
      xml: `<asset${attrs({ id, name, start: "0s", ...media })}><media-rep${attrs({ kind: "original-media", src: ref })}/></asset>`,
    });
    return id;
  };

  // Each connected item belongs to the shot it starts in; offsets are in that shot's own time.
  const owner = (frame: number) => {
    let k = 0;
    for (const s of cut.shots) if (s.start <= frame) k = s.index;
    return k;
  };
  const captionsOf = new Map<number, CutCaption[]>();
  for (const c of cut.captions)
    captionsOf.set(owner(c.start), [...(captionsOf.get(owner(c.start)) ?? []), c]);
  const audioOf = new Map<number, CutAudio[]>();
  for (const a of cut.audio) audioOf.set(owner(a.start), [...(audioOf.get(owner(a.start)) ?? []), a]);

  let style = 0;
  const connected = (shot: CutShot) => {
    const out: string[] = [];
    for (const c of captionsOf.get(shot.index) ?? []) {
      const id = `ts${++style}`;
      out.push(
        `<caption${attrs({ lane: 1, offset: t(c.start - shot.start), name: c.text.slice(0, 60), start: "0s", duration: t(c.end - c.start), role: "SRT?captionFormat=SRT.zh" })}>` +
          `<text><text-style${attrs({ ref: id })}>${xmlEscape(c.text)}</text-style></text>` +
          `<text-style-def${attrs({ id })}><text-style${attrs({ font: "Noto Sans CJK SC", fontSize: 64, fontColor: "1 1 1 1", strokeColor: "0 0 0 1", strokeWidth: 5, alignment: "center" })}/></text-style-def>` +
          "</caption>",
      );
    }
    for (const a of audioOf.get(shot.index) ?? []) {
      out.push(
        `<audio${attrs({ ref: asset(a.ref, a.name, "audio"), lane: LANES[a.track], offset: t(a.start - shot.start), name: a.name, start: "0s", duration: t(a.frames), role: ROLES[a.track] })}/>`,
      );
    }
    return out.join("");
  };

  const spine: string[] = [];
  cut.shots.forEach((shot, k) => {
    const inner = connected(shot);
    const timing = { offset: t(shot.start), name: shot.name, start: "0s", duration: t(shot.frames) };
    if (shot.ref) {
      const ref = asset(shot.ref, shot.name, "video");
      spine.push(
        inner
          ? `<video${attrs({ ref, ...timing })}>${inner}</video>`
          : `<video${attrs({ ref, ...timing })}/>`,
      );
    } else {
      const gap = { name: shot.name, offset: timing.offset, start: "0s", duration: timing.duration };
      spine.push(inner ? `<gap${attrs(gap)}>${inner}</gap>` : `<gap${attrs(gap)}/>`);
    }
    const following = cut.shots[k + 1];
    if (following && shot.overlapNext > 0) {
      spine.push(
        `<transition${attrs({ name: "Cross Dissolve", offset: t(following.start), duration: t(shot.overlapNext) })}><filter-video${attrs({ ref: "r2", name: "Cross Dissolve" })}/></transition>`,
      );
    }
  });

  const resources = [
    `<format${attrs({ id: "r1", name: `FFVideoFormat${cut.width}x${cut.height}p${cut.fps}`, frameDuration: `1/${cut.fps}s`, width: cut.width, height: cut.height })}/>`,
    `<effect${attrs({ id: "r2", name: "Cross Dissolve", uid: CROSS_DISSOLVE_UID })}/>`,
    ...[...assets.values()].map((a) => a.xml),
  ];
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    "<!DOCTYPE fcpxml>",
    `<fcpxml version="${FCPXML_VERSION}">`,
    `<resources>${resources.join("")}</resources>`,
    `<library><event${attrs({ name: cut.title })}><project${attrs({ name: cut.title })}>`,
    `<sequence${attrs({ format: "r1", duration: t(cut.frames), tcStart: "0s", tcFormat: "NDF", audioLayout: "stereo", audioRate: "48k" })}>`,
    `<spine>${spine.join("")}</spine>`,
    "</sequence></project></event></library>",
    "</fcpxml>",
    "",
  ].join("\n");
}
