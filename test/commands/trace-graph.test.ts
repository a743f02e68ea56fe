import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { fixture } from '../helpers/shared.js';

describe('trace graph', () => {
  const abba = fixture('trace-min', 'abba.trace.txt');

  it('gives the lock-order graph as JSON with the cycle edges marked (same-class nesting is no edge)', () => {
    const r = runCli(['trace', 'graph', abba, '--format', 'json']);
    expect(r.status).toBe(0);
    const g = JSON.parse(r.stdout);
    expect(g.nodes).toEqual(['lab_lock_a', 'lab_lock_a/1', 'lab_lock_b']);
    expect(
      g.edges.map(
        (e: { from: string; to: string; count: number; inCycle: boolean; first: { line: number } }) => [
          e.from,
          e.to,
          e.count,
          e.inCycle,
          e.first.line,
        ],
      ),
    ).toEqual([
      ['lab_lock_a', 'lab_lock_b', 1, true, 14],
      ['lab_lock_b', 'lab_lock_a', 1, true, 18],
      ['lab_lock_b', 'lab_lock_a/1', 1, false, 20],
    ]);
    expect(g.cycles).toEqual([['lab_lock_a', 'lab_lock_b']]);
  });

  it('says on stderr why the graph of a trace without lock events is empty (exit 0, a valid document)', () => {
    const noLocks = fixture('trace-min', 'no-locks.trace.txt');
    const note = `lockscope: ${noLocks}: no lock_acquire events (no lockdep lock tracing): the graph is empty\n`;
    const dot = runCli(['trace', 'graph', noLocks]);
    expect(dot.status).toBe(0);
    expect(dot.stdout).toBe(
      'digraph lock_order {\n  rankdir=LR;\n  node [shape=box, fontname="monospace"];\n}\n',
    );
    expect(dot.stderr).toBe(note);
    const json = runCli(['trace', 'graph', noLocks, '--json']);
    expect(json.status).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual({ schemaVersion: 1, nodes: [], edges: [], cycles: [] });
    expect(json.stderr).toBe(note);
    expect(runCli(['trace', 'graph', abba]).stderr).toBe('');
  });

  it('--json gives the same document as --format json', () => {
    const json = runCli(['trace', 'graph', '--json', abba]);
    expect(json.status).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual(
      JSON.parse(runCli(['trace', 'graph', abba, '--format', 'json']).stdout),
    );
  });

  it('gives DOT by default, cycle edges red', () => {
    const r = runCli(['trace', 'graph', abba]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(
      [
        'digraph lock_order {',
        '  rankdir=LR;',
        '  node [shape=box, fontname="monospace"];',
        '  "lab_lock_a";',
        '  "lab_lock_a/1";',
        '  "lab_lock_b";',
        '  "lab_lock_a" -> "lab_lock_b" [label="1", color=red, penwidth=2, cycle=true];',
        '  "lab_lock_b" -> "lab_lock_a" [label="1", color=red, penwidth=2, cycle=true];',
        '  "lab_lock_b" -> "lab_lock_a/1" [label="1"];',
        '}',
        '',
      ].join('\n'),
    );
  });
});
