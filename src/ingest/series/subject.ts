/**
 * Reads a patch mail subject: list tags, the `[PATCH ...]` tag (version,
 * n/N, RFC, RESEND, tree prefix) and the summary.
 */
export interface PatchSubject {
  /** `PATCH`, `RFC PATCH`, `PATCH net-next`, ... */
  prefix: string;
  version: number;
  /** n of n/N; 1 for an unnumbered patch. */
  index: number;
  total: number;
  rfc: boolean;
  resend: boolean;
  /** True when a `[PATCH ...]`-like tag was found. */
  tagged: boolean;
  /** `Re:`/`Fwd:` seen before the tag: a reply, not a patch. */
  reply: boolean;
  /** Bracketed tags without PATCH/RFC, e.g. `Linaro-mm-sig`. */
  listTags: string[];
  summary: string;
}

// [Linaro-mm-sig] [PATCH v6 01/22] drm/gem: Properly annotate WW context
const BRACKET = /^\[([^\]]*)\]\s*/;
// Re: [PATCH v6 03/22] ...   /   Fwd: ...   /   AW: ...
const REPLY = /^(?:re|fwd?|aw|sv)\s*:\s*/i;
// PATCH   RFC   RESEND   RFT   (words that make a bracket a patch tag)
const PATCH_WORD = /^(?:patch|rfc|resend|rft)$/i;
// v6   V12
const VERSION_TOKEN = /^v(\d{1,4})$/i;
// 01/22   0/6   000/100
const NUMBER_TOKEN = /^(\d{1,5})\/(\d{1,5})$/;

export function parseSubject(raw: string): PatchSubject {
  let rest = raw.replace(/\s+/g, ' ').trim();
  const result: PatchSubject = {
    prefix: '',
    version: 1,
    index: 1,
    total: 1,
    rfc: false,
    resend: false,
    tagged: false,
    reply: false,
    listTags: [],
    summary: rest,
  };
  for (let guard = 0; guard < 16; guard++) {
    const reply = REPLY.exec(rest);
    if (reply) {
      result.reply = true;
      rest = rest.slice(reply[0].length);
      continue;
    }
    const m = BRACKET.exec(rest);
    if (!m) break;
    rest = rest.slice(m[0].length);
    const tokens = m[1]!.split(/\s+/).filter(Boolean);
    if (result.tagged || !tokens.some((t) => PATCH_WORD.test(t))) {
      result.listTags.push(m[1]!);
      continue;
    }
    result.tagged = true;
    const prefix: string[] = [];
    for (const token of tokens) {
      const v = VERSION_TOKEN.exec(token);
      const n = NUMBER_TOKEN.exec(token);
      if (v) result.version = Number(v[1]);
      else if (n) {
        result.index = Number(n[1]);
        result.total = Number(n[2]);
      } else {
        if (/^rfc$/i.test(token)) result.rfc = true;
        if (/^resend$/i.test(token)) result.resend = true;
        prefix.push(token);
      }
    }
    result.prefix = prefix.join(' ');
  }
  result.summary = rest;
  return result;
}

/** Every regex of this recognizer (tests check none can backtrack catastrophically). */
export const SUBJECT_REGEXES: RegExp[] = [BRACKET, REPLY, PATCH_WORD, VERSION_TOKEN, NUMBER_TOKEN];
