import type { Diagnostic } from '../../model/diagnostic.js';
import { InputError, readInput } from '../input.js';
import { type LockdepClass, parseProcLockdep } from './lockdep.js';
import { type LockdepChain, parseProcLockdepChains } from './lockdep-chains.js';

/** A /proc/lockdep or /proc/lockdep_chains dump, whichever the text is. */
export type LockdepDump =
  | { kind: 'lockdep'; classes: LockdepClass[]; diagnostics: Diagnostic[] }
  | { kind: 'lockdep_chains'; chains: LockdepChain[]; diagnostics: Diagnostic[] }
  | { kind: 'unknown'; diagnostics: Diagnostic[] };

/**
 * Detects the dump kind by its header (`all lock classes:` / `all lock
 * chains:`), else by which parser recognizes more of the text.
 */
export function parseLockdepDump(text: string): LockdepDump {
  const head = text.slice(0, 4096);
  const classesAt = head.indexOf('all lock classes:');
  const chainsAt = head.indexOf('all lock chains:');
  if (chainsAt >= 0 && (classesAt < 0 || chainsAt < classesAt)) {
    return { kind: 'lockdep_chains', ...parseProcLockdepChains(text) };
  }
  if (classesAt >= 0) return { kind: 'lockdep', ...parseProcLockdep(text) };
  const lockdep = parseProcLockdep(text);
  const chains = parseProcLockdepChains(text);
  if (lockdep.classes.length === 0 && chains.chains.length === 0) {
    return {
      kind: 'unknown',
      diagnostics: [
        { code: 'lockdep-unknown-dump', message: 'neither /proc/lockdep nor /proc/lockdep_chains', line: 1 },
      ],
    };
  }
  return chains.chains.length > lockdep.classes.length
    ? { kind: 'lockdep_chains', ...chains }
    : { kind: 'lockdep', ...lockdep };
}

/**
 * Reads a /proc/lockdep or /proc/lockdep_chains dump (file, `-`, or gzipped);
 * InputError (exit 2) when the file is unreadable or is neither dump.
 */
export async function readLockdepDump(
  path: string,
): Promise<LockdepDump & { kind: 'lockdep' | 'lockdep_chains' }> {
  const text = (await readInput(path)).toString('utf8');
  const dump = parseLockdepDump(text);
  if (dump.kind === 'unknown') {
    throw new InputError(`${path}:1: not a /proc/lockdep or /proc/lockdep_chains dump`, path, 1);
  }
  return dump;
}
