/**
 * Line wrapping for captions and cards, in font units: a CJK character (or other wide glyph) is
 * one em, Latin text about half. Latin words stay whole when they fit on a line; CJK may break
 * anywhere except before closing punctuation.
 */
const WIDE =
  /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\u3000-\u303f]/u;
const NO_LINE_START = /^[，。！？；：、）》」』】〕”’,.!?;:)\]}]/u;

export function glyphWidth(ch: string): number {
  if (WIDE.test(ch)) return 1;
  if (/\s/.test(ch)) return 0.3;
  return /[A-Z0-9WMmw@%&]/.test(ch) ? 0.65 : 0.55;
}

export function textWidth(text: string): number {
  let w = 0;
  for (const ch of text) w += glyphWidth(ch);
  return w;
}

/** Splits into tokens: runs of Latin letters/digits stay together, everything else is one glyph. */
function tokens(paragraph: string): string[] {
  return paragraph.match(/[A-Za-z0-9'’\-_.]+|\s+|./gsu) ?? [];
}

export function wrapText(text: string, maxWidth: number, maxLines = Number.POSITIVE_INFINITY): string[] {
  const lines: string[] = [];
  for (const paragraph of text.replace(/\r\n?/g, "\n").split("\n")) {
    let line = "";
    let width = 0;
    const push = () => {
      lines.push(line.trimEnd());
      line = "";
      width = 0;
    };
    for (const token of tokens(paragraph)) {
      const w = textWidth(token);
      if (/^\s+$/.test(token)) {
        if (line) {
          line += " ";
          width += 0.3;
        }
        continue;
      }
      if (width + w <= maxWidth || (line === "" && w <= maxWidth)) {
        line += token;
        width += w;
        continue;
      }
      if (NO_LINE_START.test(token) && line) {
        // Closing punctuation hangs on the line it closes rather than opening the next one.
        line += token;
        width += w;
        push();
        continue;
      }
      if (line) push();
      if (w <= maxWidth) {
        line = token;
        width = w;
        continue;
      }
      // A word wider than a line is split by glyphs.
      for (const ch of token) {
        const cw = glyphWidth(ch);
        if (width + cw > maxWidth && line) push();
        line += ch;
        width += cw;
      }
    }
    if (line || paragraph === "") push();
  }
  const trimmed = lines.filter((l, i) => l !== "" || (i > 0 && i < lines.length - 1));
  if (trimmed.length <= maxLines) return trimmed;
  const kept = trimmed.slice(0, maxLines);
  kept[maxLines - 1] = `${(kept[maxLines - 1] ?? "").replace(/.$/u, "")}…`;
  return kept;
}
