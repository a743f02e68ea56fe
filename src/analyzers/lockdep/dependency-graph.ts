import type { LockdepClass } from '../../ingest/proc/lockdep.js';
import type { LockdepChain } from '../../ingest/proc/lockdep-chains.js';

/** A lock class of the graph: the name with its `#N` instance suffix removed. */
export interface LockdepNode {
  name: string;
  /** The names as printed that fold into this node (`&x->wait#2`, `&x->wait#5`). */
  instances: string[];
  /** Usage characters of the first instance that has them (from /proc/lockdep). */
  usage: string | null;
}

/** `from -> to`: lockdep saw `to` acquired while `from` was held. */
export interface LockdepEdge {
  from: string;
  to: string;
  /** How many printed dependencies (or chain steps) fold into this edge. */
  count: number;
}

export interface LockdepGraph {
  source: 'lockdep' | 'lockdep_chains';
  nodes: LockdepNode[];
  edges: LockdepEdge[];
  /** Dependencies between two instances of one class (`&x->wait#2 -> &x->wait#5`), dropped. */
  sameClassDependencies: number;
}

/**
 * Drops the `#N` that lockdep appends to the Nth class sharing a name (the
 * number depends on registration order, so it differs between boots); the
 * `/N` subclass suffix is kept.
 * `&x->wait#2` → `&x->wait`; `&rq->__lock/1` stays.
 */
export function normalizeClassName(name: string): string {
  const hash = name.lastIndexOf('#');
  if (hash <= 0) return name;
  let end = name.length;
  const slash = name.lastIndexOf('/');
  if (slash > hash) end = slash;
  const digits = name.slice(hash + 1, end);
  if (!/^\d+$/.test(digits)) return name;
  return name.slice(0, hash) + name.slice(end);
}

class GraphBuilder {
  private readonly nodes = new Map<string, LockdepNode>();
  private readonly edges = new Map<string, LockdepEdge>();
  private sameClass = 0;

  node(printed: string, usage: string | null = null): string {
    const name = normalizeClassName(printed);
    let node = this.nodes.get(name);
    if (!node) {
      node = { name, instances: [], usage: null };
      this.nodes.set(name, node);
    }
    if (!node.instances.includes(printed)) node.instances.push(printed);
    node.usage ??= usage;
    return name;
  }

  edge(fromPrinted: string, toPrinted: string): void {
    const from = this.node(fromPrinted);
    const to = this.node(toPrinted);
    if (from === to) {
      this.sameClass++;
      return;
    }
    const key = `${from}\u0000${to}`;
    const e = this.edges.get(key);
    if (e) e.count++;
    else this.edges.set(key, { from, to, count: 1 });
  }

  build(source: LockdepGraph['source']): LockdepGraph {
    const byName = (a: { name: string }, b: { name: string }) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
    const nodes = [...this.nodes.values()].sort(byName);
    for (const n of nodes) n.instances.sort();
    const edges = [...this.edges.values()].sort((a, b) =>
      a.from === b.from ? (a.to < b.to ? -1 : a.to > b.to ? 1 : 0) : a.from < b.from ? -1 : 1,
    );
    return { source, nodes, edges, sameClassDependencies: this.sameClass };
  }
}

/** The dependency graph of a /proc/lockdep dump: one edge per ` -> ` line. */
export function graphFromClasses(classes: LockdepClass[]): LockdepGraph {
  const g = new GraphBuilder();
  for (const c of classes) {
    if (c.name === '') continue;
    g.node(c.name, c.usage);
    for (const dep of c.deps) g.edge(c.name, dep);
  }
  return g.build('lockdep');
}

/** The dependency graph of a /proc/lockdep_chains dump: consecutive held locks of each chain. */
export function graphFromChains(chains: LockdepChain[]): LockdepGraph {
  const g = new GraphBuilder();
  for (const chain of chains) {
    chain.classes.forEach((c, i) => {
      g.node(c);
      if (i > 0) g.edge(chain.classes[i - 1]!, c);
    });
  }
  return g.build('lockdep_chains');
}

/** The graph of either dump kind. */
export function graphFromDump(
  dump: { kind: 'lockdep'; classes: LockdepClass[] } | { kind: 'lockdep_chains'; chains: LockdepChain[] },
): LockdepGraph {
  return dump.kind === 'lockdep' ? graphFromClasses(dump.classes) : graphFromChains(dump.chains);
}
