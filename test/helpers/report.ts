import { type Frame, makeFrame } from '../../src/model/frame.js';
import type { Lock } from '../../src/model/lock.js';
import type { Report } from '../../src/model/report.js';

/** A frame with only a function (and optional offset/size/module), as tests need them. */
export function frame(
  fn: string,
  offset: number | null = null,
  size: number | null = null,
  module: string | null = null,
): Frame {
  return makeFrame({ function: fn, offset, size, module });
}

export function lock(name: string, site: Frame | null = null): Lock {
  const m = /^(.*?)(?:#(\d+))?(?:\/(\d+))?$/.exec(name)!;
  return {
    name,
    class: m[1]!,
    instance: m[2] === undefined ? null : Number(m[2]),
    subclass: m[3] === undefined ? null : Number(m[3]),
    usage: null,
    address: null,
    site,
  };
}

/** A Report with every contract field present; override what the test is about. */
export function report(over: Partial<Report>): Report {
  return {
    kind: 'circular-dependency',
    headline: 'WARNING: possible circular locking dependency detected',
    title: 'possible deadlock in f',
    altTitles: [],
    corrupted: false,
    corruptedReason: null,
    signature: 'circular-dependency:a|b',
    startLine: 1,
    endLine: 2,
    task: null,
    kernelRelease: null,
    taint: null,
    hardware: null,
    acquiring: null,
    held: [],
    chain: [],
    heldLocks: [],
    stack: [],
    guiltyFrame: null,
    scenario: [],
    irqStates: [],
    inconsistentUsage: null,
    ...over,
  };
}
