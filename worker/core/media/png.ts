/**
 * A PNG decoder for the Worker (no native image libraries here): all colour types, bit depths
 * 1–16, palettes with transparency and Adam7 interlacing, decoded to 8-bit RGBA. Inflating uses the
 * platform's DecompressionStream.
 */
export interface Rgba {
  width: number;
  height: number;
  data: Uint8Array;
}

async function inflate(data: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([data as Uint8Array<ArrayBuffer>])
    .stream()
    .pipeThrough(new DecompressionStream("deflate"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
/** Adam7 interlacing: each pass as [x0, y0, dx, dy]. */
export const ADAM7 = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
] as const;

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** Reverses the per-row filters of one (sub)image in place; returns the offset after it. */
function unfilter(
  raw: Uint8Array,
  offset: number,
  rowBytes: number,
  rows: number,
  bpp: number,
  out: Uint8Array,
) {
  let prev: Uint8Array = new Uint8Array(rowBytes);
  for (let y = 0; y < rows; y++) {
    const type = raw[offset++];
    const row = out.subarray(y * rowBytes, (y + 1) * rowBytes);
    for (let x = 0; x < rowBytes; x++) {
      const v = raw[offset + x] ?? 0;
      const left = x >= bpp ? (row[x - bpp] ?? 0) : 0;
      const up = prev[x] ?? 0;
      const upLeft = x >= bpp ? (prev[x - bpp] ?? 0) : 0;
      switch (type) {
        case 0:
          row[x] = v;
          break;
        case 1:
          row[x] = v + left;
          break;
        case 2:
          row[x] = v + up;
          break;
        case 3:
          row[x] = v + ((left + up) >> 1);
          break;
        case 4:
          row[x] = v + paeth(left, up, upLeft);
          break;
        default:
          throw new Error(`bad PNG filter ${type}`);
      }
    }
    offset += rowBytes;
    prev = row;
  }
  return offset;
}

export async function decodePng(bytes: Uint8Array): Promise<Rgba> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 8;
  let width = 0;
  let height = 0;
  let depth = 0;
  let colour = 0;
  let interlace = 0;
  let palette: Uint8Array | null = null;
  let trns: Uint8Array | null = null;
  const idat: Uint8Array[] = [];
  while (pos + 8 <= bytes.length) {
    const length = view.getUint32(pos);
    const type = String.fromCharCode(...bytes.subarray(pos + 4, pos + 8));
    const data = bytes.subarray(pos + 8, pos + 8 + length);
    if (data.length !== length) throw new Error("truncated PNG");
    if (type === "IHDR") {
      width = view.getUint32(pos + 8);
      height = view.getUint32(pos + 12);
      depth = data[8] ?? 0;
      colour = data[9] ?? 0;
      interlace = data[12] ?? 0;
    } else if (type === "PLTE") palette = data;
    else if (type === "tRNS") trns = data;
    else if (type === "IDAT") idat.push(data);
    else if (type === "IEND") break;
    pos += 12 + length;
  }
  const channels = CHANNELS[colour];
  if (!width || !height || !channels || ![1, 2, 4, 8, 16].includes(depth))
    throw new Error("unsupported PNG header");
  if (idat.length === 0) throw new Error("PNG without image data");
  const compressed = new Uint8Array(idat.reduce((n, c) => n + c.length, 0));
  let o = 0;
  for (const c of idat) {
    compressed.set(c, o);
    o += c.length;
  }
  const raw = await inflate(compressed);
  const bitsPerPixel = channels * depth;
  const bpp = Math.max(1, bitsPerPixel >> 3);
  const out = new Uint8Array(width * height * 4);

  const max = (1 << depth) - 1;
  const transparentGray =
    colour === 0 && trns && trns.length >= 2 ? ((trns[0] ?? 0) << 8) | (trns[1] ?? 0) : -1;
  // Writes one decoded row's pixels (of a sub-image for interlaced PNGs) into the RGBA output.
  const put = (row: Uint8Array, count: number, y: number, x0: number, dx: number) => {
    // The raw integer sample k of pixel i, at the image's own bit depth.
    const raw = (i: number, k: number): number => {
      const n = i * channels + k;
      if (depth === 8) return row[n] ?? 0;
      if (depth === 16) return ((row[n * 2] ?? 0) << 8) | (row[n * 2 + 1] ?? 0);
      const bit = n * depth;
      return ((row[bit >> 3] ?? 0) >> (8 - depth - (bit & 7))) & max;
    };
    const scaled = (v: number) => (depth === 8 ? v : depth === 16 ? v >> 8 : Math.round((v * 255) / max));
    for (let i = 0; i < count; i++) {
      let r: number;
      let g: number;
      let b: number;
      let a = 255;
      if (colour === 3) {
        const index = raw(i, 0);
        r = palette?.[index * 3] ?? 0;
        g = palette?.[index * 3 + 1] ?? 0;
        b = palette?.[index * 3 + 2] ?? 0;
        a = trns && index < trns.length ? (trns[index] ?? 255) : 255;
      } else if (colour === 0 || colour === 4) {
        const v = raw(i, 0);
        r = g = b = scaled(v);
        if (colour === 4) a = scaled(raw(i, 1));
        else if (v === transparentGray) a = 0;
      } else {
        r = scaled(raw(i, 0));
        g = scaled(raw(i, 1));
        b = scaled(raw(i, 2));
        if (colour === 6) a = scaled(raw(i, 3));
      }
      const p = (y * width + x0 + i * dx) * 4;
      out[p] = r;
      out[p + 1] = g;
      out[p + 2] = b;
      out[p + 3] = a;
    }
  };

  let offset = 0;
  const passes = interlace === 1 ? ADAM7 : [[0, 0, 1, 1] as const];
  for (const [x0, y0, dx, dy] of passes) {
    const pw = Math.ceil((width - x0) / dx);
    const ph = Math.ceil((height - y0) / dy);
    if (pw <= 0 || ph <= 0) continue;
    const rowBytes = Math.ceil((pw * bitsPerPixel) / 8);
    const pass = new Uint8Array(rowBytes * ph);
    offset = unfilter(raw, offset, rowBytes, ph, bpp, pass);
    for (let y = 0; y < ph; y++)
      put(pass.subarray(y * rowBytes, (y + 1) * rowBytes), pw, y0 + y * dy, x0, dx);
  }
  return { width, height, data: out };
}
