import type { PatchSeries } from '../model/series.js';
import { wrapText } from './wrap.js';

/**
 * The line a reporting command prints when patches of a series could not be read in full
 * (`Patch.corrupt`), so that it is said on stdout and not only among the capped diagnostics:
 * `warning: patch 6/9 could not be read in full: its locking is incomplete`. `version` names
 * the series where two are shown (`v5 `). Empty when every patch was read.
 */
export function unreadPatchLines(series: PatchSeries, version = ''): string[] {
  const unread = series.patches.filter((p) => p.corrupt !== undefined).map((p) => `${p.index}/${p.total}`);
  if (unread.length === 0) return [];
  const which = `${version}patch${unread.length === 1 ? '' : 'es'} ${unread.join(', ')}`;
  return wrapText(
    `warning: ${which} could not be read in full: ${unread.length === 1 ? 'its' : 'their'} locking is incomplete`,
    '  ',
    '',
  );
}
