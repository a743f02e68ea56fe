import type { LockdepGraph } from '../analyzers/lockdep/dependency-graph.js';
import { counted } from '../util/plural.js';
import { stripControl } from './sanitize.js';

/** The lockdep dependency graph as Graphviz DOT: one node per class, one edge per dependency. */
export function lockdepGraphDot(graph: LockdepGraph): string {
  const q = (s: string) => `"${stripControl(s).replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
  const lines = ['digraph lockdep {', '  rankdir=LR;', '  node [shape=box, fontname="monospace"];'];
  for (const n of graph.nodes) {
    const label = n.usage ? `${n.name}\n${n.usage}` : n.name;
    lines.push(`  ${q(n.name)} [label=${q(label)}];`);
  }
  for (const e of graph.edges) {
    lines.push(`  ${q(e.from)} -> ${q(e.to)}${e.count > 1 ? ` [label="${e.count}"]` : ''};`);
  }
  lines.push('}');
  return lines.join('\n');
}

/** A one-screen summary for the terminal. */
export function lockdepGraphText(graph: LockdepGraph, file: string): string {
  const out = [
    `${file}: /proc/${graph.source} — ${counted(graph.nodes.length, 'lock class', 'lock classes')}, ` +
      counted(graph.edges.length, 'dependency', 'dependencies') +
      (graph.sameClassDependencies > 0
        ? ` (${graph.sameClassDependencies} between instances of one class dropped)`
        : ''),
  ];
  for (const e of graph.edges) out.push(`  ${e.from} -> ${e.to}`);
  return out.join('\n');
}
