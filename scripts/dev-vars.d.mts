export function ensureDevVars(): { path: string; added: string[] };
export function readDevVars(): Record<string, string>;
