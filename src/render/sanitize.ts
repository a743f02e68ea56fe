/**
 * Terminal safety: text that came from an input (kernel logs, patches, trace
 * comms) must not carry control characters or escape sequences to the
 * user's terminal. Tabs are kept; everything else in C0/C1 and DEL is dropped,
 * and ANSI CSI/OSC sequences are removed whole.
 */
// ESC [ ... final byte, ESC ] ... BEL|ST, and other two-byte ESC sequences.
const ANSI = /\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_])/g;
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/g;

export function stripControl(text: string): string {
  return text.replace(ANSI, '').replace(CONTROL, '');
}
