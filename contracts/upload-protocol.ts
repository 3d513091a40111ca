/**
 * How the renderer hands a file to the Worker's `/internal/uploads/{token}` (Workers cap request
 * bodies at 100 MB): one streamed PUT with Content-Length up to SINGLE_PUT_MAX_BYTES; above that,
 * R2 multipart through the same URL:
 *   POST {url}?uploads                         → { upload_id }
 *   PUT  {url}?upload_id={id}&part={n}         → { part, etag }   (n from 1; every part but the
 *                                                                   last exactly part_bytes long)
 *   POST {url}?upload_id={id}&complete         ← { parts: [{ part, etag }] } → { size }
 */
export const SINGLE_PUT_MAX_BYTES = 95 * 1024 * 1024;
/** R2 wants equal parts of at least 5 MiB (except the last). */
export const MIN_PART_BYTES = 5 * 1024 * 1024;

export interface UploadedPart {
  part: number;
  etag: string;
}
