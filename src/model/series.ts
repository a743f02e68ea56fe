/**
 * A patch series as read from git, an mbox or a directory of .patch files.
 * Ingest (src/ingest/series/) fills these; analyzers (pairing, checks, blame)
 * read them. Add fields freely; never rename (JSON contracts build on them).
 */
import type { Diagnostic } from './diagnostic.js';

export interface Trailer {
  /** As written, e.g. `Signed-off-by`, `Reviewed-by`, `Fixes`, `Link`. */
  name: string;
  value: string;
}

export interface Person {
  name: string;
  email: string;
}

/** What a line of a patch does to locking, found from its added/removed/context lines. */
export type LockOpKind =
  | 'lock'
  | 'trylock'
  | 'unlock'
  | 'assert'
  | 'might-lock'
  | 'rcu-read-lock'
  | 'rcu-read-unlock'
  | 'alloc'
  | 'shrinker';

export interface LockOp {
  kind: LockOpKind;
  /** The call as written: `mutex_lock`, `dma_resv_lock_interruptible`, `kmalloc`, `register_shrinker`, ... */
  primitive: string;
  /** Lock-type family: mutex, spinlock, rwsem, ww_mutex, dma_resv, rcu, ... (null for alloc/shrinker). */
  family: string | null;
  /** The lock expression (first argument) as written, e.g. `&shmem->pages_lock`, `obj->resv`. */
  lock: string | null;
  /** For allocations: the GFP flags expression, e.g. `GFP_KERNEL`. */
  gfp: string | null;
  /** For shrinker ops: `count_objects`, `scan_objects`, `evict`, `purge`, `register`. */
  role: string | null;
  /** The function the line sits in (from hunk header or full-file parse), or null. */
  function: string | null;
  file: string;
  /** Line in the post-image (added/context) or pre-image (removed). */
  line: number | null;
  change: 'added' | 'removed' | 'context';
  /** `file` when function boundaries came from the whole file, `hunk` when from hunk context only. */
  confidence: 'file' | 'hunk';
}

export interface PatchFile {
  oldPath: string | null;
  newPath: string | null;
  additions: number;
  deletions: number;
  /** Functions the hunks touch (from hunk headers / file parse). */
  functions: string[];
}

export interface Patch {
  /** n of n/N (0 for a cover letter). */
  index: number;
  total: number;
  version: number;
  rfc: boolean;
  resend: boolean;
  /** `PATCH`, `RFC PATCH`, `PATCH net-next`, ... */
  prefix: string;
  subject: string;
  author: Person | null;
  date: string | null;
  messageId: string | null;
  /** Commit hash when read from git. */
  commit: string | null;
  /** Commit message body without trailers. */
  body: string;
  trailers: Trailer[];
  /** Text between `---` and the diff (changelog notes, diffstat). */
  notes: string;
  files: PatchFile[];
  /** The unified diff text (parsed with parse-diff on demand). */
  diff: string;
  lockOps: LockOp[];
  /**
   * Set when the patch's diff could not be read in full (a corrupt hunk header, a hunk cut
   * short, a truncated mail): where (the patch's file and 1-based line) and what was wrong.
   * Its files and lock ops then miss what was lost.
   */
  corrupt?: { path: string; line: number | null; message: string };
}

export interface ChangelogSection {
  /** The version the section describes (`v6:`), or null for an unversioned list. */
  version: number | null;
  /** Item texts, bullets stripped, continuation lines joined. */
  items: string[];
}

export interface CoverLetter {
  version: number;
  total: number;
  subject: string;
  author: Person | null;
  body: string;
  changelog: ChangelogSection[];
}

export interface PatchSeries {
  /** Where it came from: `mbox:path`, `git:base..tip`, `dir:path`. */
  source: string;
  version: number;
  total: number;
  cover: CoverLetter | null;
  patches: Patch[];
  diagnostics: Diagnostic[];
}
