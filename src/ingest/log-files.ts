import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError } from './input.js';

/**
 * Expands command-line inputs into log files: `-` stays stdin, a file stays
 * itself, a directory gives every regular file below it (sorted, hidden
 * entries skipped). A missing path is unusable input (exit 2).
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
    if (st.isDirectory()) out.push(...(await walk(input)));
    else out.push(input);
  }
  return out;
}

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
