/** Small formatting helpers shared by the trace renderers (80-column text). */

/** ns → `17.2 ms` / `8.0 us` / `950 ns`; `-` for null. */
export function duration(ns: number | null): string {
  if (ns === null) return '-';
  if (ns >= 1e9) return `${(ns / 1e9).toFixed(2)} s`;
  if (ns >= 1e6) return `${(ns / 1e6).toFixed(1)} ms`;
  if (ns >= 1e3) return `${(ns / 1e3).toFixed(1)} us`;
  return `${Math.round(ns)} ns`;
}

/** ns timestamp → seconds with 6 decimals, as ftrace prints it. */
export function timestamp(ns: number): string {
  return (ns / 1e9).toFixed(6);
}

/** Left-aligned, cut with `…` to width. */
export function cell(text: string, width: number): string {
  return text.length > width ? `${text.slice(0, width - 1)}…` : text.padEnd(width);
}

export function num(n: number, width: number): string {
  return String(n).padStart(width);
}
