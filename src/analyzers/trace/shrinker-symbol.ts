/**
 * The shrinker as `mm_shrink_slab_*` prints it (`%pS` of its scan function):
 * function, offset/size and module, or a bare address when unresolved.
 */
export interface ShrinkerSymbol {
  /** Function without offset or module: `lab_scan`, or the address when unresolved. */
  name: string;
  /** Module in brackets, or null for built-in code. */
  module: string | null;
}

// lab_scan+0x0/0x47 [lab_lockdep]
// super_cache_scan+0x0/0x1f0
const SYMBOL = /^([^\s+]+)(?:\+0x[0-9a-f]+\/0x[0-9a-f]+)?(?:\s+\[([^\]\s]+)\])?/;

export function parseShrinkerSymbol(shrink: unknown): ShrinkerSymbol {
  const text = typeof shrink === 'string' ? shrink.trim() : shrink == null ? '' : String(shrink);
  const m = SYMBOL.exec(text);
  if (!m) return { name: text || '(unknown)', module: null };
  return { name: m[1]!, module: m[2] ?? null };
}
