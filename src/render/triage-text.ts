import { lockCycle } from '../analyzers/triage/cycle.js';
import type { SignatureDiff } from '../analyzers/triage/diff.js';
import type { SignatureGroup } from '../analyzers/triage/group.js';
import type { Lock } from '../model/lock.js';
import type { Report } from '../model/report.js';
import { counted } from '../util/plural.js';
import { formatFrame, frameParts } from './frame.js';
import { wrap } from './wrap.js';

/**
 * Plain text a maintainer can paste into a mail: one block per report,
 * labels in a fixed column, 80 columns: long values wrap between their
 * parts (lock names and frames are never cut: they are searched for). The
 * `path:line: title` heading stays one line, the form editors jump to.
 */
export function reportText(report: Report, path: string): string {
  const out: string[] = [
    `${path}:${report.startLine}: ${report.title}${report.corrupted ? ' (corrupted)' : ''}`,
  ];
  /** A labelled row of parts joined by `sep`, wrapped under the value column. */
  const row = (label: string, parts: readonly string[], sep = ' ') =>
    out.push(...wrap(parts, VALUE, WIDTH, sep, `  ${`${label}:`.padEnd(VALUE.length - 2)}`));
  row('kind', [report.kind]);
  const banner = report.headline.trim();
  if (banner !== '') row('banner', banner.split(/\s+/));
  if (report.task !== null || report.kernelRelease !== null) {
    const task = report.task === null ? '' : `${report.task.comm}/${report.task.pid}`;
    row('task', [task, report.kernelRelease === null ? '' : `on ${report.kernelRelease}`].filter(Boolean));
  }
  row('signature', [report.signature]);
  const cycle = lockCycle(report);
  if (cycle.length > 0) {
    row('cycle', [...cycle.map((e) => e.from), cycle[cycle.length - 1]!.to], ' --> ');
    const width = Math.max(...cycle.map((e) => `${e.from} --> ${e.to}`.length));
    for (const e of cycle) {
      const site = `at ${formatFrame(e.site)}`;
      const padded = `    ${`${e.from} --> ${e.to}`.padEnd(width)}  ${site}`;
      const plain = `    ${e.from} --> ${e.to}  ${site}`;
      if (padded.length <= WIDTH) out.push(padded);
      else if (plain.length <= WIDTH) out.push(plain);
      else out.push(`    ${e.from} --> ${e.to}`, `${EDGE_SITE}${site}`);
    }
  }
  const chain = chainExists(report, cycle.length);
  if (chain.length > 0) row('chain', chain, ' --> ');
  if (report.inconsistentUsage !== null) {
    const { from, to } = report.inconsistentUsage;
    row('usage', [`{${from}}`, '->', `{${to}}`]);
  }
  if (report.acquiring !== null) row(acquiringLabel(report.kind), lockParts(report.acquiring));
  for (const lock of report.held) row('held', lockParts(lock));
  const { shown, others } = heldLocksShown(report);
  for (const block of shown) {
    const head = heldHead(block);
    const names = block.locks.map((l) => l.name);
    if (!block.printed) row('locks held', [head, '(not printed: running)']);
    else row('locks held', names.length === 0 ? [head] : [`${head}: ${names[0]}`, ...names.slice(1)], ', ');
  }
  if (others > 0) {
    row(
      'locks held',
      `also by ${counted(others, 'other task')} (the system-wide listing: see --json)`.split(' '),
    );
  }
  if (report.guiltyFrame !== null) row('guilty', frameParts(report.guiltyFrame));
  if (report.corruptedReason !== null) row('corrupted', report.corruptedReason.split(/\s+/));
  for (const alt of report.altTitles) row('also', alt.split(/\s+/));
  return out.join('\n');
}

/**
 * The held-lock blocks to print: all of them, but when the report holds khungtaskd's listing of every
 * task's locks ("Showing all locks held in the system"), its own task's block and a count of the rest.
 */
