import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../errors.js';
import { loadClassifier, TRANSFORMERS_PACKAGE } from './classifier.js';

const MODEL = 'facebook/roberta-hate-speech-dynabench-r4-target';

interface PipelineCall {
  task: string;
  model: string;
  options: Record<string, unknown>;
}

/** A stand-in for transformers.js: pipeline() records its arguments and classifies by a word. */
function fakeTransformers(options: { fail?: Error; id2label?: Record<string, string> | null; answer?: (texts: string[]) => unknown } = {}) {
  const calls: PipelineCall[] = [];
  const batches: string[][] = [];
  const module = {
    async pipeline(task: string, model: string, pipelineOptions: Record<string, unknown>) {
      calls.push({ task, model, options: pipelineOptions });
      if (options.fail) throw options.fail;
      const pipe = async (texts: string[], callOptions: { top_k: null }) => {
        expect(callOptions).toEqual({ top_k: null });
        batches.push(texts);
        if (options.answer) return options.answer(texts);
        return texts.map((text) => {
          const hate = text.includes('hate') ? 0.9 : 0.1;
          return [
            { label: 'nothate', score: 1 - hate },
            { label: 'hate', score: hate },
          ];
        });
      };
      return Object.assign(pipe, {
        model: { config: options.id2label === null ? {} : { id2label: options.id2label ?? { 0: 'nothate', 1: 'hate' } } },
      });
    },
  };
  return { importTransformers: async () => module, calls, batches };
}

/** A model folder with the given files (paths relative to it). */
function modelFolder(files: string[]): string {
  const folder = mkdtempSync(path.join(tmpdir(), 'juror-classifier-'));
  for (const file of files) {
    mkdirSync(path.dirname(path.join(folder, file)), { recursive: true });
    writeFileSync(path.join(folder, file), '{}');
  }
  return folder;
}

async function loadError(promise: Promise<unknown>): Promise<ConfigError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return error as ConfigError;
}

describe('loading the package', () => {
  it('turns a failed import into a ConfigError that names the package and the reason', async () => {
    const error = await loadError(
      loadClassifier({ model: MODEL }, () =>
        Promise.reject(new Error("Cannot find package '@huggingface/transformers'\nRequire stack: …")),
      ),
    );
    expect(error.message).toBe(
      `metric 'toxicity' needs ${TRANSFORMERS_PACKAGE}, which cannot be imported: Cannot find package '@huggingface/transformers'`,
    );
    expect(error.hint).toContain('ONNXRUNTIME_NODE_INSTALL=skip');
  });

  it('refuses a module without pipeline()', async () => {
    const error = await loadError(loadClassifier({ model: MODEL }, async () => ({})));
    expect(error.message).toContain('has no pipeline() function');
  });
});

describe('loading a model from the Hub', () => {
  it('asks transformers.js for a text-classification pipeline of the model id', async () => {
    const fake = fakeTransformers();
    const classifier = await loadClassifier({ model: MODEL }, fake.importTransformers);
    expect(fake.calls).toEqual([{ task: 'text-classification', model: MODEL, options: {} }]);
    expect(classifier.labels).toEqual(['nothate', 'hate']);
  });

  it('names the model, the reason and both ways to provide it when the download fails (no network)', async () => {
    const fake = fakeTransformers({ fail: new TypeError('fetch failed') });
    const error = await loadError(loadClassifier({ model: MODEL }, fake.importTransformers));
    expect(error.message).toBe(`metric 'toxicity' cannot load the classifier '${MODEL}': fetch failed`);
    expect(error.hint).toContain('`local_path:`');
    expect(error.hint).toContain(`optimum-cli export onnx --task text-classification --model ${MODEL}`);
    expect(error.hint).toContain('huggingface.co');
    expect(error.where.field).toBe('metrics.toxicity.model');
  });

  it('refuses a model whose config has no labels', async () => {
    const fake = fakeTransformers({ id2label: null });
    const error = await loadError(loadClassifier({ model: MODEL }, fake.importTransformers));
    expect(error.message).toContain('has no id2label');
  });
});

describe('loading a model from a folder', () => {
  it('loads transformers.js layout (onnx/model.onnx) from the folder alone', async () => {
    const folder = modelFolder(['config.json', 'tokenizer.json', 'onnx/model.onnx']);
    const fake = fakeTransformers();
    await loadClassifier({ model: MODEL, localPath: folder }, fake.importTransformers);
    expect(fake.calls).toEqual([
      { task: 'text-classification', model: folder, options: { local_files_only: true, subfolder: 'onnx', dtype: 'fp32' } },
    ]);
  });

  it("loads optimum-cli's layout (model.onnx at the top)", async () => {
    const folder = modelFolder(['config.json', 'tokenizer.json', 'model.onnx']);
    const fake = fakeTransformers();
    await loadClassifier({ model: MODEL, localPath: folder }, fake.importTransformers);
    expect(fake.calls[0]!.options).toEqual({ local_files_only: true, subfolder: '', dtype: 'fp32' });
  });

  it('loads quantized weights when they are the only ones', async () => {
    const folder = modelFolder(['config.json', 'tokenizer.json', 'onnx/model_quantized.onnx']);
    const fake = fakeTransformers();
    await loadClassifier({ model: MODEL, localPath: folder }, fake.importTransformers);
    expect(fake.calls[0]!.options).toEqual({ local_files_only: true, subfolder: 'onnx', dtype: 'q8' });
  });

  it('names a local path that does not exist, without calling transformers.js', async () => {
    const folder = path.join(tmpdir(), 'juror-no-such-model');
    const fake = fakeTransformers();
    const error = await loadError(loadClassifier({ model: MODEL, localPath: folder }, fake.importTransformers));
    expect(error.message).toBe(`metric 'toxicity' cannot load the classifier in ${folder}: local_path ${folder} is not a folder`);
    expect(error.where.field).toBe('metrics.toxicity.local_path');
    expect(fake.calls).toEqual([]);
  });

  it('names the setting that gave the folder (JUROR_TOXICITY_MODEL) in the message and the field', async () => {
    const folder = path.join(tmpdir(), 'juror-no-such-model');
    const error = await loadError(
      loadClassifier({ model: MODEL, localPath: folder, localPathSetting: 'JUROR_TOXICITY_MODEL' }, fakeTransformers().importTransformers),
    );
    expect(error.message).toContain(`: JUROR_TOXICITY_MODEL ${folder} is not a folder`);
    expect(error.where.field).toBe('JUROR_TOXICITY_MODEL');
  });

  it('lists the files a folder lacks', async () => {
    const folder = modelFolder(['config.json']);
    const error = await loadError(loadClassifier({ model: MODEL, localPath: folder }, fakeTransformers().importTransformers));
    expect(error.message).toContain(`local_path ${folder} has no tokenizer.json, onnx/model.onnx`);
  });
});

describe('classifying', () => {
  it('classifies a batch with every label scored, one list per text', async () => {
    const fake = fakeTransformers();
    const classifier = await loadClassifier({ model: MODEL }, fake.importTransformers);
    const scores = await classifier.classify(['I hate you', 'hello']);
    expect(fake.batches).toEqual([['I hate you', 'hello']]);
    expect(scores.map((s) => s.find((l) => l.label === 'hate')!.score)).toEqual([0.9, 0.1]);
  });

  it('refuses an answer that is not one list of label scores per text', async () => {
    const fake = fakeTransformers({ answer: () => [{ label: 'hate', score: 0.9 }] });
    const classifier = await loadClassifier({ model: MODEL }, fake.importTransformers);
    await expect(classifier.classify(['a'])).rejects.toThrow('not one list of label scores per text');
  });
});
