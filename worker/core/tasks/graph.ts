import { badRequest } from "../../platform/errors";

/**
 * How a new task names a task it depends on: an integer is always an existing task id; inside one
 * batch (or one webhook payload) a sibling is named by its `commit_id` string or `{index: n}`.
 */
export type DependencyRef = number | string | { index: number };

export interface GraphSpec {
  commit_id?: string | null | undefined;
  dependencies?: DependencyRef[] | undefined;
}

export interface PlannedGraph {
  /** Per spec: indexes of siblings it depends on. */
  internal: number[][];
  /** Per spec: ids of existing tasks it depends on. */
  external: number[][];
  /** Every existing id referenced, deduplicated. */
  externalIds: number[];
}

/**
 * Resolves sibling references and rejects self-dependencies and cycles (depth-first search), so
 * nothing is written for a graph that could never finish. Pure: existence of external ids is
 * checked against the database by the caller.
 */
export function planGraph(specs: readonly GraphSpec[]): PlannedGraph {
  const byCommit = new Map<string, number>();
  specs.forEach((spec, i) => {
    if (spec.commit_id == null) return;
    if (byCommit.has(spec.commit_id))
      throw badRequest(`Duplicate commit_id '${spec.commit_id}' in the request`);
    byCommit.set(spec.commit_id, i);
  });

  const internal: number[][] = [];
  const external: number[][] = [];
  const externalIds = new Set<number>();
  specs.forEach((spec, i) => {
    const mine: number[] = [];
    const theirs: number[] = [];
    for (const ref of spec.dependencies ?? []) {
      if (typeof ref === "number") {
        theirs.push(ref);
        externalIds.add(ref);
        continue;
      }
      const target = typeof ref === "string" ? byCommit.get(ref) : ref.index;
      if (target === undefined || !Number.isInteger(target) || target < 0 || target >= specs.length) {
        throw badRequest(`Task ${i} depends on unknown reference ${JSON.stringify(ref)}`);
      }
      if (target === i) throw badRequest(`Task ${i} depends on itself`);
      mine.push(target);
    }
    internal.push([...new Set(mine)]);
    external.push([...new Set(theirs)]);
  });

  const cycle = findCycle(internal);
  if (cycle) throw badRequest(`Dependency cycle: ${cycle.join(" → ")}`);
  return { internal, external, externalIds: [...externalIds] };
}

/** Returns one cycle as a list of indexes (first repeated at the end), or null. */
export function findCycle(edges: readonly number[][]): number[] | null {
  const state = new Uint8Array(edges.length); // 0 new, 1 on the stack, 2 done
  const stack: number[] = [];
  const visit = (node: number): number[] | null => {
    state[node] = 1;
    stack.push(node);
    for (const next of edges[node] ?? []) {
      if (state[next] === 1) return [...stack.slice(stack.indexOf(next)), next];
      if (state[next] === 0) {
        const found = visit(next);
        if (found) return found;
      }
    }
    stack.pop();
    state[node] = 2;
    return null;
  };
  for (let i = 0; i < edges.length; i++) {
    if (state[i] === 0) {
      const found = visit(i);
      if (found) return found;
    }
  }
  return null;
}
