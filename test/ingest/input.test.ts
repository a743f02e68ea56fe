import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError, openInput } from '../../src/ingest/input.js';

const dir = mkdtempSync(join(tmpdir(), 'lockscope-input-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// 2.5 MiB of numbered lines: more than two reads of 1 MiB.
const bytes = Buffer.from(
  Array.from({ length: 120_000 }, (_, i) => `[ ${i}.000000] line ${i}\n`)
    .join('')
    .slice(0, 2.5 * 1024 * 1024),
  'latin1',
);

async function collect(
  path: string,
  reuseBuffer: boolean,
): Promise<{ data: Buffer; buffers: Set<ArrayBufferLike> }> {
  const copies: Buffer[] = [];
  const buffers = new Set<ArrayBufferLike>();
  for await (const chunk of openInput(path, undefined, { reuseBuffer })) {
    buffers.add(chunk.buffer);
    copies.push(Buffer.from(chunk));
  }
  return { data: Buffer.concat(copies), buffers };
}

describe('openInput', () => {
  it('hands a plain file out in two buffers used in turn with reuseBuffer, the same bytes as without', async () => {
    const path = join(dir, 'plain.log');
    writeFileSync(path, bytes);
    const reused = await collect(path, true);
    expect(reused.data.equals(bytes)).toBe(true);
    expect(reused.buffers.size).toBe(2);
    expect((await collect(path, false)).data.equals(bytes)).toBe(true);
  });

  it('leaves no read under way when the consumer stops early with reuseBuffer', async () => {
    const path = join(dir, 'stopped.log');
    writeFileSync(path, bytes);
    for await (const chunk of openInput(path, undefined, { reuseBuffer: true })) {
      expect(chunk.subarray(0, 12).toString('latin1')).toBe('[ 0.000000] ');
      break; // the next chunk is being read: return() waits for it, then closes the file
    }
    expect((await collect(path, true)).data.equals(bytes)).toBe(true);
  });

  it('still decompresses gzip input with reuseBuffer', async () => {
    const path = join(dir, 'log.gz');
    writeFileSync(path, gzipSync(bytes));
    expect((await collect(path, true)).data.equals(bytes)).toBe(true);
  });

  it('reads gzip data through a pipe path (no second read from its start) with reuseBuffer', async () => {
    const gz = join(dir, 'piped.gz');
    writeFileSync(gz, gzipSync(bytes));
    const fifo = join(dir, 'fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const writer = spawn('sh', ['-c', 'cat "$1" > "$2"', 'sh', gz, fifo]);
    const closed = new Promise((done) => writer.on('close', done));
    const read = await collect(fifo, true);
    await closed;
    expect(read.data.equals(bytes)).toBe(true);
    // (Reopening the pipe, the bug this guards against, would wait for a writer forever.)
  }, 10_000);

  it('reads an empty file and a one-byte file with reuseBuffer', async () => {
    writeFileSync(join(dir, 'empty'), '');
    writeFileSync(join(dir, 'one'), '\x1f');
    expect((await collect(join(dir, 'empty'), true)).data.length).toBe(0);
    expect((await collect(join(dir, 'one'), true)).data.toString('latin1')).toBe('\x1f');
  });

  it('throws InputError naming a missing file', async () => {
    await expect(collect(join(dir, 'missing.log'), true)).rejects.toThrow(InputError);
    await expect(collect(join(dir, 'missing.log'), true)).rejects.toThrow(/missing\.log: no such file/);
  });
});
