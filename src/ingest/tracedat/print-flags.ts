/**
 * The `__print_flags(REC->f, "|", {mask, "NAME"}, …)` and
 * `__print_symbolic(REC->f, {value, "NAME"}, …)` tables of an event's
 * `print fmt`, so a trace.dat field renders as the kernel's text output does
 * (`flags=SPIN|MUTEX`, `gfp_flags GFP_KERNEL`). Only tables applied directly to
 * one field and whose masks are constant C expressions (literals, casts,
 * parentheses, `~ << >> & |`) are taken; anything else leaves the field a number.
 */
export interface FlagTable {
  kind: 'flags' | 'symbolic';
  separator: string;
  entries: { value: bigint; name: string }[];
  /** What a zero prints as, from `(REC->f) ? __print_flags(REC->f, …) : "none"`; '' otherwise. */
  zero: string;
}

/** Field name → its table, from a `print fmt:` line. */
export function flagTables(printFmt: string): Map<string, FlagTable> {
  const tables = new Map<string, FlagTable>();
  for (const kind of ['flags', 'symbolic'] as const) {
    const marker = `__print_${kind}(`;
    for (let at = printFmt.indexOf(marker); at >= 0; at = printFmt.indexOf(marker, at + 1)) {
      const call = splitArgs(printFmt, at + marker.length);
      if (!call || call.args.length < 2) continue;
      const { args } = call;
      const field = /^REC->([A-Za-z_][A-Za-z0-9_]*)$/.exec(args[0]!.trim());
      if (!field) continue;
      let separator = '';
      let rest = args.slice(1);
      if (kind === 'flags') {
        const sep = stringLiteral(args[1]!.trim());
        if (sep === null) continue;
        separator = sep;
        rest = args.slice(2);
      }
      const entries: FlagTable['entries'] = [];
      for (const group of rest) {
        const g = group.trim();
        if (!g.startsWith('{') || !g.endsWith('}')) break;
        const parts = splitArgs(`${g.slice(1, -1)})`, 0)?.args;
        if (parts?.length !== 2) break;
        const value = evaluate(parts[0]!);
        const name = stringLiteral(parts[1]!.trim());
        if (value === null || name === null) break;
        entries.push({ value, name });
      }
      if (entries.length !== rest.length || entries.length === 0) continue;
      // `(REC->gfp_flags) ? __print_flags(REC->gfp_flags, "|", …) : "none"`
      const guard = `(REC->${field[1]}) ?`;
      const guarded = printFmt.slice(0, at).trimEnd().endsWith(guard);
      const otherwise = /^\s*:\s*"([^"]*)"/.exec(printFmt.slice(call.end + 1, call.end + 80));
      const zero = guarded && otherwise ? otherwise[1]! : '';
      tables.set(field[1]!, { kind, separator, entries, zero });
    }
  }
  return tables;
}

/** Renders `value` with the table as the kernel's trace_print_flags_seq / _symbols_seq do. */
export function renderFlags(table: FlagTable, value: bigint): string {
  if (table.kind === 'symbolic') {
    for (const e of table.entries) if (e.value === value) return e.name;
    return `0x${value.toString(16)}`;
  }
  if (value === 0n) return table.zero;
  const names: string[] = [];
  let rest = value;
  for (const e of table.entries) {
    if (e.value === 0n || (rest & e.value) !== e.value) continue;
    names.push(e.name);
    rest &= ~e.value;
  }
  if (rest !== 0n) names.push(`0x${rest.toString(16)}`);
  return names.join(table.separator);
}

/** Top-level comma-separated arguments from `start` up to the matching `)` (at `end`); null when unbalanced. */
function splitArgs(text: string, start: number): { args: string[]; end: number } | null {
  const args: string[] = [];
  let depth = 0;
  let from = start;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      i++;
      while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    } else if (c === '(' || c === '{' || c === '[') depth++;
    else if (c === ')' || c === '}' || c === ']') {
      if (depth === 0) {
        args.push(text.slice(from, i));
        return { args, end: i };
      }
      depth--;
    } else if (c === ',' && depth === 0) {
      args.push(text.slice(from, i));
      from = i + 1;
    }
  }
  return null;
}

function stringLiteral(s: string): string | null {
  if (s.length < 2 || !s.startsWith('"') || !s.endsWith('"') || s.slice(1, -1).includes('"')) return null;
  return s.slice(1, -1);
}

/** One token of a C constant expression: `0x400u`, `1U`, `gfp_t`, `<<`, `(` (suffixes only on numbers). */
export const PRINT_FMT_TOKEN =
  /\s*(?:(0[xX][0-9a-fA-F]+|\d+)[uUlL]*|([A-Za-z_][A-Za-z0-9_]*|<<|>>|[()~&|]))/y;

/** Value of a constant C expression (literals, casts, `~ << >> & |`), or null. */
export function evaluate(expr: string): bigint | null {
  const tokens: string[] = [];
  PRINT_FMT_TOKEN.lastIndex = 0;
  let at = 0;
  while (at < expr.length) {
    if (/^\s*$/.test(expr.slice(at))) break;
    PRINT_FMT_TOKEN.lastIndex = at;
    const m = PRINT_FMT_TOKEN.exec(expr);
    if (!m) return null;
    tokens.push((m[1] ?? m[2])!);
    at = PRINT_FMT_TOKEN.lastIndex;
  }
  let i = 0;
  const peek = () => tokens[i];
  const isCast = () => {
    // `( unsigned long)`, `( gfp_t)`: a parenthesized list of identifiers only
    if (tokens[i] !== '(') return false;
    let j = i + 1;
    while (j < tokens.length && /^[A-Za-z_]/.test(tokens[j]!)) j++;
    return j > i + 1 && tokens[j] === ')';
  };
  const primary = (): bigint | null => {
    const t = peek();
    if (t === undefined) return null;
    if (t === '(') {
      if (isCast()) {
        while (tokens[i] !== ')') i++;
        i++;
        return unary();
      }
      i++;
      const v = or();
      if (tokens[i++] !== ')') return null;
      return v;
    }
    if (/^(0[xX][0-9a-fA-F]+|\d+)$/.test(t)) {
      i++;
      return BigInt(t);
    }
    return null;
  };
  const unary = (): bigint | null => {
    if (peek() === '~') {
      i++;
      const v = unary();
      return v === null ? null : BigInt.asUintN(64, ~v);
    }
    return primary();
  };
  const shift = (): bigint | null => {
    let v = unary();
    while (v !== null && (peek() === '<<' || peek() === '>>')) {
      const op = tokens[i++];
      const r = unary();
      if (r === null || r > 63n) return null;
      v = op === '<<' ? BigInt.asUintN(64, v << r) : v >> r;
    }
    return v;
  };
  const and = (): bigint | null => {
    let v = shift();
    while (v !== null && peek() === '&') {
      i++;
      const r = shift();
      v = r === null ? null : v & r;
    }
    return v;
  };
  const or = (): bigint | null => {
    let v = and();
    while (v !== null && peek() === '|') {
      i++;
      const r = and();
      v = r === null ? null : v | r;
    }
    return v;
  };
  const v = or();
  return v !== null && i === tokens.length ? v : null;
}
