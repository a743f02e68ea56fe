import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project root. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** `../shared` beside the project, or null when absent (tests then skip cleanly). */
export const SHARED: string | null = (() => {
  const dir = process.env.LOCKSCOPE_SHARED ?? join(ROOT, '..', 'shared');
  return existsSync(join(dir, 'corpus')) ? dir : null;
})();

export function sharedPath(...parts: string[]): string {
  if (SHARED === null) throw new Error('../shared is absent');
  return join(SHARED, ...parts);
}

export function fixture(...parts: string[]): string {
  return join(ROOT, 'fixtures', ...parts);
}
