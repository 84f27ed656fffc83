/**
 * A tiny toxic-comment classifier in transformers.js's folder layout (config.json, tokenizer.json,
 * tokenizer_config.json, onnx/model.onnx), written by the tests so that the real loading and
 * classifying code runs without any download: a BERT-shaped sequence classifier (inputs
 * input_ids, attention_mask, token_type_ids → logits, labels non-toxic / toxic, as
 * martin-ha/toxic-comment-model) whose "encoder" is a two-feature word embedding summed over the
 * unmasked tokens, then a linear head. Insults score toxic, polite words clean, other words near
 * the bias. The ONNX file is encoded by protobufjs from the subset of onnx.proto beside this file.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

const SPECIAL = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'];
/**
 * Tokens with a feature: [polite, insulting]; every other token (special, unknown, listed below)
 * is [0, 0]. [PAD] reads as an insult on purpose: a batch scores its shorter texts right only
 * if the attention mask hides their padding.
 */
const FEATURES: Record<string, [number, number]> = {
  '[PAD]': [0, 1],
  thank: [1, 0],
  thanks: [1, 0],
  nice: [1, 0],
  please: [1, 0],
  idiot: [0, 1],
  stupid: [0, 1],
  moron: [0, 1],
};
const PLAIN_WORDS = ['you', 'are', 'an', 'a', 'the', 'have', 'day', 'is', 'what', '.', ',', '!', '?'];
const VOCAB = [...new Set([...SPECIAL, ...Object.keys(FEATURES), ...PLAIN_WORDS])];

/** Head: logits = features · HEAD + BIAS, so a sentence with no feature word is non-toxic (p(toxic) = 1 / (1 + e²) ≈ 0.12). */
const HEAD = [
  [2, -1],
  [-2, 4],
];
const BIAS = [1, -1];

/** The labels, as config.json's id2label. */
export const TINY_LABELS = { 0: 'non-toxic', 1: 'toxic' } as const;

/**
 * Writes the model into `folder` (created if missing) and returns the folder.
 * @example const folder = await writeTinyToxicityModel(mkdtempSync(join(tmpdir(), 'tox-')));
 */
export async function writeTinyToxicityModel(folder: string): Promise<string> {
  await mkdir(path.join(folder, 'onnx'), { recursive: true });
  const json = (value: unknown) => JSON.stringify(value, null, 2);
  await writeFile(path.join(folder, 'config.json'), json(modelConfig()));
  await writeFile(path.join(folder, 'tokenizer.json'), json(tokenizer()));
  await writeFile(path.join(folder, 'tokenizer_config.json'), json(tokenizerConfig()));
  await writeFile(path.join(folder, 'onnx', 'model.onnx'), await onnxModel());
  return folder;
}

function modelConfig() {
  return {
    model_type: 'bert',
    architectures: ['BertForSequenceClassification'],
    id2label: TINY_LABELS,
    label2id: Object.fromEntries(Object.entries(TINY_LABELS).map(([id, label]) => [label, Number(id)])),
    vocab_size: VOCAB.length,
    max_position_embeddings: 64,
  };
}

function tokenizerConfig() {
  return {
    tokenizer_class: 'BertTokenizer',
    do_lower_case: true,
    model_max_length: 64,
    pad_token: '[PAD]',
    unk_token: '[UNK]',
    cls_token: '[CLS]',
    sep_token: '[SEP]',
    mask_token: '[MASK]',
  };
}

/** A BERT-style WordPiece tokenizer (lower-casing, splitting on spaces and punctuation, [CLS] … [SEP]). */
function tokenizer() {
  const id = (token: string) => VOCAB.indexOf(token);
  const special = (token: string) => ({ SpecialToken: { id: token, type_id: 0 } });
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: SPECIAL.map((token) => ({
      id: id(token),
      content: token,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [special('[CLS]'), { Sequence: { id: 'A', type_id: 0 } }, special('[SEP]')],
      pair: [
        special('[CLS]'),
        { Sequence: { id: 'A', type_id: 0 } },
        special('[SEP]'),
        { Sequence: { id: 'B', type_id: 1 } },
        { SpecialToken: { id: '[SEP]', type_id: 1 } },
      ],
      special_tokens: Object.fromEntries(['[CLS]', '[SEP]'].map((token) => [token, { id: token, ids: [id(token)], tokens: [token] }])),
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: '[UNK]',
      continuing_subword_prefix: '##',
      max_input_chars_per_word: 100,
      vocab: Object.fromEntries(VOCAB.map((token, i) => [token, i])),
    },
  };
}

const FLOAT = 1;
const INT64 = 7;
const OPSET = 13;

/** The ONNX graph: Gather → × mask → ReduceSum over tokens → MatMul → Add → logits. */
async function onnxModel(): Promise<Uint8Array> {
  const schema = await readFile(fileURLToPath(new URL('./onnx.proto', import.meta.url)), 'utf8');
  const Model = protobuf.parse(schema, { keepCase: true }).root.lookupType('onnx.ModelProto');
  const tensorInput = (name: string, type: number, dims: Array<string | number>) => ({
    name,
    type: {
      tensor_type: { elem_type: type, shape: { dim: dims.map((d) => (typeof d === 'string' ? { dim_param: d } : { dim_value: d })) } },
    },
  });
  const floats = (name: string, dims: number[], values: number[]) => ({ name, dims, data_type: FLOAT, float_data: values });
  const node = (op_type: string, input: string[], output: string, attribute: object[] = []) => ({
    op_type,
    input,
    output: [output],
    name: output,
    attribute,
  });
  const embedding = VOCAB.flatMap((token) => FEATURES[token] ?? [0, 0]);
  const model = Model.fromObject({
    ir_version: 8,
    producer_name: 'juror-tests',
    opset_import: [{ domain: '', version: OPSET }],
    graph: {
      name: 'tiny_toxicity',
      input: ['input_ids', 'attention_mask', 'token_type_ids'].map((name) => tensorInput(name, INT64, ['batch_size', 'sequence_length'])),
      output: [tensorInput('logits', FLOAT, ['batch_size', 2])],
      initializer: [
        floats('embedding', [VOCAB.length, 2], embedding),
        floats('head', [2, 2], HEAD.flat()),
        floats('bias', [2], BIAS),
        { name: 'last_axis', dims: [1], data_type: INT64, int64_data: [-1] },
        { name: 'token_axis', dims: [1], data_type: INT64, int64_data: [1] },
      ],
      node: [
        node('Gather', ['embedding', 'input_ids'], 'token_features'),
        node('Cast', ['attention_mask'], 'mask', [{ name: 'to', type: 2, i: FLOAT }]),
        node('Unsqueeze', ['mask', 'last_axis'], 'mask_column'),
        node('Mul', ['token_features', 'mask_column'], 'kept_features'),
        node('ReduceSum', ['kept_features', 'token_axis'], 'features', [{ name: 'keepdims', type: 2, i: 0 }]),
        node('MatMul', ['features', 'head'], 'scores'),
        node('Add', ['scores', 'bias'], 'logits'),
      ],
    },
  });
  return Model.encode(model).finish();
}
