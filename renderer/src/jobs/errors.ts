/**
 * A job that can never succeed (bad spec, an input on another host, a file that is not an image):
 * it fails at once and is never retried. Everything else is assumed transient and retried.
 */
export class InvalidJobError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InvalidJobError";
  }
}

export class CancelledError extends Error {
  constructor(reason = "cancelled") {
    super(reason);
    this.name = "CancelledError";
  }
}

/** The abort reason of a render stopped because its process is shutting down (not a cancel). */
export const SHUTDOWN = "shutdown";
