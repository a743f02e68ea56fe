import type { Patch } from '../../src/model/series.js';

/** A Patch with every contract field present; override what the test is about. */
export function makePatch(over: Partial<Patch>): Patch {
  return {
    index: 1,
    total: 4,
    version: 5,
    rfc: false,
    resend: false,
    prefix: 'PATCH',
    subject: '',
    author: null,
    date: null,
    messageId: null,
    commit: null,
    body: '',
    trailers: [],
    notes: '',
    files: [],
    diff: '',
    lockOps: [],
    ...over,
  };
}
