/** A decoded image: 8-bit RGBA, row by row. */
export interface Rgba {
  width: number;
  height: number;
  data: Uint8Array;
}
