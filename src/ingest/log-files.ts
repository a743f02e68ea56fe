import { readdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { InputError } from './input.js';

/**
 * Expands command-line inputs into log files: `-` stays stdin, a file stays
 * itself, a directory gives the console logs below it (sorted, hidden
 * entries skipped, symbolic links not followed, as `grep -r`): files named like logs (`dmesg.txt`, `console.log`,
 * `serial0.txt.gz`, `*.log`), or, in a folder without such names, every
 * file that is not JSON; a serial `console.log` beside a `dmesg.txt` of the
 * same boot is left out. A missing path, or a directory with no such file, is
 * unusable input (exit 2).
 */
export async function expandLogPaths(inputs: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const input of inputs) {
    if (input === '-') {
      out.push(input);
      continue;
    }
    const st = await stat(input).catch(() => null);
    if (st === null) throw new InputError(`${input}: no such file or directory`, input);
    if (st.isDirectory()) {
      const files = (await walk(input)).filter((f) => !JSON_FILE.test(f));
      if (files.length === 0) throw new InputError(`${input}: no log files in this directory`, input);
      const logs = files.filter((f) => LOG_NAME.test(f));
      out.push(...(logs.length > 0 ? oneCopyPerBoot(logs) : files));
    } else out.push(input);
  }
  return out;
}

/**
 * A run bundle holds the same boot twice: `dmesg.txt` and the serial
 * `console.log`. Counting both would double every splat, so a `console*`
 * file is dropped where a `dmesg*` file sits beside it.
 */
function oneCopyPerBoot(files: string[]): string[] {
  const withDmesg = new Set(files.filter((f) => /(?:^|\/)dmesg[^/]*$/.test(f)).map((f) => dirname(f)));
  return files.filter((f) => !(/(?:^|\/)console[^/]*$/.test(f) && withDmesg.has(dirname(f))));
}

const LOG_NAME = /(?:^|\/)(?:dmesg|console|serial|kern|messages|boot|syslog)[^/]*$|\.log(?:\.gz)?$/i;
const JSON_FILE = /\.json(?:\.gz)?$/i;

async function walk(dir: string): Promise<string[]> {
  const entries = (await readdir(dir, { withFileTypes: true }))
    .filter((e) => !e.name.startsWith('.'))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const files: string[] = [];
  for (const e of entries) {
    const path = join(dir, e.name);
    if (e.isDirectory()) files.push(...(await walk(path)));
    else if (e.isFile()) files.push(path);
  }
  return files;
}
