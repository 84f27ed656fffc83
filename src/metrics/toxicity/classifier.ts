/**
 * A local text classifier run by transformers.js (`@huggingface/transformers`, ONNX Runtime):
 * loaded from a folder, or from the Hugging Face Hub on first use into transformers.js's cache.
 *
 * transformers.js is an optional dependency, imported only when a classifier is loaded: it weighs
 * some 470 MB that most runs never use, and on Linux x64 the install script of its
 * `onnxruntime-node` downloads CUDA libraries from NuGet, which fails where only the npm registry
 * is reachable (npm 11 runs no dependency install script unless allowed; older npm needs
 * ONNXRUNTIME_NODE_INSTALL=skip). The CPU runtime ships inside the npm package either way.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError } from '../../errors.js';

/** The package that runs the classifier. */
export const TRANSFORMERS_PACKAGE = '@huggingface/transformers';

/** One label's probability, as transformers.js's text-classification pipeline gives it. */
export interface LabelScore {
  label: string;
  score: number;
}

/** A loaded classifier: its labels, and every label's probability for each of a batch of texts. */
export interface TextClassifier {
  readonly labels: readonly string[];
  classify(texts: string[]): Promise<LabelScore[][]>;
}

/** Which classifier to load: a Hub model id, or a folder that holds the model. */
export interface ClassifierSource {
  model: string;
  /** An absolute folder with config.json, tokenizer.json and the ONNX weights; nothing is downloaded. */
  localPath?: string;
  /** The setting that gave `localPath`, named in errors: `local_path` unless said otherwise. */
  localPathSetting?: string;
}

/** The parts of transformers.js used here. */
interface TransformersModule {
  pipeline(task: 'text-classification', model: string, options: Record<string, unknown>): Promise<Pipeline>;
}

interface Pipeline {
  (texts: string[], options: { top_k: null }): Promise<unknown>;
  model?: { config?: { id2label?: Record<string, string> } };
}

/** Imports transformers.js; a variable specifier keeps TypeScript from requiring it at build time. */
export type ImportTransformers = () => Promise<unknown>;

const importInstalled: ImportTransformers = () => import(TRANSFORMERS_PACKAGE);

/**
 * Loads a classifier; every failure is a ConfigError naming the model and how to provide it.
 * @example const classifier = await loadClassifier({ model: 'Xenova/toxic-bert' });
 */
export async function loadClassifier(
  source: ClassifierSource,
  importTransformers: ImportTransformers = importInstalled,
): Promise<TextClassifier> {
  const transformers = await importPackage(importTransformers);
  const layout = source.localPath ? await folderLayout(source) : undefined;
  let pipe: Pipeline;
  try {
    pipe = await transformers.pipeline(
      'text-classification',
      source.localPath ?? source.model,
      layout ? { local_files_only: true, ...layout } : {},
    );
  } catch (cause) {
    throw loadError(source, firstLine(cause), cause);
  }
  const labels = Object.values(pipe.model?.config?.id2label ?? {});
  if (labels.length === 0) throw loadError(source, 'its config.json has no id2label: it is not a text classifier');
  return {
    labels,
    async classify(texts) {
      return asBatchScores(await pipe(texts, { top_k: null }), texts.length);
    },
  };
}

async function importPackage(importTransformers: ImportTransformers): Promise<TransformersModule> {
  let loaded: unknown;
  try {
    loaded = await importTransformers();
  } catch (cause) {
    throw new ConfigError(`metric 'toxicity' needs ${TRANSFORMERS_PACKAGE}, which cannot be imported: ${firstLine(cause)}`, {
      hint: `install it to use toxicity: npm install ${TRANSFORMERS_PACKAGE} (where api.nuget.org is unreachable, install with ONNXRUNTIME_NODE_INSTALL=skip: the CPU runtime ships in the npm package)`,
      cause,
    });
  }
  if (typeof (loaded as Partial<TransformersModule> | undefined)?.pipeline !== 'function') {
    throw new ConfigError(`${TRANSFORMERS_PACKAGE} has no pipeline() function`, {
      hint: `install a version of ${TRANSFORMERS_PACKAGE} from 3 on`,
    });
  }
  return loaded as TransformersModule;
}

