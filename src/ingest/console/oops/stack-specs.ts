import { CALL_TRACE, RIP_FRAME, rx } from '../../../analyzers/title/macros.js';
import { PARSE_STACK, type StackPart, type StackSpec } from '../../../analyzers/title/types.js';

/** `RIP: 0010:foo+0x1/0x2` then the trace (x86 traps), or powerpc `--- interrupt: 700 at foo+0x..`. */
// `--- interrupt: 700 at __warn_printk+0x1c/0xb0`
const WARN_START: StackPart = [RIP_FRAME, rx('--- interrupt: [0-9]+ at {{FUNC}}')];

/** WARN-style reports: the trace after the trapping RIP, else after `Call Trace:`. */
export function warningStack(...skip: string[]): StackSpec {
  return { parts: [WARN_START, PARSE_STACK], parts2: [CALL_TRACE, PARSE_STACK], skip };
}

/** The trace after `Call Trace:`. */
export function callTrace(skip: string[] = [], extractor?: StackSpec['extractor']): StackSpec {
  return extractor
    ? { parts: [CALL_TRACE, PARSE_STACK], skip, extractor }
    : { parts: [CALL_TRACE, PARSE_STACK], skip };
}

/** The faulting RIP, then the trace (faults, oopses). */
export function ripThenTrace(skip: string[] = [], extractor?: StackSpec['extractor']): StackSpec {
  const parts = [RIP_FRAME, CALL_TRACE, PARSE_STACK];
  return extractor ? { parts, skip, extractor } : { parts, skip };
}

/** Only the faulting RIP. */
export const RIP_ONLY: StackSpec = { parts: [RIP_FRAME] };
