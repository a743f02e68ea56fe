import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

// Runs the built CLI: `npm run build` first.
describe('lockscope lockdep graph|diff', () => {
  it('diff exits 1 and lists the dependencies HEAD adds (abba run → shrinker run)', () => {
    const r = runCli([
      'lockdep',
      'diff',
      'fixtures/proc/abba-proc-lockdep.txt',
      'fixtures/proc/shrinker-proc-lockdep.txt',
      '--json',
    ]);
    expect(r.status).toBe(1);
    const doc = JSON.parse(r.stdout);
    expect(doc.schemaVersion).toBe(1);
    expect([doc.added.length, doc.removed.length, doc.common]).toEqual([63, 17, 769]);
    expect(doc.added).toContainEqual({ from: 'lab_shrinker_lock', to: 'fs_reclaim' });
    expect(doc.removedClasses).toEqual(['lab_lock_a', 'lab_lock_b']);
  });

  it('diff exits 0 when HEAD adds nothing, and prints a text summary', () => {
    const r = runCli([
      'lockdep',
      'diff',
      'fixtures/proc/shrinker-proc-lockdep.txt',
      'fixtures/proc/shrinker-proc-lockdep.txt',
    ]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('0 added, 0 removed, 832 in both');
  });

  it('diff text stays within 80 columns: the classes only one side has are wrapped, no name split', () => {
    const r = runCli([
      'lockdep',
      'diff',
      'fixtures/runs/v5/proc-lockdep.txt',
      'fixtures/runs/v6/proc-lockdep.txt',
    ]);
    expect(r.status).toBe(1);
    const lines = r.stdout.split('\n');
    expect(lines.slice(1).filter((l) => l.length > 80)).toEqual([]); // the first names the two files
    const at = lines.indexOf('Classes only in HEAD:');
    expect(lines.slice(at + 1, at + 3)).toEqual([
      '  &(&ssp->work)->timer, &ACCESS_PRIVATE(sdp, lock), &f->f_lock,',
      '  &lock->wait_lock, &new_ns->ns_lock, &per_cpu(cpu_access_lock, cpu),',
    ]);
    expect(lines.slice(lines.indexOf('Classes only in BASE:') + 1)).toEqual([
      '  &rcu_state.expedited_wq',
      '',
    ]);
  });

  it('diff and graph exit 2 naming the file on unusable input', () => {
    const r = runCli([
      'lockdep',
      'diff',
      'fixtures/proc/README.md',
      'fixtures/proc/shrinker-proc-lockdep.txt',
    ]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('fixtures/proc/README.md:1: not a /proc/lockdep or /proc/lockdep_chains dump');
    expect(runCli(['lockdep', 'graph', 'fixtures/proc/no-such-file']).status).toBe(2);
  });

  it('says on stderr which lines of a dump it skipped, as path:line: CODE', () => {
    const dump = readFileSync('fixtures/proc/abba-proc-lockdep.txt', 'utf8').split('\n');
    dump.splice(30, 0, 'this is not lockdep');
    const r = runCli(['lockdep', 'graph', '-'], { input: dump.join('\n') });
    expect(r.status).toBe(0);
    expect(r.stderr).toBe(
      '-:31: lockdep-skipped-lines: 1 line(s) are not /proc/lockdep output and were skipped\n',
    );
  });

  it('diff exits 2 naming both files and their kinds when the dumps are of different kinds', () => {
    const base = 'fixtures/runs/v5/proc-lockdep.txt';
    const head = 'fixtures/runs/v5/proc-lockdep_chains.txt';
    const r = runCli(['lockdep', 'diff', base, head]);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `lockscope: ${head} is a /proc/lockdep_chains dump and ${base} a /proc/lockdep dump: ` +
        'compare two dumps of the same kind\n',
    );
    const json = runCli(['lockdep', 'diff', head, base, '--json']);
    expect(json.status).toBe(2);
    expect(JSON.parse(json.stdout)).toEqual({
      error: {
        kind: 'input',
        message: `${base} is a /proc/lockdep dump and ${head} a /proc/lockdep_chains dump: compare two dumps of the same kind`,
      },
    });
  });

  it('graph reads a gzipped /proc/lockdep_chains dump and writes DOT', () => {
    const r = runCli([
      'lockdep',
      'graph',
      'fixtures/proc/virtio-gpu-proc-lockdep_chains.txt.gz',
      '--format',
      'dot',
    ]);
    expect(r.status).toBe(0);
    expect(r.stdout.startsWith('digraph lockdep {\n')).toBe(true);
    expect(r.stdout).toContain('  "cpu_hotplug_lock" -> "static_call_mutex"');
  });

  it('graph text says "1 dependency", "1 lock class" in the singular only', () => {
    const one =
      'all lock classes:\nffffffff81aa6958 FD:    1 BD:    1 +.+.: lab_lock_a\n -> [ffffffff81aa6900] lab_lock_b\n\n';
    const r = runCli(['lockdep', 'graph', '-'], { input: one });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe('-: /proc/lockdep — 2 lock classes, 1 dependency\n  lab_lock_a -> lab_lock_b\n');
  });

  it('graph --json gives nodes and edges with instance suffixes folded', () => {
    const r = runCli(['lockdep', 'graph', 'fixtures/proc/shrinker-proc-lockdep.txt', '--json']);
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ schemaVersion: 1, source: 'lockdep' });
    expect([doc.nodes.length, doc.edges.length]).toEqual([384, 832]);
    expect(doc.edges).toContainEqual({ from: 'shrinker_rwsem', to: 'lab_shrinker_lock', count: 1 });
  });
});
