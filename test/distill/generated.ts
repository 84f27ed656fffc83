/**
 * Generated labelled rows for distillation tests and the bench: an answer is supported (1) when it
 * names one of the SUPPORTED topics and unsupported (0) when it names one of the UNSUPPORTED ones,
 * among filler words — a rule a bag of n-grams can learn. Noise is either uniform (each label
 * flipped with probability `noise`) or `ambiguous`: a share of rows names one topic of each kind,
 * and their label is a coin flip, while `rule` (what a careful judge would say) takes the first
 * topic named.
 */
import { mulberry32 } from '../../src/agreement/prng.js';

export const SUPPORTED = [
  'refund',
  'warranty',
  'shipping',
  'invoice',
  'receipt',
  'exchange',
  'tracking',
  'discount',
  'voucher',
  'delivery',
];
export const UNSUPPORTED = ['lottery', 'horoscope', 'crypto', 'casino', 'astrology', 'jackpot', 'tarot', 'betting', 'fortune', 'psychic'];
const FILLER =
  'the a of to and in for on with as by at from it this that is was be are we you they our your their can will would should may might must have has had do does did not more most very also just about into over after before under again further then once here there when where why how all any both each few other some such only own same so than too'.split(
    ' ',
  );

export type GeneratedRow = {
  question: string;
  answer: string;
  /** The label to learn, with noise. */
  label: number;
  /** The rule's label, without noise (what the scripted LLM judge answers). */
  rule: number;
};

export interface GenerateOptions {
  rows: number;
  seed?: number;
  /** Uniform label noise: the probability a label is flipped. */
  noise?: number;
  /** Share of rows naming a topic of each kind, whose label is a coin flip. */
  ambiguous?: number;
}

/** Rows whose label follows the topic rule, with the noise asked for. */
export function generateRows(options: GenerateOptions): GeneratedRow[] {
  const random = mulberry32(options.seed ?? 7);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const words = (n: number) => Array.from({ length: n }, () => pick(FILLER));
  return Array.from({ length: options.rows }, () => {
    const ambiguous = random() < (options.ambiguous ?? 0);
    const positive = random() < 0.5;
    const topics = ambiguous
      ? positive
        ? [pick(SUPPORTED), pick(UNSUPPORTED)]
        : [pick(UNSUPPORTED), pick(SUPPORTED)]
      : [pick(positive ? SUPPORTED : UNSUPPORTED)];
    const answer = [...words(4 + Math.floor(random() * 6)), ...topics.flatMap((t) => [t, ...words(2 + Math.floor(random() * 4))])].join(
      ' ',
    );
    const rule = positive ? 1 : 0;
    let label = rule;
    if (ambiguous) label = random() < 0.5 ? 1 : 0;
    else if (random() < (options.noise ?? 0)) label = 1 - rule;
    return { question: `What does the policy say about ${pick(SUPPORTED)}?`, answer, label, rule };
  });
}

/** The rule without noise for any text: 1 when the first topic it names is a supported one, 0 when unsupported, undefined when none. */
export function ruleOf(text: string): number | undefined {
  for (const word of text.toLowerCase().split(/[^a-z]+/)) {
    if (SUPPORTED.includes(word)) return 1;
    if (UNSUPPORTED.includes(word)) return 0;
  }
  return undefined;
}