/**
 * Where the ONNX weights are in a model folder: transformers.js's layout (`onnx/model.onnx`, or
 * the quantized `onnx/model_quantized.onnx`) or optimum-cli's (`model.onnx` at the top).
 */
async function folderLayout(source: ClassifierSource): Promise<{ subfolder: string; dtype: 'fp32' | 'q8' }> {
  const folder = source.localPath!;
  const setting = source.localPathSetting ?? 'local_path';
  if (!(await isFile(folder, '.', 'directory'))) throw loadError(source, `${setting} ${folder} is not a folder`);
  const missing: string[] = [];
  for (const file of ['config.json', 'tokenizer.json']) {
    if (!(await isFile(folder, file))) missing.push(file);
  }
  const layouts = [
    { file: 'onnx/model.onnx', subfolder: 'onnx', dtype: 'fp32' },
    { file: 'model.onnx', subfolder: '', dtype: 'fp32' },
    { file: 'onnx/model_quantized.onnx', subfolder: 'onnx', dtype: 'q8' },
  ] as const;
  let found: (typeof layouts)[number] | undefined;
  for (const layout of layouts) {
    if (await isFile(folder, layout.file)) {
      found = layout;
      break;
    }
  }
  if (!found) missing.push('onnx/model.onnx');
  if (missing.length) throw loadError(source, `${setting} ${folder} has no ${missing.join(', ')}`);
  return { subfolder: found!.subfolder, dtype: found!.dtype };
}

async function isFile(folder: string, file: string, kind: 'file' | 'directory' = 'file'): Promise<boolean> {
  try {
    const stats = await stat(path.join(folder, file));
    return kind === 'file' ? stats.isFile() : stats.isDirectory();
  } catch {
    return false;
  }
}

function loadError(source: ClassifierSource, reason: string, cause?: unknown): ConfigError {
  const what = source.localPath ? `the classifier in ${source.localPath}` : `the classifier '${source.model}'`;
  const setting = source.localPathSetting ?? 'local_path';
  return new ConfigError(`metric 'toxicity' cannot load ${what}: ${reason}`, {
    where: { field: !source.localPath ? 'metrics.toxicity.model' : setting === 'local_path' ? 'metrics.toxicity.local_path' : setting },
    hint:
      `${MODEL_FOLDER_HINT}; a model published without ONNX weights (as MLflow's default) exports with: optimum-cli export onnx --task text-classification --model ${source.model} <folder>` +
      (source.localPath
        ? ''
        : "; or let this machine reach huggingface.co to download a model id with ONNX weights into transformers.js's cache"),
    ...(cause !== undefined ? { cause } : {}),
  });
}

/** How to provide a classifier, for every error that lacks one (README.md, "Toxicity", has the steps). */
export const MODEL_FOLDER_HINT =
  'transformers.js loads a folder with config.json, tokenizer.json and ONNX weights (onnx/model.onnx): download one once, e.g. ' +
  "`huggingface-cli download Xenova/toxic-bert --local-dir models/toxic-bert`, and give its path to the metric's `local_path:` or to " +
  'JUROR_TOXICITY_MODEL (see "Toxicity" in README.md)';

/** Checks the pipeline's answer for a batch: one list of label scores per text. */
function asBatchScores(output: unknown, count: number): LabelScore[][] {
  const isScore = (s: unknown): s is LabelScore =>
    typeof s === 'object' && s !== null && typeof (s as LabelScore).label === 'string' && typeof (s as LabelScore).score === 'number';
  if (!Array.isArray(output) || output.length !== count || !output.every((item) => Array.isArray(item) && item.every(isScore))) {
    throw new Error(
      `the classifier answered ${JSON.stringify(output)?.slice(0, 120)} for ${count} texts, not one list of label scores per text`,
    );
  }
  return output as LabelScore[][];
}

function firstLine(error: unknown): string {
  return String((error as Error)?.message ?? error).split('\n')[0]!;
}
