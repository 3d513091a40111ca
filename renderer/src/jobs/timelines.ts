import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { AudioStem } from "../../../contracts/render-events";
import type { RenderSpec } from "../../../contracts/render-spec";
import type { Timeline } from "../../../contracts/timeline";
import type { SceneFrames } from "../ffmpeg/args";
import { buildCutList } from "../timelines/cut-list";
import { toEdl } from "../timelines/edl";
import { toFcpxml } from "../timelines/fcpxml";
import { toOtio } from "../timelines/otio";
import type { PreparedScene } from "./prepare";

/**
 * The editable timelines of a render (FCPXML, OTIO, EDL), written beside the video from the same
 * frame grid, for the outputs the spec asks for. Media is named by the spec's `media_ref`, else
 * by its URL.
 */
export async function writeTimelines(
  spec: RenderSpec,
  prepared: PreparedScene[],
  timeline: Timeline,
  grid: SceneFrames[],
  stems: AudioStem[],
  canvas: { width: number; height: number },
  dir: string,
): Promise<void> {
  const { fcpxml, otio, edl } = spec.outputs;
  if (!fcpxml && !otio && !edl) return;
  const cut = buildCutList({
    title: spec.title ?? spec.render_id,
    fps: spec.fps,
    ...canvas,
    timeline,
    grid,
    shots: spec.scenes.map((scene, i) => {
      const p = prepared[i];
      if (p?.source === "clip")
        return { kind: "clip", ref: scene.clip?.media_ref ?? scene.clip?.url ?? null };
      if (p?.source === "image")
        return { kind: "image", ref: scene.image_media_ref ?? scene.image_url ?? null };
      return { kind: "card", ref: null, label: scene.text };
    }),
    stems,
  });
  await Promise.all([
    fcpxml ? writeFile(join(dir, "timeline.fcpxml"), toFcpxml(cut)) : null,
    otio ? writeFile(join(dir, "timeline.otio"), toOtio(cut)) : null,
    edl ? writeFile(join(dir, "timeline.edl"), toEdl(cut)) : null,
  ]);
}
