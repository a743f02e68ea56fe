/**
 * A small brace-aware C scanner: blanks comments, string and character
 * literals (so calls inside them are not seen), tracks brace depth and finds
 * function definitions. It reads a "view": numbered lines that may have gaps
 * (the post-image side of diff hunks) or a whole file.
 */
export interface SourceLine {
  /** 1-based line in the file (post- or pre-image). */
  line: number;
  text: string;
  /** What the patch does to this line. */
  change: 'added' | 'removed' | 'context';
  /** Index of the hunk the line came from (-1 for whole-file views). */
  hunk: number;
}

export interface CodeLine extends SourceLine {
  /** The text with comments and literals replaced by spaces. */
  code: string;
  /** Brace depth at the start of the line (relative to the view start in hunk views). */
  depth: number;
  /** Index into `functions` of the function body the line sits in, or -1. */
  fn: number;
}

export interface FunctionSpan {
  name: string;
  /** Line of the name (the definition), or null when the body started before the view. */
  start: number | null;
  /** Line of the closing brace, or null when the body runs past the view. */
  end: number | null;
  /** Whole body seen (start and end both in the view, and the view is contiguous there). */
  complete: boolean;
  /** The text from the name to the opening brace (parameters, annotations). */
  header: string;
}

export interface ScannedSource {
  lines: CodeLine[];
  functions: FunctionSpan[];
}

const NOT_FUNCTIONS = new Set(['if', 'for', 'while', 'switch', 'return', 'sizeof', 'do', 'else']);

/**
 * `startFunction`: in a hunk view, the function the first hunk line sits in
 * (from the `@@ ... @@ context`), so lines before any definition get it.
 */
export function scanSource(
  view: SourceLine[],
  startFunction: (hunk: number) => string | null = () => null,
): ScannedSource {
  const lines: CodeLine[] = [];
  const functions: FunctionSpan[] = [];
  let inComment = false;
  let depth = 0;
  let current = -1;
  let headerText = '';
  let headerStart: number | null = null;
  let lastHunk = Number.NaN;
  let prevLine = Number.NaN;
  for (const src of view) {
    if (src.hunk !== lastHunk || (src.hunk < 0 && src.line !== prevLine + 1 && !Number.isNaN(prevLine))) {
      // A new hunk: the state before it is unknown; assume we are inside the hunk-header function.
      if (current >= 0) functions[current]!.complete = false;
      inComment = false;
      headerText = '';
      headerStart = null;
      const name = src.hunk >= 0 ? startFunction(src.hunk) : null;
      if (name !== null) {
        functions.push({ name, start: null, end: null, complete: false, header: '' });
        current = functions.length - 1;
        depth = 1;
      } else {
        current = -1;
        depth = 0;
      }
      lastHunk = src.hunk;
    }
    prevLine = src.line;
    const { code, inComment: still } = blank(src.text, inComment);
    inComment = still;
    const line: CodeLine = { ...src, code, depth, fn: current };
    lines.push(line);
    if (/^\s*#/.test(code)) continue;
    // A hunk view that starts inside a function ends it at a `}` in column 0;
    // a new definition starting in column 0 also means the old body is over.
    const openEnded = current >= 0 && functions[current]!.start === null;
    if (openEnded && /^}/.test(code)) {
      functions[current]!.end = src.line;
      current = -1;
      depth = 0;
      line.fn = -1;
      continue;
    }
    if (openEnded && /^[A-Za-z_]/.test(code) && !/^\w+:/.test(code)) {
      current = -1;
      depth = 0;
      line.fn = -1;
    }
    for (let i = /[{};]/.test(code) ? 0 : code.length; i < code.length; i++) {
      const c = code[i];
      if (c === '{') {
        if (depth === 0) {
          const header = `${headerText} ${code.slice(0, i)}`;
          const name = functionName(header);
          if (name !== null) {
            functions.push({
              name,
              start: headerStart ?? src.line,
              end: null,
              complete: false,
              header: header.trim(),
            });
            current = functions.length - 1;
            line.fn = line.fn < 0 ? current : line.fn;
          }
          headerText = '';
          headerStart = null;
        }
        depth++;
      } else if (c === '}') {
        depth = Math.max(current >= 0 && functions[current]!.start === null ? 1 : 0, depth - 1);
        if (depth === 0 && current >= 0) {
          const f = functions[current]!;
          f.end = src.line;
          f.complete = f.start !== null;
          current = -1;
        }
      } else if (c === ';' && depth === 0) {
        headerText = '';
        headerStart = null;
      }
    }
    if (depth === 0 && current < 0) {
      const tail = code.slice(code.lastIndexOf(';') + 1).replace(/^.*}/, '');
      if (tail.trim() !== '') {
        if (headerStart === null) headerStart = src.line;
        headerText += ` ${tail}`;
      }
    }
  }
  // An unfinished body at the end of the view is incomplete.
  if (current >= 0) functions[current]!.complete = false;
  return { lines, functions };
}

/** `static int foo_locked(struct foo *f)` → `foo_locked`; null for initializers, structs, macros. */
function functionName(header: string): string | null {
  if (/=\s*$/.test(header) || /=/.test(header.replace(/\([^()]*\)/g, ''))) return null;
  let depth = 0;
  for (let i = 0; i < header.length; i++) {
    if (header[i] === '(') {
      if (depth === 0) {
        const name = identifierBefore(header, i);
        if (name === null || NOT_FUNCTIONS.has(name)) return null;
        return name;
      }
      depth++;
    } else if (header[i] === ')') depth--;
  }
  return null;
}

/**
 * The identifier just before `header[at]` (spaces allowed between), found by
 * walking back (no regex over the header, which can be long).
 * `static unsigned long drm_gem_shmem_shrinker_scan_objects(` → the function name.
 */
function identifierBefore(header: string, at: number): string | null {
  let end = at;
  while (end > 0 && /\s/.test(header[end - 1]!)) end--;
  let start = end;
  while (start > 0 && /\w/.test(header[start - 1]!)) start--;
  if (start === end || /\d/.test(header[start]!)) return null;
  return header.slice(start, end);
}

/** Replaces comments and string/char literals with spaces, keeping columns. */
function blank(text: string, inComment: boolean): { code: string; inComment: boolean } {
  if (!inComment && !/[/"']/.test(text)) return { code: text, inComment };
  let out = '';
  let i = 0;
  while (i < text.length) {
    if (inComment) {
      const end = text.indexOf('*/', i);
      if (end < 0) {
        out += ' '.repeat(text.length - i);
        return { code: out, inComment: true };
      }
      out += ' '.repeat(end + 2 - i);
      i = end + 2;
      inComment = false;
      continue;
    }
    const c = text[i]!;
    if (c === '/' && text[i + 1] === '*') {
      inComment = true;
      out += '  ';
      i += 2;
    } else if (c === '/' && text[i + 1] === '/') {
      out += ' '.repeat(text.length - i);
      break;
    } else if (c === '"' || c === "'") {
      let j = i + 1;
      while (j < text.length && text[j] !== c) j += text[j] === '\\' ? 2 : 1;
      out += c + ' '.repeat(Math.max(0, Math.min(j, text.length) - i - 1)) + (j < text.length ? c : '');
      i = j + 1;
    } else {
      out += c;
      i++;
    }
  }
  return { code: out, inComment };
}
