import { signedFileUrl } from "../../platform/files";
import type { AppContext } from "../context";

/** A signed `/files/...` URL for an R2 key, or null when there is no object. */
export function fileUrl(
  ctx: AppContext,
  key: string | null | undefined,
  downloadName?: string,
): Promise<string | null> {
  if (!key) return Promise.resolve(null);
  return signedFileUrl(
    ctx.env.FILES_SIGNING_SECRET,
    ctx.origin,
    key,
    ctx.now,
    downloadName ? { downloadName } : {},
  );
}
