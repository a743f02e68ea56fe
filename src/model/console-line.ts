/**
 * One console line after normalization: prefixes (timestamps, caller ids,
 * `<4>` levels, journald headers, `> ` quoting, ANSI) removed, with the
 * mapping back to the input kept in `line`.
 */
export interface ConsoleLine {
  /** Message text without any prefix and without control characters. */
  text: string;
  /** Seconds since boot as printed (`[  12.345678]`), or null. */
  ts: number | null;
  /** CONFIG_PRINTK_CALLER id: `T123` (task) or `C4` (CPU), or null. */
  caller: string | null;
  /** printk level from `<N>`, or null. */
  level: number | null;
  /** 1-based line number in the (decompressed) input. */
  line: number;
  /** Mail quoting depth (`> > ` = 2). */
  quoteDepth: number;
}
