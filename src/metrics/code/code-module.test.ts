import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, locateError } from '../../config/load.js';
import { evaluate, type EvaluateOptions } from '../../engine/evaluate.js';
import { ConfigError } from '../../errors.js';
import { builtInMetric } from '../builtin.js';
import type { Metric } from '../metric.js';
import { codeModuleMetric } from './code-module.js';

let dir: string;

/** Writes a file under the test folder and returns its path. */
function write(file: string, text: string): string {
  const full = path.join(dir, file);
  mkdirSync(path.dirname(full), { recursive: true });
  writeFileSync(full, text);
  return full;
}

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'juror-code-module-'));
  write(
    'metrics/length.mjs',
    'export default ({ outputs }) => String(outputs).length;\nexport const short = ({ outputs }) => String(outputs).length <= 3;\nexport const notAFunction = 42;\n',
  );
  write(
    'metrics/common.cjs',
    'module.exports = ({ targets }) => ({ score: targets === "yes", justification: "target was " + targets });\n',
  );
  write('metrics/broken.mjs', 'throw new Error("cannot start: missing API key");\n');
  write('metrics/empty.mjs', '');
});

/** Counts rows scored, to show that a config error stops the run before any row. */
function counter(): { metric: Metric; scored: () => number } {
  let scored = 0;
  return {
    metric: {
      name: 'counter',
      version: 'v1',
      kind: 'code',
      aggregations: ['sum'],
      greaterIsBetter: true,
      prepare: () => () => ({ ok: true, value: ++scored }),
    },
    scored: () => scored,
  };
}

async function runWith(metric: Metric, extra: Partial<EvaluateOptions> = {}) {
  return evaluate({
    data: [
      { outputs: 'abc', targets: 'yes' },
      { outputs: 'abcdef', targets: 'no' },
    ],
    metrics: [metric],
    store: false,
    baseDir: dir,
    ...extra,
  });
}

async function configError(metric: Metric): Promise<ConfigError> {
  const count = counter();
  const error = await evaluate({ data: [{ outputs: 'a' }], metrics: [count.metric, metric], store: false, baseDir: dir }).catch(
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ConfigError);
  expect(count.scored()).toBe(0);
  return error as ConfigError;
}

describe('a code metric from a module', () => {
  it("scores with the module's default export, the module relative to baseDir (the config's folder)", async () => {
    const result = await runWith(codeModuleMetric({ module: 'metrics/length.mjs', name: 'length' }));
    expect(result.tables.eval_results_table.map((row) => row['length/v1/score'])).toEqual([3, 6]);
    expect(result.metrics['length/v1/mean']).toBe(4.5);
  });

  it('scores with a named export', async () => {
    const result = await runWith(
      codeModuleMetric({ module: 'metrics/length.mjs', export: 'short', name: 'short', aggregations: ['ratio'] }),
    );
    expect(result.metrics).toEqual({ 'short/v1/ratio': 0.5 });
  });

  it('loads a CommonJS module, whose module.exports is the default export', async () => {
    const result = await runWith(codeModuleMetric({ module: 'metrics/common.cjs', name: 'agrees', version: 'v2' }));
    expect(result.tables.eval_results_table.map((row) => [row['agrees/v2/score'], row['agrees/v2/justification']])).toEqual([
      [1, 'target was yes'],
      [0, 'target was no'],
    ]);
  });

  it('takes an absolute module path as it is', async () => {
    const result = await runWith(codeModuleMetric({ module: path.join(dir, 'metrics/length.mjs'), name: 'length' }), {
      baseDir: '/elsewhere',
    });
    expect(result.metrics['length/v1/mean']).toBe(4.5);
  });
});

