import type { LockOrderEdge } from '../analyzers/trace/trace-analysis.js';

export interface LockOrderGraphDocument {
  schemaVersion: 1;
  nodes: string[];
  edges: LockOrderEdge[];
  cycles: string[][];
}

export function lockOrderDocument(lockOrder: {
  edges: LockOrderEdge[];
  cycles: string[][];
}): LockOrderGraphDocument {
  const nodes = new Set<string>();
  for (const e of lockOrder.edges) nodes.add(e.from).add(e.to);
  return { schemaVersion: 1, nodes: [...nodes].sort(), edges: lockOrder.edges, cycles: lockOrder.cycles };
}

/** Graphviz DOT: one node per lock class, edges labelled with counts, cycle edges red and bold. */
export function renderLockOrderDot(doc: LockOrderGraphDocument): string {
  const lines = ['digraph lock_order {', '  rankdir=LR;', '  node [shape=box, fontname="monospace"];'];
  for (const n of doc.nodes) lines.push(`  ${quote(n)};`);
  for (const e of doc.edges) {
    const style = e.inCycle ? ', color=red, penwidth=2, cycle=true' : '';
    lines.push(`  ${quote(e.from)} -> ${quote(e.to)} [label="${e.count}"${style}];`);
  }
  lines.push('}');
  return lines.join('\n');
}

function quote(s: string): string {
  return `"${s.replace(/[\\"]/g, (c) => `\\${c}`).replace(/[\x00-\x1f\x7f]/g, '')}"`;
}
