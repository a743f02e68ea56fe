/**
 * A private copy of a string cut from a larger one (same characters). A line is a slice of the
 * piece of input it was decoded from (64 KiB), and V8 keeps that piece alive for as long as any
 * slice of 13 characters or more of it lives (shorter ones are copies already): what is kept
 * beyond its piece (a report's lines, a diagnostic, a group's signature) is copied first.
 */
export function ownText(text: string): string {
  return text.length >= 13 ? ` ${text}`.slice(1) : text;
}
