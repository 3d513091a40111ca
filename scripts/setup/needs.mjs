// The system packages the project needs, listed once. `npm run dev`, `npm test`, `npm run demo` and
// `.ci/run` all go through ./index.mjs, which checks these and installs what is missing.

/**
 * @typedef {"dev" | "test"} Profile
 * @typedef {{
 *   id: string,
 *   what: string,
 *   why: string,
 *   profiles: Profile[],
 *   apt: string[],
 *   brew: string[],
 *   brewCask?: string[],
 * }} Need
 */

/** @type {Need[]} */
export const NEEDS = [
  {
    id: "ffmpeg",
    what: "ffmpeg + ffprobe (libx264, drawtext, xfade, zoompan, loudnorm)",
    why: "the renderer encodes every video with it",
    profiles: ["dev", "test"],
    apt: ["ffmpeg"],
    brew: ["ffmpeg"],
  },
  {
    id: "redis",
    what: "redis-server",
    why: "the renderer's job queue (BullMQ)",
    profiles: ["dev", "test"],
    apt: ["redis-server"],
    brew: ["redis"],
  },
  {
    id: "cjk-font",
    what: "a CJK font (Noto Sans CJK)",
    why: "Chinese captions and cards",
    profiles: ["dev", "test"],
    apt: ["fonts-noto-cjk", "fontconfig"],
    brew: [],
    brewCask: ["font-noto-sans-cjk"],
  },
  {
    id: "espeak-ng",
    what: "espeak-ng",
    why: "the renderer's offline voices",
    profiles: ["dev", "test"],
    apt: ["espeak-ng"],
    brew: ["espeak-ng"],
  },
  {
    id: "xmllint",
    what: "xmllint (libxml2)",
    why: "the renderer's tests validate the FCPXML timeline against a DTD",
    profiles: ["test"],
    apt: ["libxml2-utils"],
    brew: ["libxml2"],
  },
  {
    id: "chromium",
    what: "Chromium",
    why: "the browser tests of the studio page",
    profiles: ["test"],
    apt: ["chromium"],
    brew: [],
    brewCask: ["chromium"],
  },
  {
    id: "python",
    what: "python3 with httpx, websockets and pytest",
    why: "the Python SDK's tests",
    profiles: ["test"],
    apt: ["python3", "python3-httpx", "python3-websockets", "python3-pytest"],
    brew: ["python"],
  },
];

/** FFmpeg features the renderer's filter graphs and encodes use; a build without one is "missing". */
export const FFMPEG_ENCODERS = ["libx264", "aac"];
export const FFMPEG_FILTERS = ["drawtext", "xfade", "zoompan", "loudnorm", "ebur128", "tile", "afade"];
