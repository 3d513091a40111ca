import { setupServer } from "msw/node";

/**
 * Outbound HTTP from the Worker (n8n webhooks, later the renderer) is answered here, at the HTTP
 * boundary: third-party systems are the only thing tests fake. Unhandled requests fail loudly.
 */
export const server = setupServer();
