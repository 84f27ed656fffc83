import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { ConfigError, InputError } from '../errors.js';
import { detectFormat, openDataset, type Dataset, type DatasetRow } from './dataset.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'juror-dataset-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function write(name: string, content: string): string {
  const file = path.join(dir, name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
  return file;
}

async function collect(rows: AsyncIterable<DatasetRow>): Promise<DatasetRow[]> {
  const collected: DatasetRow[] = [];
  for await (const row of rows) collected.push(row);
  return collected;
}

describe('detectFormat', () => {
  it('maps each supported extension, ignoring case', () => {
    expect(detectFormat('a.csv')).toBe('csv');
    expect(detectFormat('a.JSONL')).toBe('jsonl');
    expect(detectFormat('a.ndjson')).toBe('jsonl');
    expect(detectFormat('/x/a.Json')).toBe('json');
    expect(detectFormat('a.parquet')).toBe('parquet');
  });

  it('rejects other extensions with a ConfigError naming the file and the supported extensions', () => {
    const error = (() => {
      try {
        detectFormat('data/evals.xlsx');
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toContain('data/evals.xlsx');
    expect((error as ConfigError).where.file).toBe('data/evals.xlsx');
    expect((error as ConfigError).hint).toContain('.csv, .jsonl, .ndjson, .json, .parquet');
  });
});

describe('openDataset', () => {
  it('names the dataset after the file and records its absolute path', async () => {
    const file = write('named/evals.v2.jsonl', '{"a":1}\n');
    const dataset = await openDataset(file);
    expect(dataset.name).toBe('evals.v2');
    expect(dataset.path).toBe(file);
  });

  it('resolves a relative path against baseDir', async () => {
    const file = write('base/rel.csv', 'a\n1\n');
    const dataset = await openDataset('rel.csv', { baseDir: path.join(dir, 'base') });
    expect(dataset.path).toBe(file);
  });

  it('resolves a relative path against the working directory without baseDir', async () => {
    const file = write('cwd/rel.jsonl', '{"a":1}\n');
    vi.spyOn(process, 'cwd').mockReturnValue(path.join(dir, 'cwd'));
    try {
      expect((await openDataset('rel.jsonl')).path).toBe(file);
    } finally {
      vi.restoreAllMocks();
    }
  });

  it('reports a missing file with its absolute path and a hint about the data key', async () => {
    const error = await openDataset('missing.csv', { baseDir: dir }).catch((caught: unknown) => caught);
    const file = path.join(dir, 'missing.csv');
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message).toBe(`data file not found: ${file}`);
    expect((error as InputError).where.file).toBe(file);
    expect((error as InputError).hint).toContain('relative to the config file');
  });

  it('reports a directory given as the data file', async () => {
    fs.mkdirSync(path.join(dir, 'folder.csv'));
    const error = await openDataset('folder.csv', { baseDir: dir }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message).toContain('not a file');
    expect((error as InputError).hint).toContain('a .csv, .jsonl, .json or .parquet file');
  });

  it('hashes a file as sha256 of its bytes, the same for the same bytes', async () => {
    const first = await openDataset(write('h1.jsonl', '{"a":1}\n'));
    const second = await openDataset(write('h2.jsonl', '{"a":1}\n'));
    expect(first.hash).toBe(`sha256:${createHash('sha256').update('{"a":1}\n').digest('hex')}`);
    expect(second.hash).toBe(first.hash);
  });

  it('hashes different bytes differently, even when the records are equal', async () => {
    const first = await openDataset(write('d1.jsonl', '{"a":1}\n'));
    const second = await openDataset(write('d2.jsonl', '{"a": 1}\n'));
    expect(second.hash).not.toBe(first.hash);
  });

  it('streams the rows again on every iteration, even of the same iterable', async () => {
    const dataset: Dataset = await openDataset(write('again.csv', 'a\n1\n2\n'));
    const rows = dataset.rows();
    const first = await collect(rows);
    expect(await collect(rows)).toEqual(first);
    expect(await collect(dataset.rows())).toEqual(first);
    expect(first).toHaveLength(2);
  });

  it('can stop iterating early and start again', async () => {
    const dataset = await openDataset(write('early.jsonl', '{"a":1}\n{"a":2}\n{"a":3}\n'));
    for await (const row of dataset.rows()) {
      expect(row.index).toBe(0);
      break;
    }
    expect(await collect(dataset.rows())).toHaveLength(3);
  });

  it('rejects a negative or fractional offset with a ConfigError', async () => {
    const dataset = await openDataset(write('offset.jsonl', '{"a":1}\n'));
    expect(() => dataset.rows({ offset: -1 })).toThrow(ConfigError);
    expect(() => dataset.rows({ offset: 1.5 })).toThrow(ConfigError);
  });

  it('yields nothing for an offset past the end', async () => {
    const dataset = await openDataset(write('past.csv', 'a\n1\n'));
    expect(await collect(dataset.rows({ offset: 5 }))).toEqual([]);
  });
});
