/**
 * The tracefs event `format` file: name, ID and the fields with their offset,
 * size and signedness, as libtraceevent's event_read_format() reads them.
 */
export type FieldKind =
  /** Fixed-size integer (1, 2, 4 or 8 bytes). */
  | 'int'
  /** Pointer-typed integer: rendered as hex without `0x`, as tracefs prints `%p`. */
  | 'pointer'
  /** `char name[N]` (or `char name[]` to the end of the record): a NUL-terminated string. */
  | 'char-array'
  /** Any other fixed array (`unsigned long caller[8]`). */
  | 'array'
  /** `__data_loc char[] name`: u32, low 16 bits offset from the record start, high 16 bits length. */
  | 'data-loc-string'
  /** `__data_loc` of something else (bytes). */
  | 'data-loc'
  /** `__rel_loc char[]`: offset relative to the end of the field. */
  | 'rel-loc-string'
  | 'rel-loc';

export interface FieldFormat {
  name: string;
  type: string;
  offset: number;
  size: number;
  signed: boolean;
  kind: FieldKind;
  /** Element size for arrays (bytes). */
  elementSize: number;
}

export interface EventFormat {
  id: number;
  name: string;
  system: string;
  /** `common_*` fields (before the blank line). */
  common: FieldFormat[];
  /** The event's own fields. */
  fields: FieldFormat[];
  /** The `print fmt:` line without its label ('' when absent). */
  printFmt: string;
}

/** Line shapes of a format file (exported for the ReDoS check). */
export const FORMAT_LINES = {
  // `	field:unsigned short common_type;	offset:0;	size:2;	signed:0;`
  // `	field:__data_loc char[] name;	offset:8;	size:4;	signed:1;`
  // Old kernels omit `signed:`; ftrace-internal formats say `field special:`.
  field: /^\s*field(?: special)?:([^;]*);\s*offset:(\d+);\s*size:(\d+);(?:\s*signed:(\d+);)?/,
  // `name: mm_shrink_slab_start`
  name: /^name: (\S+)/,
  // `ID: 528`
  id: /^ID: (\d+)/,
} as const;
const { field: FIELD_LINE, name: NAME_LINE, id: ID_LINE } = FORMAT_LINES;

/** Parses one format file; null when it has no name or ID (the caller reports it). */
export function parseEventFormat(text: string, system: string): EventFormat | null {
  let name: string | null = null;
  let id: number | null = null;
  const common: FieldFormat[] = [];
  const fields: FieldFormat[] = [];
  let inCommon = true;
  let seenField = false;
  let printFmt = '';
  for (const line of text.split('\n')) {
    if (line.startsWith('print fmt:')) {
      printFmt = line.slice(10).trim();
      break;
    }
    const nm = NAME_LINE.exec(line);
    if (nm) {
      name = nm[1]!;
      continue;
    }
    const im = ID_LINE.exec(line);
    if (im) {
      id = Number(im[1]);
      continue;
    }
    if (line.trim() === '') {
      if (seenField) inCommon = false;
      continue;
    }
    const fm = FIELD_LINE.exec(line);
    if (!fm) continue;
    seenField = true;
    const field = parseFieldDecl(fm[1]!, Number(fm[2]), Number(fm[3]), fm[4]);
    if (!field) continue;
    if (inCommon && field.name.startsWith('common_')) common.push(field);
    else fields.push(field);
  }
  if (name === null || id === null) return null;
  return { id, name, system, common, fields, printFmt };
}

function parseFieldDecl(decl: string, offset: number, size: number, signedText: string | undefined) {
  const d = decl.trim();
  const dataLoc = d.startsWith('__data_loc ');
  const relLoc = d.startsWith('__rel_loc ');
  const bare = dataLoc ? d.slice(11) : relLoc ? d.slice(10) : d;
  // `char comm[16]`, `char buf[]`, `char[] name`, `struct shrinker * shr`
  let rest = bare;
  let dims: string | undefined;
  if (rest.endsWith(']')) {
    const open = rest.lastIndexOf('[');
    if (open < 0) return null;
    dims = rest.slice(open + 1, -1);
    rest = rest.slice(0, open).trimEnd();
  }
  const cut = Math.max(rest.lastIndexOf(' '), rest.lastIndexOf('*'), rest.lastIndexOf('\t'));
  const name = rest.slice(cut + 1);
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) return null;
  const type = rest.slice(0, cut + 1).trim();
  const array = dims !== undefined || type.endsWith('[]');
  const isChar = /\bchar\b/.test(type);
  const signed = signedText === undefined ? !/\bunsigned\b/.test(type) : signedText === '1';
  let kind: FieldKind;
  let elementSize = size;
  if (dataLoc) kind = isChar ? 'data-loc-string' : 'data-loc';
  else if (relLoc) kind = isChar ? 'rel-loc-string' : 'rel-loc';
  else if (array) {
    kind = isChar ? 'char-array' : 'array';
    const count = dims ? Number.parseInt(dims, 10) : Number.NaN;
    elementSize = Number.isFinite(count) && count > 0 ? Math.max(1, Math.floor(size / count)) : 1;
    if (!isChar && !Number.isFinite(count)) elementSize = elementTypeSize(type);
  } else kind = type.includes('*') ? 'pointer' : 'int';
  return { name, type, offset, size, signed, kind, elementSize } satisfies FieldFormat;
}

function elementTypeSize(type: string): number {
  if (/\b(long long|u64|s64|__u64)\b/.test(type)) return 8;
  if (/\b(long)\b/.test(type)) return 8;
  if (/\b(short|u16|s16)\b/.test(type)) return 2;
  if (/\b(char|u8|s8|bool)\b/.test(type)) return 1;
  return 4;
}

/** Fields of `header_page`: the size of `commit` is the kernel's long size; `data` gives the data offset. */
export interface HeaderPage {
  commitSize: number;
  dataOffset: number;
}

export function parseHeaderPage(text: string): HeaderPage | null {
  let commitSize: number | null = null;
  let dataOffset: number | null = null;
  for (const line of text.split('\n')) {
    const fm = FIELD_LINE.exec(line);
    if (!fm) continue;
    const decl = fm[1]!;
    if (/\bcommit$/.test(decl.trim())) commitSize = Number(fm[3]);
    if (/\bdata\b/.test(decl)) dataOffset = Number(fm[2]);
  }
  if (commitSize === null || dataOffset === null) return null;
  return { commitSize, dataOffset };
}
