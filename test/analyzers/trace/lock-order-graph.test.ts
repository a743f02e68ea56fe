import { describe, expect, it } from 'vitest';
import { LockOrderGraph } from '../../../src/analyzers/trace/lock-order-graph.js';

const at = (line: number) => ({ line, ts: line * 1000, cpu: 0, pid: 1, comm: 't' });

describe('LockOrderGraph', () => {
  it('marks the edges of every cycle and gives one shortest cycle per component', () => {
    const g = new LockOrderGraph();
    g.add('a', 'b', at(1));
    g.add('b', 'c', at(2));
    g.add('c', 'a', at(3));
    g.add('b', 'a', at(4)); // a shorter cycle a -> b -> a in the same component
    g.add('c', 'd', at(5));
    g.add('x', 'y', at(6));
    g.add('y', 'x', at(7));
    g.add('x', 'x', at(8)); // same class: not an edge
    g.add('a', 'b', at(9));
    const r = g.finish();
    expect(r.cycles).toEqual([
      ['a', 'b'],
      ['x', 'y'],
    ]);
    expect(r.edges.map((e) => [e.from, e.to, e.count, e.inCycle, e.first.line])).toEqual([
      ['a', 'b', 2, true, 1],
      ['b', 'a', 1, true, 4],
      ['b', 'c', 1, true, 2],
      ['c', 'a', 1, true, 3],
      ['c', 'd', 1, false, 5],
      ['x', 'y', 1, true, 6],
      ['y', 'x', 1, true, 7],
    ]);
  });

  it('has no cycles in a DAG and handles long chains without recursion', () => {
    const g = new LockOrderGraph();
    for (let i = 0; i < 50_000; i++) g.add(`l${i}`, `l${i + 1}`, at(i));
    const r = g.finish();
    expect(r.cycles).toEqual([]);
    expect(r.edges.every((e) => !e.inCycle)).toBe(true);
  });
});
