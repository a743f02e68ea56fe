import { lockCycle } from '../analyzers/triage/cycle.js';
import type { SignatureDiff } from '../analyzers/triage/diff.js';
import type { SignatureGroup } from '../analyzers/triage/group.js';
import type { Report } from '../model/report.js';
import { formatFrame, formatLock } from './frame.js';

/**
 * Plain text a maintainer can paste into a mail: one block per report,
 * labels in a fixed column, long values left as they are (lock names and
 * frames are never wrapped: they are searched for).
 */
export function reportText(report: Report, path: string): string {
  const out: string[] = [
    `${path}:${report.startLine}: ${report.title}${report.corrupted ? ' (corrupted)' : ''}`,
  ];
  const row = (label: string, value: string) => out.push(`  ${`${label}:`.padEnd(12)}${value}`);
  row('kind', `${report.kind}  [${report.headline.trim()}]`);
  if (report.task !== null || report.kernelRelease !== null) {
    const task = report.task === null ? '' : `${report.task.comm}/${report.task.pid}`;
    row(
      'task',
      [task, report.kernelRelease === null ? '' : `on ${report.kernelRelease}`].filter(Boolean).join(' '),
    );
  }
  row('signature', report.signature);
  const cycle = lockCycle(report);
  if (cycle.length > 0) {
    row('cycle', [...cycle.map((e) => e.from), cycle[cycle.length - 1]!.to].join(' --> '));
    const width = Math.max(...cycle.map((e) => `${e.from} --> ${e.to}`.length));
    for (const e of cycle)
      out.push(`    ${`${e.from} --> ${e.to}`.padEnd(width)}  at ${formatFrame(e.site)}`);
  }
  if (report.acquiring !== null) row('acquiring', formatLock(report.acquiring));
  for (const lock of report.held) row('held', formatLock(lock));
  for (const block of report.heldLocks) {
    const who = block.task === null ? '?' : `${block.task.comm}/${block.task.pid}`;
    const names = block.locks.map((l) => l.name).join(', ');
    const what = block.printed ? (names === '' ? '' : `: ${names}`) : ' (not printed: running)';
    row('locks held', `${block.count} by ${who}${what}`);
  }
  if (report.guiltyFrame !== null) row('guilty', formatFrame(report.guiltyFrame));
  if (report.corruptedReason !== null) row('corrupted', report.corruptedReason);
  for (const alt of report.altTitles) row('also', alt);
  return out.join('\n');
}

export function groupsText(groups: SignatureGroup[]): string {
  if (groups.length === 0) return 'no lock reports';
  return groups
    .map((g) => {
      const where = g.occurrences.map((o) => `${o.path}:${o.startLine}`);
      const shown = where.length > 3 ? [...where.slice(0, 3), `... ${where.length - 3} more`] : where;
      return `${String(g.count).padStart(5)}x  ${g.title}\n        ${g.signature}\n        ${shown.join(', ')}`;
    })
    .join('\n');
}

export function signatureDiffText(diff: SignatureDiff): string {
  const line = (sign: string, g: SignatureGroup) =>
    `  ${sign} ${g.signature}\n      ${g.title} (${g.count}x, first ${g.occurrences[0]?.path}:${g.occurrences[0]?.startLine})`;
  const out = [`new in HEAD (${diff.new.length}):`, ...diff.new.map((g) => line('+', g))];
  out.push(`gone from HEAD (${diff.gone.length}):`, ...diff.gone.map((g) => line('-', g)));
  out.push(`in both (${diff.both.length}):`, ...diff.both.map((p) => line('=', p.head)));
  if (diff.knownNew.length > 0)
    out.push(`known, new in HEAD (${diff.knownNew.length}):`, ...diff.knownNew.map((g) => line('~', g)));
  return out.join('\n');
}