export function heldLocksShown(report: Report): { shown: Report['heldLocks']; others: number } {
  const task = report.task;
  if (task === null || report.heldLocks.length < 2) return { shown: report.heldLocks, others: 0 };
  const own = report.heldLocks.filter((b) => b.task?.pid === task.pid && b.task.comm === task.comm);
  if (own.length === 0) return { shown: report.heldLocks, others: 0 };
  return { shown: own, others: report.heldLocks.length - own.length };
}

/**
 * The locks of a dependency chain a report prints but that is no cycle it closes (`Chain exists
 * of: console_owner --> target_list_lock --> _xmit_ETHER#2` of an irq safe -> unsafe order), in
 * printed order; none when the report's cycle (`cycleEdges`) shows them.
 */
export function chainExists(report: Report, cycleEdges: number): string[] {
  return cycleEdges === 0 && report.chain.length > 1 ? report.chain.map((c) => c.lock.name) : [];
}

/** `2 by kswapd0/27`, `none by kworker/2:4/188`: a held-lock block's count and task. */
export function heldHead(block: Report['heldLocks'][number]): string {
  const who = block.task === null ? '?' : `${block.task.comm}/${block.task.pid}`;
  return `${block.count === 0 ? 'none' : block.count} by ${who}`;
}

const WIDTH = 80;
/** Where values start: two spaces, then a label column of 12. */
const VALUE = ' '.repeat(14);
/** A cycle edge's site when the edge and its site do not fit one line. */
const EDGE_SITE = ' '.repeat(8);
/** Where a group's signature and occurrences start. */
const GROUP = ' '.repeat(8);

/** What the report's `acquiring` lock is doing: released (bad unlock balance), freed while held, else acquired. */
export function acquiringLabel(kind: Report['kind']): string {
  return kind === 'bad-unlock-balance' ? 'releasing' : kind === 'held-lock-freed' ? 'freed' : 'acquiring';
}

/** A lock and its site as two parts, so a long line breaks between them. */
function lockParts(lock: Lock): string[] {
  if (lock.site === null) return [lock.name];
  const site = `at ${formatFrame(lock.site)}`;
  if (VALUE.length + site.length <= WIDTH) return [lock.name, site];
  const [fn, ...rest] = frameParts(lock.site);
  return [lock.name, `at ${fn}`, ...rest];
}

export function groupsText(groups: SignatureGroup[]): string {
  if (groups.length === 0) return 'no lock reports';
  return groups
    .map((g) => {
      const where = g.occurrences.map((o) => `${o.path}:${o.startLine}`);
      const shown = where.length > 3 ? [...where.slice(0, 3), `... ${where.length - 3} more`] : where;
      // (the signature is not wrapped: it is copied into --known files whole)
      return [
        `${String(g.count).padStart(5)}x  ${g.title}`,
        `${GROUP}${g.signature}`,
        ...wrap(shown, GROUP),
      ].join('\n');
    })
    .join('\n');
}

export function signatureDiffText(diff: SignatureDiff): string {
  const line = (sign: string, g: SignatureGroup) => {
    const first = g.occurrences[0];
    // (where it was first seen moves to a line of its own rather than split)
    const words = [...g.title.split(' '), `(${g.count}x, first ${first?.path}:${first?.startLine})`];
    return [`  ${sign} ${g.signature}`, ...wrap(words, '      ', WIDTH, ' ')].join('\n');
  };
  const out = [`new in HEAD (${diff.new.length}):`, ...diff.new.map((g) => line('+', g))];
  out.push(`gone from HEAD (${diff.gone.length}):`, ...diff.gone.map((g) => line('-', g)));
  out.push(`in both (${diff.both.length}):`, ...diff.both.map((p) => line('=', p.head)));
  if (diff.knownNew.length > 0)
    out.push(`known, new in HEAD (${diff.knownNew.length}):`, ...diff.knownNew.map((g) => line('~', g)));
  return out.join('\n');
}
