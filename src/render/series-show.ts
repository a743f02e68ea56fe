import type { LockOp, PatchSeries } from '../model/series.js';
import { counted } from '../util/plural.js';
import { sanitizeField } from './sanitize.js';
import { unreadPatchLines } from './series-unread.js';
import { wrap } from './wrap.js';

/**
 * `series show`: the JSON document (`{"schemaVersion":1,"series":{...}}`)
 * and an 80-column table: n/N, subject, files, lock-op summary.
 */
export interface SeriesShowJson {
  schemaVersion: 1;
  series: {
    version: number;
    total: number;
    cover: {
      subject: string;
      author: PatchSeries['patches'][number]['author'];
      changelog: NonNullable<PatchSeries['cover']>['changelog'];
    } | null;
    patches: {
      index: number;
      total: number;
      version: number;
      subject: string;
      author: PatchSeries['patches'][number]['author'];
      trailers: PatchSeries['patches'][number]['trailers'];
      files: string[];
      lockOps: LockOp[];
    }[];
  };
  /** What could not be read (added 2026-11-27): `path` is the file `line` counts in. */
  diagnostics: { code: string; message: string; line: number | null; path: string }[];
}

/** `label`: the input as the user named it (the path of a diagnostic that has none of its own). */
export function seriesShowJson(series: PatchSeries, label = series.source): SeriesShowJson {
  return {
    schemaVersion: 1,
    series: {
      version: series.version,
      total: series.total,
      cover: series.cover
        ? { subject: series.cover.subject, author: series.cover.author, changelog: series.cover.changelog }
        : null,
      patches: series.patches.map((p) => ({
        index: p.index,
        total: p.total,
        version: p.version,
        subject: p.subject,
        author: p.author,
        trailers: p.trailers,
        files: p.files.map((f) => f.newPath ?? f.oldPath ?? '?'),
        lockOps: p.lockOps.map(modelFields),
      })),
    },
    diagnostics: series.diagnostics.map((d) => ({
      code: d.code,
      message: d.message,
      line: d.line,
      path: d.path ?? label,
    })),
  };
}

/** Only the model's LockOp fields go to JSON (analyzer-internal facts stay out). */
function modelFields(op: LockOp): LockOp {
  const { kind, primitive, family, lock, gfp, role, function: fn, file, line, change, confidence } = op;
  return { kind, primitive, family, lock, gfp, role, function: fn, file, line, change, confidence };
}

const WIDTH = 80;

export function renderSeriesShow(series: PatchSeries): string {
  const out: string[] = [];
  const cover = series.cover;
  out.push(
    clip(
      `v${series.version}, ${counted(series.total, 'patch', 'patches')}${cover ? `: ${sanitizeField(cover.subject)}` : ''}`,
      WIDTH,
    ),
  );
  if (cover) {
    const sections = cover.changelog.map(
      (s) => `${s.version === null ? 'changes' : `v${s.version}`} (${s.items.length})`,
    );
    out.push(
      clip(
        `cover letter: ${sections.length > 0 ? `changelog ${sections.join(', ')}` : 'no changelog'}`,
        WIDTH,
      ),
    );
  } else out.push('no cover letter');
  out.push(...unreadPatchLines(series));
  if (series.patches.length === 0) return out.join('\n');
  out.push('');
  const n = String(series.total).length;
  const numWidth = 2 * n + 1;
  const subjectWidth = 30;
  // A prefix every subject has (`shmem-shrinker-lab: `) is said once, so the column tells them apart.
  const subjects = series.patches.map((p) => sanitizeField(p.subject));
  const prefix = sharedPrefix(subjects);
  if (prefix !== '') out.push(clip(`every subject starts with "${prefix}"`, WIDTH));
  out.push(
    `${'n/N'.padEnd(numWidth)}  ${'subject'.padEnd(subjectWidth)}  files  locking (+ added, - removed)`,
  );
  const indent = numWidth + subjectWidth + 11;
  for (const [i, p] of series.patches.entries()) {
    const num = `${String(p.index).padStart(n)}/${p.total}`.padEnd(numWidth);
    const subject = (subjects[i] as string).slice(prefix.length);
    const lead = `${num}  ${clip(subject, subjectWidth).padEnd(subjectWidth)}  ${String(p.files.length).padStart(5)}  `;
    const ops = sanitizeField(lockSummary(p.lockOps))
      .split(' ')
      .map((op) => clip(op, WIDTH - indent));
    out.push(...wrap(ops, ' '.repeat(indent), WIDTH, ' ', lead));
  }
  return out.join('\n');
}

/** `+dma_resv_lock -mutex_lock +kmalloc(GFP_KERNEL) +.scan_objects` for added (+) and removed (-) ops. */
export function lockSummary(ops: LockOp[]): string {
  const seen = new Map<string, number>();
  for (const op of ops) {
    if (op.change === 'context' || op.kind === 'unlock' || op.kind === 'rcu-read-unlock') continue;
    const sign = op.change === 'added' ? '+' : '-';
    const what =
      op.kind === 'alloc' && op.gfp ? `${op.primitive}(${op.gfp.replace(/\s+/g, '')})` : op.primitive;
    const key = `${sign}${what}`;
    seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  if (seen.size === 0) return '-';
  return [...seen].map(([k, count]) => (count > 1 ? `${k}×${count}` : k)).join(' ');
}

/** The `subsystem: ` prefix (up to its first `: `) all of two or more subjects share, or ''. */
function sharedPrefix(subjects: readonly string[]): string {
  const first = subjects[0];
  if (subjects.length < 2 || first === undefined) return '';
  const colon = first.indexOf(': ');
  if (colon <= 0) return '';
  const prefix = first.slice(0, colon + 2);
  return subjects.every((s) => s.startsWith(prefix) && s.length > prefix.length) ? prefix : '';
}

function clip(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, width - 1)}…`;
}
