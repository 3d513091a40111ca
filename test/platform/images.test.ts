import { describe, expect, it } from "vitest";
import { decodeImage, inspectImage } from "../../worker/core/media/decode";
import { consistencyScore, signatureOf, similarity } from "../../worker/core/media/signature";
import { encodePng, fixture, paint, referenceFrame } from "../helpers/images";

/** Mean absolute difference per channel over RGB (alpha compared separately). */
function meanError(a: Uint8Array, b: Uint8Array, gray = false): number {
  let sum = 0;
  let n = 0;
  for (let p = 0; p < a.length; p += 4) {
    if (gray) {
      const la = 0.299 * (a[p] ?? 0) + 0.587 * (a[p + 1] ?? 0) + 0.114 * (a[p + 2] ?? 0);
      sum += Math.abs(la - (b[p] ?? 0));
      n++;
      continue;
    }
    for (let c = 0; c < 3; c++) sum += Math.abs((a[p + c] ?? 0) - (b[p + c] ?? 0));
    n += 3;
  }
  return sum / n;
}

describe("image decoding in the Worker, against ffmpeg's encoders", () => {
  const ref = referenceFrame();
  const cases: [string, "png" | "jpeg" | "webp", number, boolean?][] = [
    ["rgb.png", "png", 0],
    ["rgba.png", "png", 0],
    ["rgb48.png", "png", 1],
    ["pal8.png", "png", 12],
    ["gray.png", "png", 1, true],
    ["yuv420.jpg", "jpeg", 8],
    ["yuv444.jpg", "jpeg", 8],
    ["lossless.webp", "webp", 0],
    ["lossy.webp", "webp", 8],
  ];
  for (const [name, type, tolerance, gray] of cases) {
    it(`decodes ${name}`, async () => {
      const bytes = fixture(name);
      const header = inspectImage(bytes);
      expect(header).toMatchObject({ type, width: ref.width, height: ref.height });
      const img = await decodeImage(bytes, type);
      expect([img.width, img.height, img.data.length]).toEqual([
        ref.width,
        ref.height,
        ref.width * ref.height * 4,
      ]);
      expect(meanError(ref.data, img.data, gray)).toBeLessThanOrEqual(tolerance);
      for (let p = 3; p < img.data.length; p += 4)
        if (img.data[p] !== 255) throw new Error(`alpha ${img.data[p]} at ${p}`);
    });
  }

  it("decodes an Adam7-interlaced PNG of odd size exactly", async () => {
    const img = paint(37, 23, (x, y) => [(x * 7) % 256, (y * 11) % 256, (x * y) % 256]);
    const decoded = await decodeImage(await encodePng(img, true), "png");
    expect(decoded.width).toBe(37);
    expect(Buffer.from(decoded.data).equals(Buffer.from(img.data))).toBe(true);
  });

  it("refuses fakes and oversized images from the header, and damaged data when decoding", async () => {
    expect(() => inspectImage(new TextEncoder().encode("hello world, not an image"))).toThrow(
      /not a PNG, JPEG or WebP/,
    );
    expect(() =>
      inspectImage(new TextEncoder().encode("<svg xmlns='http://www.w3.org/2000/svg'><script/></svg>")),
    ).toThrow(/not a PNG/);
    const huge = fixture("rgb.png");
    huge.set([0, 0, 0xc3, 0x50, 0, 0, 0xc3, 0x50], 16); // IHDR declares 50000×50000
    expect(() => inspectImage(huge)).toThrow(/at most 4096 px/);
    for (const name of ["rgb.png", "yuv420.jpg", "lossy.webp"]) {
      const whole = fixture(name);
      const truncated = whole.subarray(0, Math.floor(whole.length * 0.6));
      const header = inspectImage(truncated);
      await expect(decodeImage(truncated, header.type)).rejects.toThrow(/damaged or truncated/);
    }
  });
});

describe("appearance signatures", () => {
  const stripes = paint(200, 200, (x) => (Math.floor(x / 25) % 2 ? [220, 30, 30] : [20, 20, 200]));
  const stripesScaled = paint(400, 400, (x) => (Math.floor(x / 50) % 2 ? [220, 30, 30] : [20, 20, 200]));
  const gradient = paint(200, 200, (x, y) => [x, y, 128]);

  it("is stable under rescaling and tells different pictures apart", () => {
    const a = signatureOf(stripes);
    expect(a.phash).toMatch(/^[0-9a-f]{16}$/);
    expect(a.histogram).toHaveLength(64);
    expect(similarity(a, a)).toBe(1);
    expect(similarity(a, signatureOf(stripesScaled))).toBeGreaterThan(0.95);
    expect(similarity(a, signatureOf(gradient))).toBeLessThan(0.6);
  });

  it("finds a character that is one part of a larger scene", () => {
    const scene = paint(400, 400, (x, y) =>
      x < 200 && y < 200 ? (Math.floor(x / 25) % 2 ? [220, 30, 30] : [20, 20, 200]) : [240, 240, 230],
    );
    expect(consistencyScore(scene, [signatureOf(stripes)])).toBeGreaterThan(0.85);
    expect(consistencyScore(gradient, [signatureOf(stripes)])).toBeLessThan(0.6);
    expect(consistencyScore(scene, [])).toBeNull();
  });
});
