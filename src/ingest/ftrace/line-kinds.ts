/**
 * Lines of an ftrace text dump that are not events. One row per kind, with a
 * real example line above each regex (or "shape" when built from the
 * printing code). Only lines the event-line reader rejected come here, so
 * these regexes are off the hot path; all are anchored and linear.
 */
export type LineKind =
  | 'header' // `#` lines, blank lines, tool banners: structure, no data
  | 'version' // trace-cmd report
  | 'cpus'
  | 'cpu-empty'
  | 'lost' // ring-buffer overrun notes: groups = cpu, count
  | 'buffer-started'
  | 'stack-frame' // ` => frame` after `<stack trace>`
  | 'html'; // systrace/atrace HTML wrapper lines

export interface LineKindRow {
  kind: LineKind;
  re: RegExp;
}

export const LINE_KINDS: readonly LineKindRow[] = [
  // ` => __mutex_lock_slowpath+0x15c/0x39c`   (also trace-cmd `=> func (ffffffff81234567)`)
  { kind: 'stack-frame', re: /^\s*=>\s*(\S.*)$/ },
  // `version = 6`
  { kind: 'version', re: /^version = (\d+)\s*$/ },
  // `cpus=6`
  { kind: 'cpus', re: /^cpus=(\d+)\s*$/ },
  // `CPU 3 is empty`
  { kind: 'cpu-empty', re: /^CPU (\d+) is empty\s*$/ },
  // `CPU:1 [LOST 382 EVENTS]`   (shape: kernel print_trace_line)
  { kind: 'lost', re: /^\s*CPU:(\d+) \[LOST (\d+) EVENTS\]\s*$/ },
  // `[LOST 382 EVENTS]`   (shape: trace_pipe of one CPU)
  { kind: 'lost', re: /^\s*()\[LOST (\d+) EVENTS\]\s*$/ },
  // `CPU:2 [12 EVENTS DROPPED]` / `CPU:2 [EVENTS DROPPED]`   (shape: trace-cmd trace-read.c)
  { kind: 'lost', re: /^\s*CPU:(\d+) \[(\d*) ?EVENTS DROPPED\]\s*$/ },
  // `##### CPU 2 buffer started ####`
  { kind: 'buffer-started', re: /^#{5} CPU (\d+) buffer started #{4}\s*$/ },
  // `CPU:0 [SUBBUFFER START]`   (shape: trace-cmd --debug)
  { kind: 'buffer-started', re: /^\s*CPU:(\d+) \[SUBBUFFER START\]\s*$/ },
  // `capturing trace... done` / `TRACE:`   (adb shell atrace text dump banner, shape)
  { kind: 'header', re: /^(?:capturing trace\.\.\. ?done|TRACE:)\s*$/ },
  // `<script class="trace-data" type="application/text">`, `</script>`, `<!DOCTYPE html>`
  { kind: 'html', re: /^\s*<\/?(?:!DOCTYPE|html|head|body|meta|title|script|style|link|div)\b[^>]*>?$/i },
];

/** Recognizes a non-event line; null when no row matches. */
export function matchLineKind(line: string): { kind: LineKind; groups: string[] } | null {
  const c = line.charCodeAt(0);
  if (Number.isNaN(c) || c === 0x23 /* # */) {
    const m = /^#{5} CPU (\d+) buffer started #{4}/.exec(line);
    return m ? { kind: 'buffer-started', groups: [m[1]!] } : { kind: 'header', groups: [] };
  }
  if (line.trim() === '') return { kind: 'header', groups: [] };
  for (const row of LINE_KINDS) {
    const m = row.re.exec(line);
    if (m) return { kind: row.kind, groups: m.slice(1).map((g) => g ?? '') };
  }
  return null;
}
