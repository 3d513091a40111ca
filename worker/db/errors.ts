/**
 * D1 reports constraint violations only through the error message (drizzle wraps it in `cause`),
 * so this is the one place that reads them.
 */
function messages(err: unknown): string {
  const parts: string[] = [];
  let current: unknown = err;
  for (let depth = 0; current && depth < 5; depth++) {
    if (current instanceof Error) {
      parts.push(current.message);
      current = current.cause;
    } else {
      parts.push(String(current));
      break;
    }
  }
  return parts.join(" | ");
}

export function isUniqueViolation(err: unknown, target?: string): boolean {
  const text = messages(err);
  if (!text.includes("UNIQUE constraint failed")) return false;
  return target === undefined || text.includes(target);
}

export function isCheckViolation(err: unknown, constraint?: string): boolean {
  const text = messages(err);
  if (!text.includes("CHECK constraint failed")) return false;
  return constraint === undefined || text.includes(constraint);
}
