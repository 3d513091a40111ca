/**
 * The built-in script parser (`script_parsing`): a script in Chinese or English becomes
 * scenes with a description, the dialogue as a caption, a duration from the length of the text,
 * and the characters who speak. Pure: no I/O, so it is tested on its own.
 */
export interface DialogueLine {
  speaker: string;
  line: string;
}

export interface ParsedScene {
  /** 1-based position in the script. */
  number: number;
  heading: string | null;
  description: string;
  dialogue: DialogueLine[];
  /** The dialogue as `名字：台词` lines, for subtitles. */
  caption: string | null;
  duration: number;
  /** Characters in the scene: its speakers, then others named in its description. */
  characters: string[];
}

export interface ParsedScript {
  scenes: ParsedScene[];
  /** Every speaking character, in order of first appearance. */
  characters: string[];
}

export const LIMITS = {
  /** Scenes past this are left out (documented; a longer script is cut, not refused). */
  maxScenes: 200,
  /**
   * Speaking characters a script may have: each becomes a character and a fan-out item, so this
   * bounds the work one script can cause. A script with more is refused (ScriptLimitError).
   */
  maxSpeakers: 100,
  descriptionChars: 2000,
  captionChars: 500,
  /** A block longer than this is cut at sentence ends into several scenes. */
  sceneChars: 600,
  minDuration: 2,
  maxDuration: 30,
} as const;

/** A script the workflow refuses to parse: more speakers than LIMITS.maxSpeakers. */
export class ScriptLimitError extends Error {
  constructor(readonly speakers: number) {
    super(
      `The script has ${speakers} speaking characters; a script may have at most ${LIMITS.maxSpeakers} (and at most ${LIMITS.maxScenes} scenes)`,
    );
    this.name = "ScriptLimitError";
  }
}

const NUM = "[0-9０-９一二三四五六七八九十百千零〇两]+";
const HEADINGS: RegExp[] = [
  new RegExp(`^(?:场景|场)\\s*${NUM}\\s*(?:[:：.、\\-—]\\s*)?(.*)$`),
  new RegExp(`^第\\s*${NUM}\\s*[场幕集]\\s*(?:[:：.、\\-—]\\s*)?(.*)$`),
  /^scene\s+\d+\s*(?:[:.\-–—]\s*)?(.*)$/i,
  /^((?:INT|EXT|INT\.?\/EXT|I\/E)\.\s*.*)$/,
];

/** Names that label a line without being a character. */
const NOT_SPEAKERS = new Set(
  [
    "旁白",
    "画外音",
    "字幕",
    "时间",
    "地点",
    "场景",
    "人物",
    "备注",
    "注",
    "镜头",
    "narrator",
    "note",
    "notes",
    "time",
    "location",
    "scene",
    "cut to",
    "fade in",
    "fade out",
    "title",
    "int",
    "ext",
    "v.o",
    "o.s",
  ].map((s) => s.toLowerCase()),
);

const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;
const CJK_ALL = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/gu;

function normalise(text: string): string {
  return (
    text
      .replace(/\r\n?/g, "\n")
      .replace(/\u3000/g, " ")
      .replace(/[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g, "")
      // Control characters have no place in a script (and each would cost 6 bytes in the JSON the
      // storyboards are inserted from, which must stay under D1's 2 MB value limit).
      // biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point
      .replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, "")
      .replace(/[\t ]+/g, " ")
  );
}

function heading(line: string): string | null | undefined {
  for (const re of HEADINGS) {
    const m = re.exec(line.trim());
    if (m) return (m[1] ?? "").trim() || null;
  }
  return undefined;
}

/** `名字：台词`, `名字（笑）：台词`, `NAME: line`, `Name (V.O.): line`. */
function dialogue(line: string): DialogueLine | null {
  const m = /^([^:：()（）\s][^:：]{0,30}?)\s*(?:[（(][^)）]{0,20}[)）])?\s*[:：]\s*(.+)$/.exec(line.trim());
  if (!m) return null;
  const speaker = (m[1] ?? "").trim();
  const text = (m[2] ?? "").trim();
  if (!text || !isSpeakerName(speaker)) return null;
  return {
    speaker: !CJK.test(speaker) && speaker === speaker.toUpperCase() ? titleCase(speaker) : speaker,
    line: text,
  };
}

function isSpeakerName(name: string): boolean {
  if (NOT_SPEAKERS.has(name.toLowerCase().replace(/\.$/, ""))) return false;
  if (/^\d/.test(name) || /https?$/i.test(name)) return false;
  if (CJK.test(name)) return name.length <= 8 && !/[，。！？、,.!?；;]/.test(name);
  // Latin names: one to three capitalised words, or a screenplay-style upper-case cue.
  return /^[A-Z][A-Za-z'’.-]*(?: [A-Z][A-Za-z'’.-]*){0,2}$/.test(name);
}

/** A screenplay cue on its own line (`JOHN`, `MARY (O.S.)`), followed by what they say. */
function cue(line: string): string | null {
  const m = /^([A-Z][A-Z'’.-]*(?: [A-Z][A-Z'’.-]*){0,2})\s*(?:\([^)]{0,20}\))?$/.exec(line.trim());
  if (!m) return null;
  const name = m[1] ?? "";
  if (NOT_SPEAKERS.has(name.toLowerCase().replace(/\.$/, "")) || /^(INT|EXT)\b/.test(name)) return null;
  return titleCase(name);
}

