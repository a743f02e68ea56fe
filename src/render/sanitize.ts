/**
 * Terminal safety: text that came from an input (kernel logs, patches, trace
 * comms) must not carry control characters or escape sequences to the
 * user's terminal. Tabs and line breaks are kept; everything else in C0/C1 and DEL is
 * dropped, and escape sequences are removed whole (see SEQUENCE).
 */

/**
 * Escape sequences whole, parameters and all, in their 7-bit and 8-bit (C1) forms:
 * ESC [ params final (CSI), ESC ] / P / X / ^ / _ ... BEL or ST (OSC, DCS, SOS, PM, APC),
 * other ESC sequences (ESC ( B), and the C1 CSI 0x9B params final and C1 OSC 0x9D, DCS 0x90,
 * SOS 0x98, PM 0x9E, APC 0x9F ... BEL or ST (ESC \ or 0x9C). A string sequence (OSC, DCS, ...)
 * goes whole only up to its terminator on the same line: one without (a lone 0x9D in a task name)
 * loses its introducer alone, so that one character of input cannot swallow the output after it.
 */
// a subject as a mail can carry it: "\x1b[1;31mred\x1b[0m \x1b]0;title\x07subject \x9b31mc1"
const SEQUENCE =
  /\x1b\[[0-?]*[ -/]*[@-~]?|\x1b[\]PX^_][^\x07\x1b\x9c\n]*(?:\x07|\x1b\\|\x9c)|\x1b[ -/]*[0-~]?|\x9b[0-?]*[ -/]*[@-~]?|[\x90\x98\x9d\x9e\x9f][^\x07\x1b\x9c\n]*(?:\x07|\x1b\\|\x9c)/g;
// C0 and C1 controls and DEL, but TAB and LF
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/g;

export function stripControl(text: string): string {
  return text.replace(SEQUENCE, '').replace(CONTROL, '');
}

/**
 * One field of input text (a subject, a name, a message quoting them) made safe to lay out in a
 * column before it is clipped or padded: stripControl, and tabs and line breaks made one space.
 * What is left is as wide as its length says.
 */
export function sanitizeField(text: string): string {
  return stripControl(text).replace(/[\t\n]+/g, ' ');
}
