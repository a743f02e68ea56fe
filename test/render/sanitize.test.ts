import { describe, expect, it } from 'vitest';
import { sanitizeField, stripControl } from '../../src/render/sanitize.js';

describe('stripControl', () => {
  it('removes ANSI colour, OSC titles and C0/C1 controls but keeps tabs', () => {
    // (`z` is the final byte of the C1 CSI before it: the sequence goes whole)
    expect(stripControl('\x1b[31mred\x1b[0m\tx\x07\x1b]0;title\x07y\x9bz')).toBe('red\txy');
  });

  it('removes an ESC [ sequence with its parameters, and an OSC ended by ST, whole', () => {
    expect(stripControl('a\x1b[1;38;5;196mb\x1b[?25lc\x1b]8;;http://x\x1b\\d')).toBe('abcd');
  });
});

describe('sanitizeField', () => {
  it('removes 7-bit and C1 escape sequences with their parameters', () => {
    expect(sanitizeField('d: \x1b[2J\x1b[31mred\x1b]0;title\x07 subject \x9b31m c1')).toBe(
      'd: red subject  c1',
    );
    expect(sanitizeField('a\x1b[1;38;5;196mb\x1b]8;;http://x\x1b\\c\x9d0;t\x9cd\x9b?25le')).toBe('abcde');
    expect(sanitizeField('a\x1bPq#0;2;0;0;0\x1b\\b\x90dcs\x9cc\x1b(Bd')).toBe('abcd');
  });

  it('turns tabs and line breaks into one space and drops other controls', () => {
    expect(sanitizeField('x\ty\r\nz\x00\x07\x7f\x85!')).toBe('x y z!');
  });

  it('takes a CSI cut off by the end of the text as far as it got; an unterminated string sequence loses its introducer alone', () => {
    expect(sanitizeField('subject\x9b31')).toBe('subject');
    expect(sanitizeField('subject\x1b]0;title')).toBe('subject0;title');
    // one character of input (a task name with U+009D) must not swallow the output after it
    expect(stripControl('task: ksw\x9dapd0/28\nsignature: x')).toBe('task: kswapd0/28\nsignature: x');
    expect(stripControl('a\x1bPq\nrest')).toBe('aq\nrest');
  });

  it('leaves plain and non-ASCII text alone', () => {
    expect(sanitizeField('drm/shmem: Switch to generic shrinker → v6 (ü)')).toBe(
      'drm/shmem: Switch to generic shrinker → v6 (ü)',
    );
  });
});
