import { type CutList, cutLength } from "./cut-list";

/**
 * A CMX3600 EDL, non-drop-frame, record timecode from 00:00:00:00 so it reads as the MP4's clock.
 * Each shot is an event from its cut point to the next; a crossfade is the standard two-line
 * dissolve event (the outgoing shot at its out point, then `D nnn` to the incoming), so the
 * dissolve starts at the cut as in the MP4. Media is named by `FROM CLIP NAME` / `SOURCE FILE`
 * comments (the reel is `AX`; a card is black, `BL`). Dialogue is on A, music on A2, a clip's own
 * audio on channel 3 (`AUD 3`); captions are `LOC` markers (CMX3600 has no subtitle events).
 */
function tc(frames: number, fps: number): string {
  const f = frames % fps;
  const s = Math.floor(frames / fps);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${pad(Math.floor(s / 3600))}:${pad(Math.floor(s / 60) % 60)}:${pad(s % 60)}:${pad(f)}`;
}

/** EDL text is one line per field: no line breaks in names or captions. */
const oneLine = (s: string) => s.replace(/\s*[\r\n]+\s*/g, " ").trim();

export function toEdl(cut: CutList): string {
  const fps = cut.fps;
  const lines = [`TITLE: ${oneLine(cut.title).slice(0, 70)}`, "FCM: NON-DROP FRAME", ""];
  let n = 0;
  const event = (
    reel: string,
    channel: string,
    transition: string,
    srcIn: number,
    srcOut: number,
    recIn: number,
    recOut: number,
  ) =>
    `${String(n).padStart(3, "0")}  ${reel.padEnd(8)} ${channel.padEnd(5)} ${transition.padEnd(8)} ${tc(srcIn, fps)} ${tc(srcOut, fps)} ${tc(recIn, fps)} ${tc(recOut, fps)}`;
  const media = (shot: CutList["shots"][number]) => [
    `* ${shot.ref ? "FROM CLIP NAME" : "COMMENT"}: ${oneLine(shot.name)}`,
    ...(shot.ref ? [`* SOURCE FILE: ${shot.ref}`] : []),
  ];
  const reel = (shot: CutList["shots"][number]) => (shot.ref ? "AX" : "BL");

  cut.shots.forEach((shot, k) => {
    n++;
    const recIn = shot.start;
    const recOut = recIn + cutLength(cut, k);
    const before = cut.shots[k - 1];
    if (before && before.overlapNext > 0) {
      const out = cutLength(cut, k - 1);
      lines.push(event(reel(before), "V", "C", out, out, recIn, recIn));
      lines.push(
        event(
          reel(shot),
          "V",
          `D    ${String(before.overlapNext).padStart(3, "0")}`,
          0,
          recOut - recIn,
          recIn,
          recOut,
        ),
      );
      lines.push(`* FROM CLIP NAME: ${oneLine(before.name)}`, `* TO CLIP NAME: ${oneLine(shot.name)}`);
      if (shot.ref) lines.push(`* SOURCE FILE: ${shot.ref}`);
    } else {
      lines.push(event(reel(shot), "V", "C", 0, recOut - recIn, recIn, recOut), ...media(shot));
    }
    for (const c of cut.captions.filter((c) => c.start >= recIn && c.start < recOut)) {
      lines.push(
        `* LOC: ${tc(c.start, fps)} WHITE   ${oneLine(c.speaker ? `${c.speaker}: ${c.text}` : c.text)}`,
      );
    }
  });
  for (const a of cut.audio) {
    n++;
    const channel = a.track === "dialogue" ? "A" : a.track === "music" ? "A2" : "NONE";
    lines.push(event("AX", channel, "C", 0, a.frames, a.start, a.start + a.frames));
    if (a.track === "clip") lines.push("AUD  3");
    lines.push(`* FROM CLIP NAME: ${oneLine(a.name)}`, `* SOURCE FILE: ${a.ref}`);
  }
  return `${lines.join("\n")}\n`;
}