function titleCase(name: string): string {
  return name.toLowerCase().replace(/(^|[\s'’-])([a-z])/g, (_, p: string, c: string) => p + c.toUpperCase());
}

/** Seconds to show a scene: about 4 CJK characters or 2.5 words a second, within bounds. */
export function durationOf(text: string): number {
  const cjk = (text.match(CJK_ALL) ?? []).length;
  const words = text
    .replace(CJK_ALL, " ")
    .split(/\s+/)
    .filter((w) => /[\p{L}\p{N}]/u.test(w)).length;
  const seconds = 1 + cjk / 4 + words / 2.5;
  const clamped = Math.min(LIMITS.maxDuration, Math.max(LIMITS.minDuration, seconds));
  return Math.round(clamped * 2) / 2;
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Cuts an over-long text at sentence ends into pieces of at most `max` characters. */
function splitLong(text: string, max: number): string[] {
  if (text.length <= max) return [text];
  const sentences = text.match(/[^。！？!?.…\n]+[。！？!?.…]*\s*/g) ?? [text];
  const out: string[] = [];
  let current = "";
  for (const s of sentences) {
    for (let i = 0; i < s.length; i += max) {
      const piece = s.slice(i, i + max);
      if ((current + piece).length > max && current) {
        out.push(current.trim());
        current = "";
      }
      current += piece;
    }
  }
  if (current.trim()) out.push(current.trim());
  return out;
}

interface Block {
  heading: string | null;
  lines: string[];
}

function blocks(text: string): Block[] {
  const lines = text.split("\n");
  if (lines.some((l) => heading(l) !== undefined)) {
    const out: Block[] = [];
    let current: Block | null = null;
    for (const line of lines) {
      const h = heading(line);
      if (h !== undefined) {
        current = { heading: h, lines: [] };
        out.push(current);
      } else if (line.trim()) {
        if (!current) {
          current = { heading: null, lines: [] };
          out.push(current);
        }
        current.lines.push(line.trim());
      }
    }
    return out;
  }
  return text
    .split(/\n\s*\n/)
    .map((b) =>
      b
        .split("\n")
        .map((l) => l.trim())
        .filter(Boolean),
    )
    .filter((ls) => ls.length > 0)
    .map((ls) => ({ heading: null, lines: ls }));
}

function mentioned(description: string, names: string[]): string[] {
  return names.filter((n) =>
    CJK.test(n)
      ? n.length >= 2 && description.includes(n)
      : new RegExp(`\\b${n.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\b`, "i").test(description),
  );
}

/** Parses a script; throws ScriptLimitError when it has more speakers than LIMITS.maxSpeakers. */
export function parseScript(script: string): ParsedScript {
  const raw: { heading: string | null; description: string; dialogue: DialogueLine[] }[] = [];
  for (const block of blocks(normalise(script))) {
    const action: string[] = [];
    const lines: DialogueLine[] = [];
    let speaker: string | null = null;
    for (const line of block.lines) {
      const d = dialogue(line);
      if (d) {
        lines.push(d);
        speaker = null;
        continue;
      }
      const c = cue(line);
      if (c && !speaker) {
        speaker = c;
        continue;
      }
      if (speaker) {
        lines.push({ speaker, line });
        speaker = null;
        continue;
      }
      action.push(line);
    }
    if (speaker) action.push(speaker.toUpperCase());
    const description = action.join(" ").trim();
    if (!description && lines.length === 0) continue;
    // One enormous paragraph of prose becomes several scenes rather than one unreadable card.
    if (lines.length === 0 && description.length > LIMITS.sceneChars) {
      splitLong(description, LIMITS.sceneChars).forEach((piece, i) => {
        raw.push({ heading: i === 0 ? block.heading : null, description: piece, dialogue: [] });
      });
      continue;
    }
    raw.push({ heading: block.heading, description, dialogue: lines });
  }

  // Only the scenes that are kept bring characters; too many of them refuse the whole script
  // before any per-scene work (which grows with scenes × characters).
  const kept = raw.slice(0, LIMITS.maxScenes);
  const characters: string[] = [];
  const seen = new Set<string>();
  for (const scene of kept) {
    for (const d of scene.dialogue) {
      const key = d.speaker.toLowerCase();
      if (!seen.has(key)) {
        seen.add(key);
        characters.push(d.speaker);
      }
    }
  }
  if (characters.length > LIMITS.maxSpeakers) throw new ScriptLimitError(characters.length);

  const scenes = kept.map((s, i): ParsedScene => {
    const caption =
      s.dialogue.length > 0 ? s.dialogue.map((d) => `${d.speaker}：${d.line}`).join("\n") : null;
    const body = [s.heading, s.description].filter(Boolean).join(" — ");
    const description = body || s.dialogue.map((d) => d.line).join(" ");
    const speakers = [...new Set(s.dialogue.map((d) => d.speaker))];
    const others = mentioned(description, characters).filter((n) => !speakers.includes(n));
    return {
      number: i + 1,
      heading: s.heading,
      description: clip(description, LIMITS.descriptionChars),
      dialogue: s.dialogue,
      caption: caption ? clip(caption, LIMITS.captionChars) : null,
      duration: durationOf(`${description} ${s.dialogue.map((d) => d.line).join(" ")}`),
      characters: [...speakers, ...others],
    };
  });
  return { scenes, characters };
}
