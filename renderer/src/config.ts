import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { z } from "zod";

const Env = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8788),
  HOST: z.string().default("127.0.0.1"),
  RENDERER_SECRET: z.string().min(16, "RENDERER_SECRET must be set (at least 16 characters)"),
  /** Inputs are fetched from this origin only (the Worker's signed /files URLs): no other hosts. */
  API_ORIGIN: z.url(),
  /** BullMQ's Redis: the one queue, in development too (`npm run dev` starts a local redis-server). */
  REDIS_URL: z.url({
    protocol: /^rediss?$/,
    error: "REDIS_URL must be set to BullMQ's Redis (redis://host:port)",
  }),
  QUEUE_NAME: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/)
    .default("renders"),
  RENDER_CONCURRENCY: z.coerce.number().int().min(1).max(16).default(1),
  /** Segment encodes of one render that run at once; one per core. */
  RENDER_PARALLEL_CHUNKS: z.coerce
    .number()
    .int()
    .min(1)
    .max(16)
    .default(Math.min(4, Math.max(1, availableParallelism()))),
  /** Memory the encoders of one render may use together (MB); with the cores, sets how many run. */
  RENDER_MEMORY_MB: z.coerce.number().int().min(100).optional(),
  /** libx264 threads per segment encode; unset: the cores divided among the parallel encodes. */
  RENDER_ENCODER_THREADS: z.coerce.number().int().min(1).max(16).optional(),
  RENDER_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(3),
  RETRY_BACKOFF_MS: z.coerce.number().int().min(10).default(5000),
  LOCK_DURATION_MS: z.coerce.number().int().min(500).default(30_000),
  STALLED_INTERVAL_MS: z.coerce.number().int().min(100).default(30_000),
  SHUTDOWN_GRACE_SECONDS: z.coerce.number().min(0).default(30),
  WORK_DIR: z.string().default(join(tmpdir(), "sds-renderer")),
  FFMPEG_PATH: z.string().default("ffmpeg"),
  FFPROBE_PATH: z.string().default("ffprobe"),
  /** The offline voice synthesiser of `POST /v1/speech`. */
  ESPEAK_PATH: z.string().default("espeak-ng"),
  FONT_FILE: z.string().optional(),
  /** auto: NVENC when present and a trial encode works, else libx264. */
  ENCODER: z.enum(["auto", "libx264", "h264_nvenc"]).default("auto"),
  MAX_INPUT_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(25 * 1024 * 1024),
  /** A scene's video clip (image-to-video output). */
  MAX_CLIP_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(200 * 1024 * 1024),
  MAX_MUSIC_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(50 * 1024 * 1024),
  /** Files above this go up as multipart (see contracts/upload-protocol.ts); lowered in tests. */
  UPLOAD_SINGLE_MAX_BYTES: z.coerce.number().int().positive().optional(),
  UPLOAD_PART_BYTES: z.coerce.number().int().positive().optional(),
  /** How long an event is retried before it is given up (the Worker also polls). */
  CALLBACK_GIVE_UP_SECONDS: z.coerce
    .number()
    .positive()
    .default(24 * 3600),
});

export type RendererConfig = z.infer<typeof Env>;

/** Reads the environment; a bad or missing setting is one error naming every field at fault. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): RendererConfig {
  const parsed = Env.safeParse(env);
  if (!parsed.success) {
    throw new Error(
      `Renderer configuration: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`,
    );
  }
  return parsed.data;
}
