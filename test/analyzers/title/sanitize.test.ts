import { describe, expect, test } from 'vitest';
import { normalizeTitle } from '../../../src/analyzers/title/sanitize.js';

describe('normalizeTitle', () => {
  test.each([
    ['possible deadlock in lab_scan', 'possible deadlock in lab_scan'],
    [
      'KASAN: use-after-free Read in ip6_fragment+0x1052/0x2d80',
      'KASAN: use-after-free Read in ip6_fragment',
    ],
    ['INFO: task syz-executor.3:12345 blocked', 'INFO: task syz-executor blocked'],
    ['BUG: Bad page state in process syzkaller012345', 'BUG: Bad page state in process syzkaller'],
    ['BUG: bad address ffff88807e4a1c00 here', 'BUG: bad address ADDR here'],
    ['peer 10.0.2.15 gone', 'peer IP gone'],
    ['WARNING at net/core/dev.c:123 something', 'WARNING at net/core/dev.c:LINE something'],
    ['BUG: soft lockup - CPU#1 stuck for 22s!', 'BUG: soft lockup - CPU stuck for 22s!'],
    [
      'kernel panic: VFS: Unable to mount root fs on unknown-block(0,0)',
      'kernel panic: VFS: Unable to mount root fs on unknown-block(NUM,NUM)',
    ],
    ['nl802154_add_llsec_key in cfg80211_rdev', 'nl802154_add_llsec_key in cfg80211_rdev'],
    ['tabs\tand   spaces\x01', 'tabs and spaces'],
  ])('%j', (title, want) => {
    expect(normalizeTitle(title)).toBe(want);
  });

  test('cut to 120 characters', () => {
    expect(normalizeTitle(`kernel panic: ${'x'.repeat(300)}`)).toHaveLength(120);
  });
});
