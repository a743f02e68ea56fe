import type { LockdepDiff } from '../analyzers/lockdep/dependency-diff.js';
import { wrap } from './wrap.js';

/** The text report of `lockdep diff`: new dependencies first (they are what a reviewer must explain). */
export function lockdepDiffText(diff: LockdepDiff, base: string, head: string): string {
  const out = [`lockdep dependencies: ${base} → ${head}`];
  out.push(`  ${diff.added.length} added, ${diff.removed.length} removed, ${diff.common} in both`);
  if (diff.added.length > 0) {
    out.push('', 'Added (new lock order in HEAD):');
    for (const d of diff.added) out.push(`  + ${d.from} -> ${d.to}`);
  }
  if (diff.removed.length > 0) {
    out.push('', 'Removed:');
    for (const d of diff.removed) out.push(`  - ${d.from} -> ${d.to}`);
  }
  // class names wrapped at 80 columns, one name never split
  if (diff.addedClasses.length > 0) out.push('', 'Classes only in HEAD:', ...wrap(diff.addedClasses, '  '));
  if (diff.removedClasses.length > 0)
    out.push('', 'Classes only in BASE:', ...wrap(diff.removedClasses, '  '));
  return out.join('\n');
}
