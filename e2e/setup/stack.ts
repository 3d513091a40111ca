import type { TestProject } from "vitest/node";
import { startLocalStack } from "../../tools/local-stack/local-stack.mjs";

declare module "vitest" {
  export interface ProvidedContext {
    apiUrl: string;
    rendererUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const stack = await startLocalStack();
  project.provide("apiUrl", stack.apiUrl);
  project.provide("rendererUrl", stack.rendererUrl);
  return async () => {
    if (process.env.E2E_SHOW_LOGS) console.log(stack.output());
    await stack.stop();
  };
}
