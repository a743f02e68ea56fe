import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { fixture, ROOT } from '../helpers/shared.js';

const SPLAT = fixture('console', 'lab-6.1', 'shrinker', 'dmesg.txt');
const OTHER = fixture('console', 'lab-6.1', 'abba', 'dmesg.txt');
const CLEAN = fixture('bisect', 'clean-boot', 'dmesg.txt');
const TITLE = 'possible deadlock in lab_scan';

/** The process exists and is not a zombie (a killed orphan stays one where init does not reap). */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return !/^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2));
}

describe('bisect verdict', () => {
  let tmp: string;
  let signature: string;
  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), 'lockscope-bisect-'));
    const triage = JSON.parse(runCli(['triage', '--json', SPLAT]).stdout);
    signature = triage.files[0].reports.find(
      (r: { kind: string }) => r.kind === 'circular-dependency',
    ).signature;
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  const verdict = (args: string[]) => runCli(['bisect', 'verdict', ...args]);

  it('exits 1 (bad) when the splat is in the log, by signature or title', () => {
    const bySignature = verdict(['--signature', signature, '--', 'cat', SPLAT]);
    expect(bySignature.status).toBe(1);
    expect(bySignature.stdout.split('\n')).toEqual([
      `looking for signature ${signature}`,
      `run 1/1: hit    ${TITLE}`,
      'verdict: bad (exit 1): 1 hit, 0 clean, 0 broken of 1; bad needs ≥1 hit, good needs 0 hits and ≥1 clean',
      'confidence 1',
      '',
    ]);
    expect(verdict(['--title', TITLE, '--', 'cat', SPLAT]).status).toBe(1);
  });

  it('exits 0 (good) for a clean log, with the false-negative confidence', () => {
    const r = verdict(['--title', TITLE, '--runs', '2', '--', 'cat', CLEAN]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('verdict: good (exit 0): 0 hit, 2 clean, 0 broken of 2');
    expect(r.stdout).toContain(
      'confidence 0.75: chance of a false negative 0.25 if the splat reproduces with p=0.5',
    );
  });

  it('exits 125 (skip) for a run without output and for a run where another splat came first', () => {
    expect(verdict(['--title', TITLE, '--', 'false']).status).toBe(125);
    const other = verdict(['--title', TITLE, '--', 'cat', OTHER]);
    expect(other.status).toBe(125);
    expect(other.stdout).toMatch(/run 1\/1: broken another crash came first: possible deadlock in /);
  });

  it('exits 125 (skip), never good, when the build or boot failed: CMD exits non-zero or prints no kernel output', () => {
    const build = verdict([
      '--title',
      TITLE,
      '--',
      'sh',
      '-c',
      'echo "make: *** [Makefile:1234: vmlinux] Error 2"; exit 2',
    ]);
    expect(build.status).toBe(125);
    expect(build.stdout).toContain('run 1/1: broken no kernel console output');
    const failed = verdict(['--title', TITLE, '--', 'sh', '-c', `cat ${CLEAN}; exit 3`]);
    expect(failed.status).toBe(125);
    expect(failed.stdout).toContain('run 1/1: broken sh exited 3');
    // A splat is a hit whatever the exit status of the test that saw it.
    expect(verdict(['--title', TITLE, '--', 'sh', '-c', `cat ${SPLAT}; exit 1`]).status).toBe(1);
  });

  it('needs max(1, ⌈N/6⌉) hits: one hit in 6 runs is bad, in 12 it is a skip', () => {
    // first run prints the splat, later ones the clean boot (a counter file tells them apart)
    const counter = join(tmp, 'count');
    const script = `if [ -e ${counter} ]; then cat ${CLEAN}; else : > ${counter}; cat ${SPLAT}; fi`;
    rmSync(counter, { force: true });
    expect(verdict(['--title', TITLE, '--runs', '6', '--', 'sh', '-c', script]).status).toBe(1);
    rmSync(counter, { force: true });
    const twelve = verdict(['--title', TITLE, '--runs', '12', '--json', '--', 'sh', '-c', script]);
    expect(twelve.status).toBe(125);
    const doc = JSON.parse(twelve.stdout);
    expect(doc).toMatchObject({
      schemaVersion: 1,
      verdict: 'skip',
      exitCode: 125,
      runs: 12,
      hits: 1,
      clean: 11,
      needHits: 2,
    });
    expect(doc.outcomes[0]).toEqual({ class: 'hit', reason: TITLE });
  });

  it('reads the log from --log, and a log the run did not write is no log', () => {
    const log = join(tmp, 'console.log');
    expect(verdict(['--title', TITLE, '--log', log, '--', 'cp', SPLAT, log]).status).toBe(1);
    const stale = verdict(['--title', TITLE, '--log', log, '--', 'true']);
    expect(stale.status).toBe(125);
    expect(stale.stdout).toContain('run 1/1: broken no console output');
  });

  it('kills a run after --timeout and counts it broken', () => {
    const r = verdict(['--title', TITLE, '--timeout', '1', '--', 'sleep', '30']);
    expect(r.status).toBe(125);
    expect(r.stdout).toContain('run 1/1: broken timed out after 1 s');
  });

  it('kills everything the run started at --timeout, not only CMD', () => {
    // the shell waits on a sleep it started: both belong to the run
    const pidFile = join(tmp, 'sleep.pid');
    const script = `sleep 30 & echo $! > ${pidFile}; wait`;
    const r = verdict(['--title', TITLE, '--timeout', '1', '--', 'sh', '-c', script]);
    expect(r.status).toBe(125);
    expect(r.stdout).toContain('run 1/1: broken timed out after 1 s');
    const pid = Number(readFileSync(pidFile, 'utf8'));
    expect(pid).toBeGreaterThan(0);
    expect(running(pid)).toBe(false);
  });

  it('exits 128 when CMD cannot be started: it would fail at every commit', () => {
    const r = verdict(['--title', TITLE, '--', join(tmp, 'no-such-script.sh')]);
    expect(r.status).toBe(128);
    expect(r.stderr).toContain('cannot run');
    expect(r.stderr).toContain('ENOENT');
    // errors spawn() throws at once, not as an event
    expect(verdict(['--title', TITLE, '--', '/etc/passwd/x']).status).toBe(128);
    expect(verdict(['--title', TITLE, '--', '']).status).toBe(128);
  });

  it('kills what CMD left running when it exits: nothing of a run lives on into the next', () => {
    const pidFile = join(tmp, 'left.pid');
    const script = `sleep 30 & echo $! > ${pidFile}; exit 0`;
    const r = verdict(['--title', TITLE, '--log', join(tmp, 'none.log'), '--', 'sh', '-c', script]);
    expect(r.status).toBe(125);
    expect(running(Number(readFileSync(pidFile, 'utf8')))).toBe(false);
  });

  it('a second SIGTERM ends lockscope at once, killing a run that ignores the first', async () => {
    const ready = join(tmp, 'ready');
    const script = `trap '' INT TERM HUP; touch ${ready}; sleep 30`;
    const cli = spawn(process.execPath, [
      join(ROOT, 'bin', 'run.js'),
      'bisect',
      'verdict',
      '--title',
      TITLE,
      '--',
      'sh',
      '-c',
      script,
    ]);
    while (!existsSync(ready)) await new Promise((r) => setTimeout(r, 50));
    cli.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 200));
    cli.kill('SIGTERM');
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((r) =>
      cli.on('exit', (c, s) => r([c, s])),
    );
    expect([code, signal]).toEqual([null, 'SIGTERM']);
  }, 20_000);

  it('exits 128 on a usage error, so that git bisect run stops instead of marking the commit bad', () => {
    const r = verdict(['--title', TITLE]);
    expect(r.status).toBe(128);
    expect(r.stderr).toContain('give the command to run after --');
    expect(verdict(['--no-such-flag', '--', 'true']).status).toBe(128);
  });
});

const V5 = fixture('runs', 'v5', 'dmesg.txt');
const V6 = fixture('runs', 'v6', 'dmesg.txt');
describe.skipIf(!existsSync(V5) || !existsSync(V6))('bisect verdict on the lab v5 and v6 runs', () => {
  it('calls v5 bad and v6 good for the v5 splat signature', () => {
    const sig = 'circular-dependency:fs_reclaim|reservation_ww_class_mutex';
    const triage = JSON.parse(runCli(['triage', '--json', V5]).stdout);
    expect(triage.files[0].reports.map((r: { signature: string }) => r.signature)).toContain(sig);
    expect(runCli(['bisect', 'verdict', '--signature', sig, '--', 'cat', V5]).status).toBe(1);
    expect(runCli(['bisect', 'verdict', '--signature', sig, '--', 'cat', V6]).status).toBe(0);
  });
});
