import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import v8 from 'node:v8';
import vm from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDataset } from './dataset.js';

const lineCount = 200_000;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'juror-stream-'));
const file = path.join(dir, 'large.jsonl');

/** A real gc() even when node runs without --expose-gc, so heap readings are not noise. */
function exposeGc(): () => void {
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
}

beforeAll(async () => {
  // About 100 MB: held in memory as records it would be several times the limit below.
  const out = fs.createWriteStream(file);
  const padding = 'x'.repeat(450);
  for (let i = 0; i < lineCount; i++) {
    if (!out.write(`{"id":${i},"input":"question ${i} ${padding}","expected":"answer ${i}"}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('streaming a large JSONL file', () => {
  it('opens and iterates 200,000 rows while the heap stays small', async () => {
    const gc = exposeGc();
    gc();
    const baseline = process.memoryUsage().heapUsed;
    let peak = 0;
    const sample = (): void => {
      gc();
      peak = Math.max(peak, process.memoryUsage().heapUsed - baseline);
    };

    const dataset = await openDataset(file);
    sample();
    let count = 0;
    let lastLine = 0;
    for await (const row of dataset.rows()) {
      count++;
      lastLine = row.line ?? 0;
      if (count % 20_000 === 0) sample();
    }

    expect(dataset.rowCount).toBe(lineCount);
    expect(dataset.columns).toEqual(['id', 'input', 'expected']);
    expect(count).toBe(lineCount);
    expect(lastLine).toBe(lineCount);
    expect(peak).toBeLessThan(50 * 1024 * 1024);
  });
});
