/** Deletes every R2 object under a prefix; safe to run again (deleting nothing is a no-op). */
export async function deletePrefix(bucket: R2Bucket, prefix: string): Promise<number> {
  if (!prefix.endsWith("/") || prefix.length < 8)
    throw new Error(`refusing to delete unsafe prefix ${prefix}`);
  let deleted = 0;
  let cursor: string | undefined;
  do {
    const page = await bucket.list({ prefix, cursor, limit: 1000 });
    const keys = page.objects.map((o) => o.key);
    if (keys.length > 0) {
      await bucket.delete(keys);
      deleted += keys.length;
    }
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  return deleted;
}
