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
