import type { CardStyle } from "../../../contracts/render-spec";
import type { FfmpegPlan } from "../ffmpeg/args";
import { filterPath } from "../ffmpeg/escape";

interface Palette {
  from: string;
  to: string;
  text: string;
  border: string;
  /** Extra filters on the background, in order. */
  finish: (w: number, h: number) => string[];
}

/** The five looks of the built-in generator, as ffmpeg colours and background treatments. */
export const PALETTES: Record<CardStyle, Palette> = {
  anime: {
    from: "0xffd6e8",
    to: "0xbfe3ff",
    text: "0x2a1f3d",
    border: "white",
    finish: () => [],
  },
  realistic: {
    from: "0x2f3a47",
    to: "0x8c9cad",
    text: "white",
    border: "0xe8edf2",
    finish: () => ["noise=alls=4:allf=t"],
  },
  cinematic: {
    from: "0x0b2a33",
    to: "0x8a4b1c",
    text: "0xf5e6c8",
    border: "0xe0a458",
    // Letterbox bars.
    finish: () => [
      "drawbox=x=0:y=0:w=iw:h=ih*0.09:color=black:t=fill",
      "drawbox=x=0:y=ih*0.91:w=iw:h=ih*0.09:color=black:t=fill",
    ],
  },
  watercolor: {
    from: "0xf6eee2",
    to: "0xc6dde8",
    text: "0x34302c",
    border: "white",
    // Paper grain, softened.
    finish: () => ["noise=alls=14:allf=t", "gblur=sigma=2.5"],
  },
  comic: {
    from: "0xffe14d",
    to: "0xff8a3d",
    text: "black",
    border: "black",
    // A dot screen and a heavy panel frame.
    finish: (w) => [
      `drawgrid=w=${Math.max(8, Math.round(w / 60))}:h=${Math.max(8, Math.round(w / 60))}:t=2:color=black@0.10`,
      `drawbox=x=0:y=0:w=iw:h=ih:color=black:t=${Math.max(4, Math.round(w / 90))}`,
    ],
  },
};

export function cardMetrics(width: number, height: number) {
  const short = Math.min(width, height);
  const bodySize = Math.max(14, Math.round(short * 0.05));
  const titleSize = Math.max(18, Math.round(short * 0.075));
  return {
    bodySize,
    titleSize,
    maxLineWidth: Math.max(4, Math.floor((width * 0.84) / bodySize)),
    maxTitleWidth: Math.max(4, Math.floor((width * 0.84) / titleSize)),
    maxLines: Math.max(1, Math.floor((height * 0.34) / (bodySize * 1.3))),
  };
}

export interface CardPlanInput {
  width: number;
  height: number;
  style: CardStyle;
  seed: number;
  fontFile: string;
  titleFile?: string | undefined;
  textFile?: string | undefined;
  references: string[];
  output: string;
}

/** One PNG frame: palette background, reference images in a row, title and wrapped text. */
export function buildCardPlan(p: CardPlanInput): FfmpegPlan {
  const palette = PALETTES[p.style];
  const { width: w, height: h } = p;
  // The gradient's direction follows the seed, so cards of one project differ but reproducibly.
  const angle = ((p.seed % 360) * Math.PI) / 180;
  const x1 = Math.round(w / 2 + (Math.cos(angle) * w) / 2);
  const y1 = Math.round(h / 2 + (Math.sin(angle) * h) / 2);
  const background = `gradients=s=${w}x${h}:c0=${palette.from}:c1=${palette.to}:x0=${w - x1}:y0=${h - y1}:x1=${x1}:y1=${y1}:nb_colors=2:seed=${p.seed}:speed=0.00001`;
  const inputs: FfmpegPlan["inputs"] = [{ source: background, options: ["-f", "lavfi"] }];
  const chain = [`[0:v]${["format=rgb24", ...palette.finish(w, h)].join(",")}[bg0]`];
  let last = "bg0";

  const n = p.references.length;
  if (n > 0) {
    const gap = Math.round(w * 0.03);
    const boxW = Math.floor((w * 0.86 - gap * (n - 1)) / n);
    const boxH = Math.floor(h * (p.textFile ? 0.36 : 0.5));
    const frame = Math.max(2, Math.round(Math.min(w, h) / 150));
    const top = Math.round(h * (p.titleFile ? 0.2 : 0.14));
    p.references.forEach((ref, k) => {
      inputs.push({ source: ref, options: [] });
      chain.push(
        `[${k + 1}:v]scale=${boxW - 2 * frame}:${boxH - 2 * frame}:force_original_aspect_ratio=decrease,pad=iw+${2 * frame}:ih+${2 * frame}:${frame}:${frame}:color=${palette.border},format=rgb24[r${k}]`,
      );
      const left = Math.round((w - (boxW * n + gap * (n - 1))) / 2) + k * (boxW + gap);
      chain.push(`[${last}][r${k}]overlay=x=${left}+(${boxW}-w)/2:y=${top}+(${boxH}-h)/2[bg${k + 1}]`);
      last = `bg${k + 1}`;
    });
  }

  const { bodySize, titleSize } = cardMetrics(w, h);
  const text: string[] = [];
  const font = filterPath(p.fontFile);
  if (p.titleFile) {
    text.push(
      `drawtext=fontfile=${font}:textfile=${filterPath(p.titleFile)}:fontsize=${titleSize}:fontcolor=${palette.text}:line_spacing=${Math.round(titleSize * 0.2)}:x=(w-tw)/2:y=h*0.1`,
    );
  }
  if (p.textFile) {
    const y = n > 0 ? "h*0.66" : "(h-th)/2";
    text.push(
      `drawtext=fontfile=${font}:textfile=${filterPath(p.textFile)}:fontsize=${bodySize}:fontcolor=${palette.text}:line_spacing=${Math.round(bodySize * 0.3)}:x=(w-tw)/2:y=${y}`,
    );
  }
  chain.push(`[${last}]${[...text, "format=rgb24"].join(",")}[card]`);
  return {
    inputs,
    filterComplex: chain.join(";"),
    outputOptions: ["-map", "[card]", "-frames:v", "1", "-update", "1"],
    output: p.output,
  };
}
