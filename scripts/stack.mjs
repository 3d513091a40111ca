// `npm run -s stack`: the whole local stack on free ports (redis-server, wrangler dev, the renderer),
// for test suites in other languages (sdk/python). Prints one JSON line with the URLs once it is
// healthy, and stops everything when stdin closes or on SIGTERM/SIGINT.
import { startLocalStack } from "../tools/local-stack/local-stack.mjs";

const stack = await startLocalStack();
process.stdout.write(`${JSON.stringify({ apiUrl: stack.apiUrl, rendererUrl: stack.rendererUrl })}\n`);
let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  await stack.stop();
  process.exit(0);
}
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
process.stdin.on("end", stop);
process.stdin.resume();
