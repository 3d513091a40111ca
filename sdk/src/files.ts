/** Something an upload can be made from: a path (Node), a Blob or File (browsers), or bytes. */
export type FileInput = string | Blob | ArrayBuffer | Uint8Array;

const TYPES: Record<string, string> = {
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  webp: "image/webp",
};

export async function toBlob(
  input: FileInput,
  fallbackName = "image",
): Promise<{ blob: Blob; name: string }> {
  if (typeof input === "string") {
    // Node only: the module name is built at run time so browser bundlers leave it alone.
    const fs = (await import(/* @vite-ignore */ ["node", "fs/promises"].join(":"))) as {
      readFile(p: string): Promise<Uint8Array>;
    };
    const bytes = await fs.readFile(input);
    const name = input.split(/[\\/]/).pop() || fallbackName;
    const ext = name.split(".").pop()?.toLowerCase() ?? "";
    return {
      blob: new Blob([bytes as Uint8Array<ArrayBuffer>], { type: TYPES[ext] ?? "application/octet-stream" }),
      name,
    };
  }
  if (input instanceof Blob) {
    const name = (input as Blob & { name?: string }).name || fallbackName;
    return { blob: input, name };
  }
  const bytes = input instanceof Uint8Array ? input : new Uint8Array(input);
  return { blob: new Blob([bytes as Uint8Array<ArrayBuffer>]), name: fallbackName };
}
