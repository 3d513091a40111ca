import type { WorkflowRunRpc } from "../../../contracts/workflow-run";

/** The WorkflowRun object of a workflow (one per workflow id), through its RPC surface. */
export function workflowRun(env: Env, workflowId: number): WorkflowRunRpc {
  return env.WORKFLOW_RUN.get(env.WORKFLOW_RUN.idFromName(`workflow:${workflowId}`));
}

/**
 * Tells WorkflowRun objects that their tasks changed. The change itself is already recorded
 * (workflow_events); this only makes it arrive now rather than at the object's next alarm, so a
 * failed poke loses nothing.
 */
export async function pokeWorkflows(
  env: Env,
  workflowIds: Iterable<number | null | undefined>,
): Promise<void> {
  const ids = [...new Set([...workflowIds].filter((id): id is number => typeof id === "number"))];
  await Promise.all(
    ids.map((id) =>
      workflowRun(env, id)
        .poke(id)
        .catch((err: unknown) =>
          console.warn(JSON.stringify({ level: "warn", msg: "workflow poke failed", id, err: String(err) })),
        ),
    ),
  );
}
