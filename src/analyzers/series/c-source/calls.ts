/**
 * Finds calls in a line of blanked C code (see scanner.ts) and splits their
 * arguments at top-level commas; arguments may continue on the next lines.
 */
export interface CallSite {
  name: string;
  /** Column of the name. */
  column: number;
  /** Arguments as written (trimmed); empty when the call is not closed within the lines given. */
  args: string[];
  /** The call's value is used (`ret = f(...)`, `if (!f(...))`, `return f(...)`). */
  resultUsed: boolean;
}

// 	if (!dma_resv_trylock(obj->resv))
const CALL = /\b([A-Za-z_]\w*)\s*\(/g;

/** `more` is the code of the following lines, for arguments that wrap. */
export function findCalls(code: string, more: string[] = []): CallSite[] {
  const calls: CallSite[] = [];
  const joined = more.length > 0 ? `${code}\n${more.join('\n')}` : code;
  CALL.lastIndex = 0;
  for (let m = CALL.exec(code); m !== null; m = CALL.exec(code)) {
    const open = m.index + m[0].length - 1;
    const before = code.slice(0, m.index);
    calls.push({
      name: m[1]!,
      column: m.index,
      args: splitArgs(joined, open),
      resultUsed: /(?:[=!(,]|\breturn)\s*$/.test(before) && !/^\s*$/.test(before),
    });
  }
  return calls;
}

function splitArgs(text: string, open: number): string[] {
  const args: string[] = [];
  let depth = 0;
  let start = open + 1;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') {
      depth--;
      if (depth === 0) {
        const last = text.slice(start, i).trim();
        if (last !== '' || args.length > 0) args.push(last);
        return args.map((a) => a.replace(/\s+/g, ' '));
      }
    } else if (c === ',' && depth === 1) {
      args.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  return [];
}

/**
 * A cleanup guard: `guard(mutex)(&obj->lock);` or `scoped_guard(spinlock_irqsave, &dev->lock) {`
 * (linux/cleanup.h): the guard class and the lock expression, or null.
 */
export function guardOf(code: string, call: CallSite): { type: string; lock: string | null } | null {
  if (call.name === 'scoped_guard') {
    const [type, lock] = call.args;
    return type ? { type, lock: lock ?? null } : null;
  }
  if (call.name !== 'guard' || call.args.length !== 1) return null;
  // Skip `guard(type)` to the second group `(lock)`.
  let depth = 0;
  let i = code.indexOf('(', call.column);
  for (; i < code.length; i++) {
    if (code[i] === '(') depth++;
    else if (code[i] === ')' && --depth === 0) break;
  }
  const rest = code.slice(i + 1);
  const open = rest.search(/\S/);
  if (open < 0 || rest[open] !== '(') return { type: call.args[0]!, lock: null };
  const args = findCalls(`g${rest.slice(open)}`)[0]?.args ?? [];
  return { type: call.args[0]!, lock: args[0] ?? null };
}
