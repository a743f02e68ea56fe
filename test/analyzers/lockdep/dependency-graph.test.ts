import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { diffLockdepGraphs } from '../../../src/analyzers/lockdep/dependency-diff.js';
import {
  graphFromChains,
  graphFromClasses,
  normalizeClassName,
} from '../../../src/analyzers/lockdep/dependency-graph.js';
import { parseProcLockdep } from '../../../src/ingest/proc/lockdep.js';
import { fixture } from '../../helpers/shared.js';

const classes = (name: string) => parseProcLockdep(readFileSync(fixture('proc', name), 'utf8')).classes;

describe('normalizeClassName', () => {
  it('drops the #N instance suffix and keeps the /N subclass', () => {
    expect(normalizeClassName('&x->wait#2')).toBe('&x->wait');
    expect(normalizeClassName('subsys mutex#19')).toBe('subsys mutex');
    expect(normalizeClassName('&sb->s_type->i_lock_key#3/1')).toBe('&sb->s_type->i_lock_key/1');
    expect(normalizeClassName('&rq->__lock/1')).toBe('&rq->__lock/1');
    expect(normalizeClassName('#1')).toBe('#1');
    expect(normalizeClassName('name#x')).toBe('name#x');
  });
});

describe('lockdep dependency graph and diff', () => {
  it('builds the graph of the shrinker dump with lab_shrinker_lock between shrinker_rwsem and fs_reclaim', () => {
    const g = graphFromClasses(classes('shrinker-proc-lockdep.txt'));
    expect(g.nodes).toHaveLength(384);
    expect(g.edges).toHaveLength(832);
    expect(g.nodes.find((n) => n.name === '&x->wait')!.instances.length).toBeGreaterThan(1);
    expect(g.edges).toContainEqual({ from: 'lab_shrinker_lock', to: 'fs_reclaim', count: 1 });
    expect(g.edges).toContainEqual({ from: 'shrinker_rwsem', to: 'lab_shrinker_lock', count: 1 });
  });

  it('diffs the abba run against the shrinker run of the same kernel', () => {
    const d = diffLockdepGraphs(
      graphFromClasses(classes('abba-proc-lockdep.txt')),
      graphFromClasses(classes('shrinker-proc-lockdep.txt')),
    );
    expect([d.added.length, d.removed.length, d.common]).toEqual([63, 17, 769]);
    expect(d.added.filter((e) => e.from.startsWith('lab_') || e.to.startsWith('lab_'))).toEqual([
      { from: 'lab_shrinker_lock', to: 'fs_reclaim' },
      { from: 'shrinker_rwsem', to: 'lab_shrinker_lock' },
    ]);
    expect(d.removedClasses).toEqual(['lab_lock_a', 'lab_lock_b']);
    expect(d.addedClasses).toContain('lab_shrinker_lock');
  });

  it('takes chain edges between consecutive held locks and drops same-class instances', () => {
    const g = graphFromChains([
      { irqContext: '0', classes: ['a', '&x->wait#2', '&x->wait#5', 'b'], line: 2 },
      { irqContext: '0', classes: ['a', '&x->wait#7'], line: 8 },
    ]);
    expect(g.edges).toEqual([
      { from: '&x->wait', to: 'b', count: 1 },
      { from: 'a', to: '&x->wait', count: 2 },
    ]);
    expect(g.sameClassDependencies).toBe(1);
  });
});
