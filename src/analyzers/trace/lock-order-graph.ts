import type { EventRef, LockOrderEdge } from './trace-analysis.js';

/**
 * The observed lock-order graph: an edge A → B each time a task acquires B
 * (not by trylock, as lockdep does) while holding A. Nodes are lock class
 * names as printed; same-class nesting is not an edge. Cycles of two or more
 * classes are the strongly connected components of size ≥ 2.
 */
/** An edge's count and its first occurrence (what `add` counts into). */
export interface EdgeAcc {
  count: number;
  first: EventRef;
}

export class LockOrderGraph {
  private readonly edges = new Map<string, Map<string, EdgeAcc>>();
  private edgeCount = 0;

  constructor(private readonly maxEdges = 200_000) {}

  /**
   * Counts one acquisition of `to` while holding `from`. Returns the edge, whose later repeats a
   * caller may count into directly (`count++`), or null: same class, or the graph is full.
   */
  add(from: string, to: string, at: EventRef): EdgeAcc | null {
    if (from === to) return null;
    let out = this.edges.get(from);
    if (!out) {
      out = new Map();
      this.edges.set(from, out);
    }
    let edge = out.get(to);
    if (edge) edge.count++;
    else if (this.edgeCount < this.maxEdges) {
      edge = { count: 1, first: at };
      out.set(to, edge);
      this.edgeCount++;
    }
    return edge ?? null;
  }

  /** Edges (sorted by from, to) with cycle edges marked, and one shortest cycle per component. */
  finish(): { edges: LockOrderEdge[]; cycles: string[][] } {
    const component = this.components();
    const edges: LockOrderEdge[] = [];
    for (const [from, out] of this.edges) {
      for (const [to, e] of out) {
        const c = component.get(from);
        edges.push({
          from,
          to,
          count: e.count,
          first: e.first,
          inCycle: c !== undefined && c === component.get(to),
        });
      }
    }
    edges.sort((a, b) => (a.from === b.from ? cmp(a.to, b.to) : cmp(a.from, b.from)));
    const members = new Map<number, string[]>();
    for (const [node, c] of component) members.set(c, [...(members.get(c) ?? []), node]);
    const cycles: string[][] = [];
    for (const nodes of members.values()) {
      if (nodes.length < 2) continue;
      const inside = new Set(nodes);
      const start = [...nodes].sort(cmp)[0]!;
      cycles.push(this.shortestCycle(start, inside));
    }
    cycles.sort((a, b) => cmp(a.join('\0'), b.join('\0')));
    return { edges, cycles };
  }

  /** Tarjan's strongly connected components (iterative), node → component number. */
  private components(): Map<string, number> {
    const index = new Map<string, number>();
    const low = new Map<string, number>();
    const onStack = new Set<string>();
    const stack: string[] = [];
    const result = new Map<string, number>();
    let next = 0;
    let comp = 0;
    const nodes = new Set<string>([...this.edges.keys()]);
    for (const out of this.edges.values()) for (const to of out.keys()) nodes.add(to);
    for (const root of nodes) {
      if (index.has(root)) continue;
      const work: Array<{ node: string; children: string[]; i: number }> = [];
      const open = (node: string) => {
        index.set(node, next);
        low.set(node, next);
        next++;
        stack.push(node);
        onStack.add(node);
        work.push({ node, children: [...(this.edges.get(node)?.keys() ?? [])], i: 0 });
      };
      open(root);
      while (work.length > 0) {
        const top = work[work.length - 1]!;
        if (top.i < top.children.length) {
          const child = top.children[top.i++]!;
          if (!index.has(child)) open(child);
          else if (onStack.has(child)) low.set(top.node, Math.min(low.get(top.node)!, index.get(child)!));
          continue;
        }
        work.pop();
        const parent = work[work.length - 1];
        if (parent) low.set(parent.node, Math.min(low.get(parent.node)!, low.get(top.node)!));
        if (low.get(top.node) === index.get(top.node)) {
          let member: string;
          do {
            member = stack.pop()!;
            onStack.delete(member);
            result.set(member, comp);
          } while (member !== top.node);
          comp++;
        }
      }
    }
    return result;
  }

  /** Breadth-first search from start back to start, inside one component. */
  private shortestCycle(start: string, inside: Set<string>): string[] {
    const parent = new Map<string, string>();
    const queue = [start];
    for (let q = 0; q < queue.length; q++) {
      const node = queue[q]!;
      for (const to of [...(this.edges.get(node)?.keys() ?? [])].sort(cmp)) {
        if (!inside.has(to)) continue;
        if (to === start) {
          const path = [node];
          while (path[0] !== start) path.unshift(parent.get(path[0]!)!);
          return path;
        }
        if (!parent.has(to)) {
          parent.set(to, node);
          queue.push(to);
        }
      }
    }
    return [start];
  }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
