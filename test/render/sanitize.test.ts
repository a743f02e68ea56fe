import { describe, expect, it } from 'vitest';
import { stripControl } from '../../src/render/sanitize.js';

describe('stripControl', () => {
  it('removes ANSI colour, OSC titles and C0/C1 controls but keeps tabs', () => {
    expect(stripControl('\x1b[31mred\x1b[0m\tx\x07\x1b]0;title\x07y\x9bz')).toBe('red\txyz');
  });
});
