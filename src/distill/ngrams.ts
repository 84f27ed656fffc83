/**
 * Hashed n-gram features, always available (no model to download): word unigrams and bigrams and
 * character 3–5-grams of each text column, hashed into a fixed space (the "hashing trick", as
 * scikit-learn's HashingVectorizer), weighted by log-count (1 + ln tf: sublinear tf, no idf, so
 * that nothing but the hashing parameters has to be stored) and L2-normalised per row.
 *
 * Each column hashes under its own seed, so that "yes" in the question and "yes" in the answer are
 * different features. Hashes are FNV-1a over UTF-16 code units, finished by MurmurHash3's fmix32
 * (FNV's low bits mix poorly, and the index is taken from them); character n-grams are hashed
 * incrementally from each start position, without building substrings.
 */
import { cellText } from '../data/columns.js';
import type { DataRecord } from '../data/dataset.js';

/** What the n-gram features are made of; stored with a distilled judge so that scoring featurizes as training did. */
export interface NgramParameters {
  kind: 'ngrams';
  /** Size of the hashed space, a power of two. */
  dimension: number;
  /** The text columns, in order; a column's position seeds its hashes. */
  columns: string[];
  /** Word n-gram lengths, `[1, 2]`: unigrams and bigrams. */
  words: [number, number];
  /** Character n-gram lengths, `[3, 5]`. */
  chars: [number, number];
  /** Characters of a column read at most (longer texts are cut), bounding the work per row. */
  maxChars: number;
}

/** A sparse row: sorted distinct feature indices and their values. */
export interface SparseRow {
  indices: Int32Array;
  values: Float64Array;
}

/** The default n-gram features over `columns`: 2^18 hashed dimensions. */
export function defaultNgrams(columns: string[]): NgramParameters {
  return { kind: 'ngrams', dimension: 1 << 18, columns, words: [1, 2], chars: [3, 5], maxChars: 10_000 };
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
const WORD = /[\p{L}\p{N}]+/gu;

/** MurmurHash3's 32-bit finalizer: spreads every input bit over the output. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function fnv(seed: number, text: string): number {
  let h = seed;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), FNV_PRIME);
  return h;
}

/** The features of one row under `params`, as a sparse L2-normalised row. */
export function ngramFeatures(params: NgramParameters, record: DataRecord): SparseRow {
  const counts = new Map<number, number>();
  const mask = params.dimension - 1;
  const add = (hash: number) => {
    const index = fmix32(hash) & mask;
    counts.set(index, (counts.get(index) ?? 0) + 1);
  };
  params.columns.forEach((column, c) => {
    const text = cellText(record[column]).slice(0, params.maxChars).toLowerCase();
    const wordSeed = Math.imul(FNV_OFFSET ^ (c * 3 + 1), FNV_PRIME);
    const charSeed = Math.imul(FNV_OFFSET ^ (c * 3 + 2), FNV_PRIME);
    const words = text.match(WORD) ?? [];
    const [wMin, wMax] = params.words;
    for (let i = 0; i < words.length; i++) {
      let h = wordSeed;
      for (let n = 1; n <= wMax && i + n <= words.length; n++) {
        // A separator between words, so that ["ab", "c"] and ["a", "bc"] differ.
        h = fnv(n > 1 ? Math.imul(h ^ 0x20, FNV_PRIME) : h, words[i + n - 1]!);
        if (n >= wMin) add(Math.imul(h ^ n, FNV_PRIME));
      }
    }
    // Character n-grams over the words joined by single spaces, with a space at either end.
    const joined = ` ${words.join(' ')} `;
    const [cMin, cMax] = params.chars;
    for (let i = 0; i < joined.length; i++) {
      let h = charSeed;
      for (let n = 1; n <= cMax && i + n <= joined.length; n++) {
        h = Math.imul(h ^ joined.charCodeAt(i + n - 1), FNV_PRIME);
        if (n >= cMin) add(Math.imul(h ^ (n << 8), FNV_PRIME));
      }
    }
  });
  const indices = Int32Array.from(counts.keys()).sort();
  const values = new Float64Array(indices.length);
  let norm = 0;
  for (let i = 0; i < indices.length; i++) {
    const v = 1 + Math.log(counts.get(indices[i]!)!);
    values[i] = v;
    norm += v * v;
  }
  norm = Math.sqrt(norm);
  if (norm > 0) for (let i = 0; i < values.length; i++) values[i]! /= norm;
  return { indices, values };
}
