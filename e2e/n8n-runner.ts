import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * Runs an exported n8n workflow (examples/n8n/*.json) the way n8n would, for the nodes the
 * templates use: Webhook, Code (run once for all items) and HTTP Request with `{{ }}` expressions.
 * HTTP calls to the Studio go out for real; calls to third parties (the LLM, the video platform)
 * are answered by `thirdParty`, the only thing faked. Credentials are header values by name.
 */
type Item = { json: Record<string, any> };
interface N8nNode {
  name: string;
  type: string;
  parameters: Record<string, any>;
  credentials?: Record<string, { name: string }>;
  onError?: string;
}
export interface N8nWorkflow {
  name: string;
  nodes: N8nNode[];
  connections: Record<string, { main: { node: string }[][] }>;
}

export interface RunnerOptions {
  studioOrigin: string;
  env: Record<string, string>;
  /** Header credentials by credential name: [header, value]. */
  credentials: Record<string, [string, string]>;
  thirdParty: (node: string, request: { url: string; body: unknown }) => Promise<unknown>;
  calls?: { node: string; url: string; status: number; body: unknown; response: unknown }[];
}

const nodeRequire = (name: string) => {
  if (name === "crypto") return { createHmac, timingSafeEqual };
  throw new Error(`require('${name}') is not allowed`);
};

export async function runWorkflow(
  wf: N8nWorkflow,
  trigger: { headers: Record<string, string>; body: unknown },
  opts: RunnerOptions,
): Promise<Record<string, Item[]>> {
  const byName = new Map(wf.nodes.map((n) => [n.name, n]));
  const outputs: Record<string, Item[]> = {};
  const executionId = `exec-${Math.random().toString(36).slice(2, 10)}`;
  const accessor = (name: string) => {
    const items = outputs[name];
    if (!items) throw new Error(`node ${name} has not run`);
    return { all: () => items, first: () => items[0], item: items[0] };
  };
  const evaluate = (value: unknown, item: Item | undefined, input: Item[]): unknown => {
    if (typeof value !== "string" || !value.startsWith("=")) return value;
    const template = value.slice(1);
    const run = (expr: string) =>
      new Function("$json", "$", "$env", "$execution", "$input", `return (${expr});`)(
        item?.json ?? {},
        accessor,
        opts.env,
        { id: executionId },
        { all: () => input, first: () => input[0], item },
      );
    const whole = /^\{\{([\s\S]*)\}\}$/.exec(template.trim());
    if (whole?.[1] !== undefined) return run(whole[1]);
    return template.replace(/\{\{([\s\S]*?)\}\}/g, (_, expr: string) => String(run(expr)));
  };

  let current = wf.nodes.find((n) => n.type === "n8n-nodes-base.webhook");
  let input: Item[] = [];
  while (current) {
    const node = current;
    let out: Item[];
    if (node.type === "n8n-nodes-base.webhook") {
      out = [{ json: { headers: trigger.headers, params: {}, query: {}, body: trigger.body } }];
    } else if (node.type === "n8n-nodes-base.code") {
      const fn = new Function(
        "$input",
        "$",
        "$env",
        "$execution",
        "require",
        "Buffer",
        "console",
        `return (async () => {\n${node.parameters.jsCode}\n})();`,
      );
      out = (await fn(
        { all: () => input, first: () => input[0] },
        accessor,
        opts.env,
        { id: executionId },
        nodeRequire,
        Buffer,
        { log: () => undefined },
      )) as Item[];
    } else if (node.type === "n8n-nodes-base.httpRequest") {
      out = [];
      for (const item of input) {
        const url = String(evaluate(node.parameters.url, item, input));
        const body = JSON.parse(String(evaluate(node.parameters.jsonBody, item, input)));
        try {
          if (url.startsWith(opts.studioOrigin)) {
            const cred = node.credentials?.httpHeaderAuth?.name ?? "";
            const header = opts.credentials[cred];
            if (!header) throw new Error(`no credential ${cred}`);
            const res = await fetch(url, {
              method: node.parameters.method,
              headers: { "Content-Type": "application/json", [header[0]]: header[1] },
              body: JSON.stringify(body),
            });
            const response = await res.json();
            opts.calls?.push({ node: node.name, url, status: res.status, body, response });
            if (!res.ok) throw new Error(`HTTP ${res.status}: ${JSON.stringify(response)}`);
            out.push({ json: response as Record<string, any> });
          } else {
            out.push({ json: (await opts.thirdParty(node.name, { url, body })) as Record<string, any> });
          }
        } catch (err) {
          if (node.onError !== "continueRegularOutput") throw err;
          out.push({ json: { error: { message: String((err as Error).message ?? err) } } });
        }
      }
    } else {
      throw new Error(`node type ${node.type} is not supported by this runner`);
    }
    outputs[node.name] = out;
    input = out;
    const next = wf.connections[node.name]?.main?.[0]?.[0]?.node;
    current = next ? byName.get(next) : undefined;
  }
  return outputs;
}
