/**
 * Paths go into filtergraphs (`fontfile=`, `textfile=`), where `:`, `'`, `\`, `,`, `;` and brackets
 * mean something at two parser levels. Our own paths never contain them; a configured one (the
 * font) is checked, so no escaping is ever needed.
 */
const SAFE = /^[A-Za-z0-9/._+-]+$/;

export function filterPath(path: string): string {
  if (!SAFE.test(path)) throw new Error(`path not usable inside a filtergraph: ${path}`);
  return path;
}
