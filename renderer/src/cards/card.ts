import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { FrameRequest } from "../../../contracts/render-spec";
import type { Binaries } from "../ffmpeg/run";
import { runPlan } from "../ffmpeg/run";
import { wrapText } from "../ffmpeg/text";
import { fetchInput } from "../jobs/inputs";
import { buildCardPlan, cardMetrics } from "./card-plan";

export interface CardDeps {
  bin: Binaries;
  fontFile: string;
  apiOrigin: string;
  maxInputBytes: number;
}

/**
 * Draws a card PNG into `output`: palette background, references (already on disk), title and
 * wrapped text. Used for text scenes of a render and for `/v1/frames`.
 */
export async function drawCard(
  deps: Pick<CardDeps, "bin" | "fontFile">,
  req: Pick<FrameRequest, "width" | "height" | "style" | "seed" | "title" | "text">,
  references: string[],
  output: string,
  signal?: AbortSignal,
): Promise<void> {
  const m = cardMetrics(req.width, req.height);
  const name = output.replace(/\.[a-z]+$/, "");
  let titleFile: string | undefined;
  let textFile: string | undefined;
  if (req.title?.trim()) {
    titleFile = `${name}.title.txt`;
    await writeFile(titleFile, wrapText(req.title.trim(), m.maxTitleWidth, 2).join("\n"));
  }
  if (req.text?.trim()) {
    textFile = `${name}.text.txt`;
    await writeFile(textFile, wrapText(req.text.trim(), m.maxLineWidth, m.maxLines).join("\n"));
  }
  await runPlan(
    buildCardPlan({
      width: req.width,
      height: req.height,
      style: req.style,
      seed: req.seed,
      fontFile: deps.fontFile,
      titleFile,
      textFile,
      references,
      output,
    }),
    deps.bin,
    { signal },
  );
}

/** `/v1/frames`: fetches the references from the API origin, draws the card, returns the PNG bytes. */
export async function renderFrame(deps: CardDeps, workDir: string, req: FrameRequest): Promise<Buffer> {
  const dir = await mkdtemp(join(workDir, "frame-"));
  try {
    const refs: string[] = [];
    for (const [i, url] of req.reference_images.entries()) {
      const dest = join(dir, `ref${i}`);
      await fetchInput(url, dest, { apiOrigin: deps.apiOrigin, maxBytes: deps.maxInputBytes, kind: "image" });
      refs.push(dest);
    }
    const output = join(dir, "card.png");
    await drawCard(deps, req, refs, output);
    return await readFile(output);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