describe('a module that cannot be used is a ConfigError before any row', () => {
  it('when the file does not exist, naming its full path', async () => {
    const error = await configError(codeModuleMetric({ module: 'metrics/missing.mjs', name: 'gone' }));
    expect(error.message).toBe(`code metric 'gone': module ${path.join(dir, 'metrics/missing.mjs')} does not exist`);
    expect(error.where.field).toBe('metrics.gone.module');
  });

  it('when the export does not exist, naming module and export and listing the exports', async () => {
    const error = await configError(codeModuleMetric({ module: 'metrics/length.mjs', export: 'long', name: 'long' }));
    expect(error.message).toBe(`code metric 'long': module ${path.join(dir, 'metrics/length.mjs')} has no export 'long'`);
    expect(error.hint).toBe('its exports are: default, notAFunction, short; name one with export: <name>');
    expect(error.where.field).toBe('metrics.long.export');
  });

  it('when the module has no default export', async () => {
    const error = await configError(codeModuleMetric({ module: 'metrics/empty.mjs', name: 'empty' }));
    expect(error.message).toContain("has no export 'default'");
    expect(error.hint).toContain('the module exports nothing');
  });

  it('when the export is not a function', async () => {
    const error = await configError(codeModuleMetric({ module: 'metrics/length.mjs', export: 'notAFunction', name: 'n' }));
    expect(error.message).toBe(`code metric 'n': export 'notAFunction' of ${path.join(dir, 'metrics/length.mjs')} is 42, not a function`);
  });

  it('when importing the module throws, with its message', async () => {
    const error = await configError(codeModuleMetric({ module: 'metrics/broken.mjs', name: 'broken' }));
    expect(error.message).toBe(
      `code metric 'broken': cannot import ${path.join(dir, 'metrics/broken.mjs')}: cannot start: missing API key`,
    );
  });
});

describe('options', () => {
  it('need module and name, naming the field', () => {
    expect(() => builtInMetric('code', { name: 'm' }, 'metrics[1]')).toThrow(ConfigError);
    expect(() => builtInMetric('code', { name: 'm' }, 'metrics[1]')).toThrow("metric 'code': module: ");
    expect(() => builtInMetric('code', { module: 'm.mjs' }, 'metrics[1]')).toThrow("metric 'code': name: ");
    expect(() => builtInMetric('code', { module: 'm.mjs', name: 'has space' }, 'metrics[1]')).toThrow('a metric name starts with a letter');
    expect(() => builtInMetric('code', { module: 'm.mjs', name: 'm', fn: 'x' }, 'metrics[1]')).toThrow("metric 'code': fn: ");
  });

  it('make a metric of kind code with the given name, version, aggregations and direction', () => {
    expect(
      builtInMetric('code', { module: 'm.mjs', name: 'm', version: 'v3', aggregations: ['median'], greater_is_better: false }),
    ).toMatchObject({
      name: 'm',
      version: 'v3',
      kind: 'code',
      aggregations: ['median'],
      greaterIsBetter: false,
    });
  });
});

describe('from a config file', () => {
  it("resolves the module against the config file's folder and scores", async () => {
    const folder = path.join(dir, 'project');
    write('project/data.jsonl', '{"outputs":"hello"}\n{"outputs":"hi"}\n');
    write(
      'project/metrics/words.mjs',
      'export function wordCount({ outputs }) { return String(outputs).split(/\\s+/).length; }\nexport default ({ outputs }) => String(outputs).length;\n',
    );
    const file = write(
      'project/juror.yaml',
      'data: data.jsonl\nmetrics:\n  - metric: code\n    module: metrics/words.mjs\n    name: chars\n',
    );
    const loaded = await loadConfig(file);
    const result = await evaluate({ ...loaded.options, store: false });
    expect(result.metrics['chars/v1/mean']).toBe(3.5);
    expect(loaded.options.baseDir).toBe(folder);
  });

  it('places a missing module at its line in the config', async () => {
    write('project2/data.jsonl', '{"outputs":"hello"}\n');
    const file = write(
      'project2/juror.yaml',
      'data: data.jsonl\nmetrics:\n  - exact_match\n  - metric: code\n    module: metrics/nope.mjs\n    name: nope\n',
    );
    const loaded = await loadConfig(file);
    const error = await evaluate({ ...loaded.options, metrics: loaded.options.metrics!.slice(1), store: false }).catch((caught: unknown) =>
      locateError(caught, loaded),
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).where).toMatchObject({ file, line: 5, field: 'metrics[1].module' });
  });
});
