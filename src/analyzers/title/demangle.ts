/**
 * Plain names for mangled symbols in kernel stack traces, so skip lists and
 * titles see what a human reads:
 *   C++ (Itanium): `_Z8fakeNameiii` → `fakeName`, `_ZN3foo3barEv` → `foo::bar`
 *   Rust (v0):     `_RNvMs3_NtCshgDM7dBCdno_11rust_binder7processNtB5_7Process10update_ref`
 *                  → `<rust_binder::process::Process>::update_ref`
 * Parameters are left out. A name that does not parse is returned unchanged.
 */
export function demangle(name: string): string {
  if (name.startsWith('_Z')) return demangleItanium(name);
  if (name.startsWith('_R')) {
    try {
      return new RustV0(name.slice(2)).symbol() ?? name;
    } catch {
      return name;
    }
  }
  return name;
}

function demangleItanium(name: string): string {
  let i = 2;
  const nested = name[i] === 'N';
  if (nested) i++;
  while (name[i] === 'K' || name[i] === 'V' || name[i] === 'r') i++;
  const parts: string[] = [];
  for (;;) {
    const m = /^\d+/.exec(name.slice(i, i + 6));
    if (!m) break;
    const len = Number(m[0]);
    i += m[0].length;
    if (len === 0 || i + len > name.length) return name;
    parts.push(name.slice(i, i + len));
    i += len;
    if (!nested) break;
  }
  return parts.length > 0 ? parts.join('::') : name;
}

const BASIC_TYPES: Record<string, string> = {
  a: 'i8',
  b: 'bool',
  c: 'char',
  d: 'f64',
  e: 'str',
  f: 'f32',
  h: 'u8',
  i: 'isize',
  j: 'usize',
  l: 'i32',
  m: 'u32',
  n: 'i128',
  o: 'u128',
  p: '_',
  s: 'i16',
  t: 'u16',
  u: '()',
  v: '...',
  x: 'i64',
  y: 'u64',
  z: '!',
};
const MAX_DEPTH = 64;

/** A small Rust v0 demangler: paths, impls, backrefs, generic arguments, common types. */
class RustV0 {
  private pos = 0;
  private depth = 0;
  constructor(private readonly s: string) {}

  symbol(): string | null {
    const p = this.path();
    return p;
  }

  private peek(): string {
    return this.s[this.pos] ?? '';
  }

  private next(): string {
    const c = this.s[this.pos++];
    if (c === undefined) throw new Error('eof');
    return c;
  }

  private base62(): number {
    if (this.peek() === '_') {
      this.pos++;
      return 0;
    }
    let n = 0;
    for (;;) {
      const c = this.next();
      if (c === '_') return n + 1;
      const d = /[0-9]/.test(c)
        ? c.charCodeAt(0) - 48
        : /[a-z]/.test(c)
          ? c.charCodeAt(0) - 87
          : /[A-Z]/.test(c)
            ? c.charCodeAt(0) - 29
            : -1;
      if (d < 0) throw new Error('base62');
      n = n * 62 + d;
    }
  }

  private disambiguator(): void {
    if (this.peek() === 's') {
      this.pos++;
      this.base62();
    }
  }

  private ident(): string {
    this.disambiguator();
    if (this.peek() === 'u') this.pos++; // punycode: shown raw
    const m = /^\d+/.exec(this.s.slice(this.pos, this.pos + 6));
    if (!m) throw new Error('ident');
    this.pos += m[0].length;
    if (this.peek() === '_') this.pos++;
    const len = Number(m[0]);
    const id = this.s.slice(this.pos, this.pos + len);
    if (id.length !== len) throw new Error('ident');
    this.pos += len;
    return id;
  }

  private backref<T>(f: () => T): T {
    const target = this.base62();
    if (target >= this.pos) throw new Error('backref');
    const saved = this.pos;
    this.pos = target;
    try {
      return f();
    } finally {
      this.pos = saved;
    }
  }

  private guard<T>(f: () => T): T {
    if (++this.depth > MAX_DEPTH) throw new Error('depth');
    try {
      return f();
    } finally {
      this.depth--;
    }
  }

  path(): string {
    return this.guard(() => {
      const c = this.next();
      switch (c) {
        case 'C':
          return this.ident();
        case 'N': {
          const ns = this.next();
          const parent = this.path();
          const id = this.ident();
          if (ns >= 'A' && ns <= 'Z') return `${parent}::{${ns === 'C' ? 'closure' : 'shim'}}`;
          return id === '' ? parent : `${parent}::${id}`;
        }
        case 'M': {
          this.disambiguator();
          this.path();
          return `<${this.type()}>`;
        }
        case 'X': {
          this.disambiguator();
          this.path();
          const t = this.type();
          return `<${t} as ${this.path()}>`;
        }
        case 'Y': {
          const t = this.type();
          return `<${t} as ${this.path()}>`;
        }
        case 'I': {
          const p = this.path();
          const args: string[] = [];
          while (this.peek() !== 'E') args.push(this.genericArg());
          this.pos++;
          return `${p}::<${args.join(', ')}>`;
        }
        case 'B':
          return this.backref(() => this.path());
        default:
          throw new Error('path');
      }
    });
  }

  private genericArg(): string {
    const c = this.peek();
    if (c === 'L') {
      this.pos++;
      this.base62();
      return "'_";
    }
    if (c === 'K') {
      this.pos++;
      return this.constant();
    }
    return this.type();
  }

  private constant(): string {
    if (this.peek() === 'B') {
      this.pos++;
      return this.backref(() => this.constant());
    }
    const t = this.next();
    if (t === 'p') return '_';
    let neg = '';
    if (this.peek() === 'n') {
      this.pos++;
      neg = '-';
    }
    let hex = '';
    while (this.peek() !== '_') hex += this.next();
    this.pos++;
    return `${neg}${hex === '' ? '0' : Number.parseInt(hex, 16)}`;
  }

  type(): string {
    return this.guard(() => {
      const c = this.peek();
      const basic = BASIC_TYPES[c];
      if (basic !== undefined) {
        this.pos++;
        return basic;
      }
      switch (c) {
        case 'R':
        case 'Q': {
          this.pos++;
          if (this.peek() === 'L') {
            this.pos++;
            this.base62();
          }
          return `&${c === 'Q' ? 'mut ' : ''}${this.type()}`;
        }
        case 'P':
        case 'O':
          this.pos++;
          return `*${c === 'P' ? 'const' : 'mut'} ${this.type()}`;
        case 'S':
          this.pos++;
          return `[${this.type()}]`;
        case 'A': {
          this.pos++;
          const t = this.type();
          return `[${t}; ${this.constant()}]`;
        }
        case 'T': {
          this.pos++;
          const ts: string[] = [];
          while (this.peek() !== 'E') ts.push(this.type());
          this.pos++;
          return `(${ts.join(', ')})`;
        }
        case 'B':
          this.pos++;
          return this.backref(() => this.type());
        default:
          return this.path();
      }
    });
  }
}
