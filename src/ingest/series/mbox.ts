/**
 * Splits an mbox (git format-patch output, b4 am/mbox output, or a single
 * raw message) into messages, each with the 1-based line where it starts.
 * mboxrd quoting (`>From ` in a body) is undone. A file without a `From `
 * separator is one message.
 */
export interface RawMessage {
  text: string;
  /** 1-based line of the message's first line (the `From ` line when there is one). */
  line: number;
  /** The `From <sha-or-sender> <date>` line, or null. */
  envelope: string | null;
}

// From 2f1c0a6d3e4b5a69788796a5b4c3d2e1f0a9b8c7 Mon Sep 17 00:00:00 2001
// From dmitry.osipenko@collabora.com Fri Jul 15 03:52:38 2022
const ENVELOPE = /^From \S+ +(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) [A-Z][a-z]{2} +\d/;
// From 2f1c0a6d3e4b5a69788796a5b4c3d2e1f0a9b8c7 Mon Sep 17 00:00:00 2001
// (git format-patch's fixed envelope: a message start even without a blank line
// before it, as when `cat *.patch` joins files that lack the trailing signature)
const FORMAT_PATCH_ENVELOPE = /^From [0-9a-f]{40} Mon Sep 17 00:00:00 2001\r?$/;
// >From now on all dma-buf importers ...   (mboxrd-quoted body line)
const QUOTED_FROM = /^>(>*From )/;

export function splitMbox(text: string): RawMessage[] {
  const lines = text.split('\n');
  const starts: number[] = [];
  for (let i = 0; i < lines.length; i++) {
    const afterBlank = i === 0 || lines[i - 1] === '' || lines[i - 1] === '\r';
    if ((afterBlank && ENVELOPE.test(lines[i]!)) || FORMAT_PATCH_ENVELOPE.test(lines[i]!)) starts.push(i);
  }
  if (starts.length === 0) {
    return text.trim() === '' ? [] : [{ text, line: 1, envelope: null }];
  }
  const messages: RawMessage[] = [];
  for (let k = 0; k < starts.length; k++) {
    const from = starts[k]!;
    const to = k + 1 < starts.length ? starts[k + 1]! : lines.length;
    const body = lines.slice(from + 1, to).map((l) => l.replace(QUOTED_FROM, '$1'));
    messages.push({ text: body.join('\n'), line: from + 1, envelope: lines[from]!.replace(/\r$/, '') });
  }
  return messages;
}

/** The commit hash in a git format-patch envelope (`From <40 hex> Mon Sep 17 ...`), or null. */
export function envelopeCommit(envelope: string | null): string | null {
  const m = envelope === null ? null : /^From ([0-9a-f]{40}) /.exec(envelope);
  return m ? m[1]! : null;
}

/** Every regex of this recognizer (tests check none can backtrack catastrophically). */
export const MBOX_REGEXES: RegExp[] = [ENVELOPE, FORMAT_PATCH_ENVELOPE, QUOTED_FROM];
