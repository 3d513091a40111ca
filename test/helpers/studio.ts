import { env } from "cloudflare:workers";
import { call } from "./http";
import { encodePng, paint } from "./images";

/** Studio fixtures shared by the characters, storyboards and workflow tests. */
export async function studioProject(token: string, body: Record<string, unknown> = {}) {
  const res = await call("POST", "/api/v1/projects", {
    token,
    json: { name: "测试短剧", description: "一个关于友情的故事", aspect_ratio: "9:16", ...body },
  });
  if (res.status !== 200) throw new Error(`project create failed ${res.status} ${res.text}`);
  return res.body as { id: string; name: string };
}

export function imageForm(
  fields: Record<string, string>,
  bytes: Uint8Array,
  filename = "face.png",
  type = "image/png",
) {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.set(k, v);
  form.set("image", new File([bytes as Uint8Array<ArrayBuffer>], filename, { type }));
  return form;
}

/** A picture with a recognisable layout: vertical stripes in two colours. */
export function stripes(
  width = 240,
  height = 320,
  a: [number, number, number] = [200, 40, 40],
  b: [number, number, number] = [30, 30, 180],
) {
  return encodePng(paint(width, height, (x) => (Math.floor(x / 30) % 2 ? a : b)));
}

export async function uploadCharacter(token: string, projectId: string, bytes: Uint8Array, name = "主角") {
  const res = await call("POST", "/api/v1/characters", {
    token,
    body: imageForm({ name, project_id: projectId }, bytes),
  });
  if (res.status !== 200) throw new Error(`character upload failed ${res.status} ${res.text}`);
  return res.body as { id: number; image_url: string; consistency_model_id: string };
}

/** Every R2 key under a user's prefix. */
export async function storedKeys(userId: number): Promise<string[]> {
  const listed = await env.BUCKET.list({ prefix: `users/${userId}/` });
  return listed.objects.map((o) => o.key);
}

export async function rowCount(table: string, where: string, ...binds: unknown[]): Promise<number> {
  const row = await env.DB.prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE ${where}`)
    .bind(...binds)
    .first<{ n: number }>();
  return row?.n ?? 0;
}
