import type { Diagnostic } from './diagnostic.js';
import type { Frame } from './frame.js';
import type { DependencyLink, HeldLocks, Lock, TaskRef } from './lock.js';

/** Report kinds: the `kind` field of the triage JSON contract (never rename). */
export const REPORT_KINDS = [
  'circular-dependency',
  'recursive-locking',
  'inconsistent-lock-state',
  'irq-lock-inversion',
  'irq-safe-unsafe-order',
  'suspicious-rcu-usage',
  'invalid-wait-context',
  'sleeping-in-atomic',
  'scheduling-while-atomic',
  'bad-unlock-balance',
  'held-lock-freed',
  'lock-held-returning-to-user',
  'locks-held-at-exit',
  'nested-lock-not-taken',
  'hung-task',
  'lockdep-capacity',
  'lockdep-internal',
  'workqueue-leaked-lock',
  'kcsan-data-race',
  'spinlock-bug',
  'preemptible-context',
  'warning',
  'kasan',
  'bug',
  'panic',
  'other',
] as const;
export type ReportKind = (typeof REPORT_KINDS)[number];

/** The general oops kinds; every other kind is about locking (what triage structures and dedups). */
const OOPS_KINDS: readonly ReportKind[] = ['warning', 'kasan', 'bug', 'panic', 'other'];

/** Kinds whose report is about locking. */
export const LOCK_REPORT_KINDS: ReadonlySet<ReportKind> = new Set(
  REPORT_KINDS.filter((k) => !OOPS_KINDS.includes(k)),
);

/** `INITIAL USE at:`, `HARDIRQ-ON-W at:` ... blocks of inconsistent-lock-state reports. */
export interface IrqStateUse {
  state: string;
  stack: Frame[];
}

/** A lock (or oops) report found in a console log. */
export interface Report {
  kind: ReportKind;
  /** The banner line as printed, e.g. `WARNING: possible circular locking dependency detected`. */
  headline: string;
  /** syzkaller-compatible title, e.g. `possible deadlock in lab_scan`. */
  title: string;
  altTitles: string[];
  corrupted: boolean;
  corruptedReason: string | null;
  /** Dedupe key `<kind>:<classes>` (see analyzers/signature). */
  signature: string;
  /** 1-based input lines of the banner and of the report's last line. */
  startLine: number;
  endLine: number;
  task: TaskRef | null;
  kernelRelease: string | null;
  taint: string | null;
  hardware: string | null;
  /** The lock being acquired (`is trying to acquire lock:`), or null. */
  acquiring: Lock | null;
  /** Locks already held (`but task is already holding lock:`). */
  held: Lock[];
  chain: DependencyLink[];
  heldLocks: HeldLocks[];
  /** The report's main call trace. */
  stack: Frame[];
  /** The frame the title names, or null. */
  guiltyFrame: Frame | null;
  /** Lines of the "Possible unsafe locking scenario" block, as printed. */
  scenario: string[];
  irqStates: IrqStateUse[];
  /**
   * The usage change an inconsistent-lock-state report is about, as printed in
   * `inconsistent {IN-HARDIRQ-W} -> {HARDIRQ-ON-W} usage.`: the state the lock was registered in
   * (its block is in irqStates) and the one the main stack put it in; null in other reports.
   */
  inconsistentUsage: { from: string; to: string } | null;
}

/** The verdict syzkaller's parser would give a whole log: its first crash. */
export interface LogVerdict {
  title: string | null;
  type: string | null;
  corrupted: boolean;
}

/** One triaged input: `{"path","title","type","corrupted","reports","diagnostics"}` less the reports (streamed). */
export interface TriagedFile extends LogVerdict {
  path: string;
  /** False for an empty input or one without kernel output (a diagnostic says which). */
  usable: boolean;
  /** Reports hidden because their signature is in --known. */
  knownHidden: number;
  diagnostics: Diagnostic[];
}

/** The console logs of one patch's runs, for offline bisection (`NN/dmesg.txt` bundles). */
export interface PatchRunLog {
  /** Patch index (0 = base). */
  index: number;
  /** Reports per run, and whether the run had any console output. */
  runs: { reports: Report[]; hadOutput: boolean; about?: RunAbout }[];
}

/**
 * What a run bundle's `run.json` says it is (the lab writes
 * `"module":{"series":"v5","patch":"06/09","subject":"..."}`): each field null when absent.
 */
export interface RunAbout {
  /** The run.json's path. */
  path: string;
  series: string | null;
  patch: string | null;
  subject: string | null;
}
