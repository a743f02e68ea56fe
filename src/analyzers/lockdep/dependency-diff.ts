import type { LockdepEdge, LockdepGraph } from './dependency-graph.js';

export interface LockdepDependency {
  from: string;
  to: string;
}

/** What HEAD's lockdep dependency graph has that BASE's lacks, and the reverse. */
export interface LockdepDiff {
  /** Dependencies in HEAD only (a new lock order: the reason `lockdep diff` exits 1). */
  added: LockdepDependency[];
  /** Dependencies in BASE only. */
  removed: LockdepDependency[];
  addedClasses: string[];
  removedClasses: string[];
  /** Dependencies in both. */
  common: number;
}

export function diffLockdepGraphs(base: LockdepGraph, head: LockdepGraph): LockdepDiff {
  const key = (e: LockdepEdge) => `${e.from}\u0000${e.to}`;
  const baseEdges = new Set(base.edges.map(key));
  const headEdges = new Set(head.edges.map(key));
  const dep = ({ from, to }: LockdepEdge) => ({ from, to });
  const baseNodes = new Set(base.nodes.map((n) => n.name));
  const headNodes = new Set(head.nodes.map((n) => n.name));
  return {
    added: head.edges.filter((e) => !baseEdges.has(key(e))).map(dep),
    removed: base.edges.filter((e) => !headEdges.has(key(e))).map(dep),
    addedClasses: head.nodes.filter((n) => !baseNodes.has(n.name)).map((n) => n.name),
    removedClasses: base.nodes.filter((n) => !headNodes.has(n.name)).map((n) => n.name),
    common: head.edges.filter((e) => baseEdges.has(key(e))).length,
  };
}
