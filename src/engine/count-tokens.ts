/**
 * Counting the tokens of a prompt in time linear in its length, for the dry run's estimate and
 * the budget's check before each call. js-tiktoken's byte-pair merge is quadratic in the length
 * of one pre-tokenized piece (a word, a run of spaces) and slow even for short unknown pieces:
 * a 1,000-character word takes ~0.3 s, a 10 MB cell without spaces would take days. So:
 * - text is handed to the encoder in chunks of at most {@link CHUNK} characters, cut just before
 *   the last whitespace character in front of a word, where tiktoken's own split would cut
 *   (` word` is one piece), so the chunks' counts add up to the whole text's;
 * - runs of more than {@link LONG_RUN} non-space (or space) characters — base64, a repeated word,
 *   a minified line — are counted in {@link FRAGMENT}-character fragments for their first
 *   {@link SAMPLED} characters, and the rest at the tokens-per-character ratio those measured.
 * Ordinary prose has no such runs and is counted exactly (but for at most one token a chunk).
 */
import type { Tiktoken } from 'js-tiktoken/lite';

/** Longest run of one kind of character handed to the encoder whole. */
const LONG_RUN = 64;
/** Fragment length for long runs: short enough for the quadratic merge to be cheap. */
const FRAGMENT = 32;
/** Characters of long runs, per text, tokenized fragment by fragment before extrapolating. */
const SAMPLED = 16_384;
/** Largest piece of text handed to the encoder at once. */
const CHUNK = 8_192;

/**
 * The number of tokens of `text` under `encoder`, within about 1% of `encoder.encode(text).length`
 * on ordinary text and in linear time on any text. Text that looks like a special token is counted
 * as the plain text it is (a user's data is never a control token).
 * @example countTokens(getEncoding('o200k_base'), 'lorem'.repeat(2_000_000)) // ≈ 4 million, in a second
 */
export function countTokens(encoder: Tiktoken, text: string): number {
  let tokens = 0;
  const sample = { chars: 0, tokens: 0, rest: 0 };
  let from = 0;
  for (const [start, end] of longRuns(text)) {
    tokens += countChunked(encoder, text, from, start);
    countLongRun(encoder, text.slice(start, end), sample);
    from = end;
  }
  tokens += countChunked(encoder, text, from, text.length);
  return tokens + sample.tokens + (sample.rest > 0 ? Math.round((sample.rest * sample.tokens) / sample.chars) : 0);
}

/**
 * The [start, end) of each run of more than LONG_RUN spaces or non-spaces. Found by alternately
 * searching for the next space and the next non-space: a regex such as \S{65,} overflows V8's
 * backtracking stack on a run of megabytes.
 */
function* longRuns(text: string): Generator<[number, number]> {
  const nextSpace = /\s/g;
  const nextNonSpace = /\S/g;
  let start = 0;
  let inSpace = /^\s/.test(text);
  while (start < text.length) {
    const next = inSpace ? nextNonSpace : nextSpace;
    next.lastIndex = start;
    const end = next.exec(text)?.index ?? text.length;
    if (end - start > LONG_RUN) yield [start, end];
    start = end;
    inSpace = !inSpace;
  }
}

/** Counts `text[from, to)`, which has no long run, in chunks cut where tiktoken cuts anyway. */
function countChunked(encoder: Tiktoken, text: string, from: number, to: number): number {
  let tokens = 0;
  while (from < to) {
    let end = Math.min(to, from + CHUNK);
    if (end < to) {
      // Back to a whitespace character followed by a non-space: it starts the next chunk's word piece.
      let cut = end - 1;
      while (cut > from && !startsWord(text, cut)) cut--;
      if (cut > from) end = cut;
    }
    tokens += encoder.encode(text.slice(from, end), [], []).length;
    from = end;
  }
  return tokens;
}

/** Adds a long run to the sample: fragment by fragment while the sample has room, then by length. */
function countLongRun(encoder: Tiktoken, run: string, sample: { chars: number; tokens: number; rest: number }): void {
  let i = 0;
  for (; i < run.length && sample.chars < SAMPLED; i += FRAGMENT) {
    const fragment = run.slice(i, i + FRAGMENT);
    sample.tokens += encoder.encode(fragment, [], []).length;
    sample.chars += fragment.length;
  }
  sample.rest += Math.max(0, run.length - i);
}

const spaceBeforeWord = /\s\S/y;

/** True when `text[at]` is whitespace followed by a non-space: the start of a ` word` piece. */
function startsWord(text: string, at: number): boolean {
  spaceBeforeWord.lastIndex = at;
  return spaceBeforeWord.test(text);
}
