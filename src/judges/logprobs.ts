/**
 * G-Eval scoring (Liu et al., 2023, "G-Eval: NLG Evaluation using GPT-4 with Better Human
 * Alignment", §2.3): rather than the one score a judge wrote, the probability-weighted sum of the
 * scores its model considered at the score's position, Σ p(s)·s, with p renormalized over the
 * allowed scores among the returned alternatives. Rows the judge would all give a 4 get 3.8 or
 * 4.4, and a yes/no judge's value becomes the probability of yes.
 *
 * The score's position is found in the answer as its tokens spell it: the token holding the first
 * character after the last `"score":` (the answer schema puts the score last). A score written
 * over several tokens has no single distribution to read and makes an error row, as does an answer
 * without log-probabilities: a silent fall back to the written score would mix two kinds of value.
 */
import { z } from 'zod';
import type { OutputKind } from './definition.js';
import { allowedScores, type Verdict } from './output.js';

/** Alternatives asked for at each position: OpenAI's maximum. */
export const TOP_LOGPROBS = 20;

/** One token of an answer, its log-probability and the likeliest alternatives at its position. */
export interface TokenLogprob {
  token: string;
  logprob: number;
  top: Array<{ token: string; logprob: number }>;
}

const tokenLogprobs = z.array(
  z.looseObject({
    token: z.string(),
    logprob: z.number(),
    top_logprobs: z.array(z.looseObject({ token: z.string(), logprob: z.number() })).nullish(),
  }),
);

/**
 * The token log-probabilities in an AI SDK call's provider metadata (`openai.logprobs`, or an
 * OpenAI-compatible endpoint's under its name), in Chat Completions' shape; undefined when none.
 */
export function readLogprobs(providerMetadata: unknown): TokenLogprob[] | undefined {
  if (!providerMetadata || typeof providerMetadata !== 'object') return undefined;
  for (const entry of Object.values(providerMetadata as Record<string, unknown>)) {
    const logprobs = (entry as { logprobs?: unknown } | null)?.logprobs;
    if (!Array.isArray(logprobs)) continue;
    const parsed = tokenLogprobs.safeParse(logprobs);
    if (parsed.success && parsed.data.length > 0)
      return parsed.data.map((t) => ({
        token: t.token,
        logprob: t.logprob,
        top: (t.top_logprobs ?? []).map(({ token, logprob }) => ({ token, logprob })),
      }));
  }
  return undefined;
}

/** A verdict scored from log-probabilities, with the distribution it came from. */
export type LogprobScore =
  | {
      ok: true;
      verdict: Verdict;
      /** Probability of each allowed score (renormalized), keyed by the score. */
      distribution: Record<string, number>;
      /** The share of probability the allowed scores had among the alternatives before renormalizing. */
      mass: number;
    }
  | { ok: false; reason: string };

/**
 * Scores a parsed verdict by the log-probabilities of its answer: a scale's value is Σ p(s)·s; a
 * yes/no judge's the probability of a score above its threshold (its score the weighted 1–5 mean);
 * a 1/0 judge's the probability of 1.
 * @example scoreByLogprobs({ type: 'scale', min: 1, max: 5 }, verdict, tokens) // P(4)=0.6, P(5)=0.4 → value 4.4
 */
export function scoreByLogprobs(kind: OutputKind, verdict: Verdict, tokens: TokenLogprob[] | undefined): LogprobScore {
  if (!tokens || tokens.length === 0) {
    return { ok: false, reason: 'the answer carries no token log-probabilities (scoring: logprobs needs them; the provider sent none)' };
  }
  const text = tokens.map((t) => t.token).join('');
  const key = [...text.matchAll(/"score"\s*:/g)].pop();
  if (!key) return { ok: false, reason: 'the score is not found in the tokens of the answer' };
  let at = key.index + key[0].length;
  while (at < text.length && /\s/.test(text[at]!)) at++;
  let start = 0;
  const index = tokens.findIndex((t) => {
    const end = start + t.token.length;
    if (at >= start && at < end) return true;
    start = end;
    return false;
  });
  if (index < 0) return { ok: false, reason: 'the answer ends before its score' };
  const written = String(verdict.score);
  const scoreToken = tokens[index]!;
  if (scoreOf(scoreToken.token) !== written) {
    return {
      ok: false,
      reason: `the score ${written} is written over several tokens (${JSON.stringify(scoreToken.token)} first), so no one token's alternatives give its probability`,
    };
  }
  const allowed = new Set((allowedScores(kind) as number[]).map(String));
  const alternatives = scoreToken.top.some((t) => t.token === scoreToken.token)
    ? scoreToken.top
    : [{ token: scoreToken.token, logprob: scoreToken.logprob }, ...scoreToken.top];
  const probability = new Map<string, number>();
  for (const alternative of alternatives) {
    const score = scoreOf(alternative.token);
    if (score === undefined || !allowed.has(score)) continue;
    probability.set(score, (probability.get(score) ?? 0) + Math.exp(alternative.logprob));
  }
  const mass = [...probability.values()].reduce((sum, p) => sum + p, 0);
  if (!(mass > 0)) return { ok: false, reason: 'no allowed score has a probability at the score position' };
  const distribution = Object.fromEntries([...probability].sort((a, b) => Number(a[0]) - Number(b[0])).map(([s, p]) => [s, p / mass]));
  const expected = Object.entries(distribution).reduce((sum, [s, p]) => sum + Number(s) * p, 0);
  const share = (yes: (score: number) => boolean) =>
    Object.entries(distribution).reduce((sum, [s, p]) => sum + (yes(Number(s)) ? p : 0), 0);
  switch (kind.type) {
    case 'scale':
      return { ok: true, verdict: { ...verdict, value: expected, score: expected }, distribution, mass };
    case 'yes_no': {
      const yes = share((s) => s > kind.threshold);
      return { ok: true, verdict: { ...verdict, value: yes, score: expected, label: yes >= 0.5 ? 'yes' : 'no' }, distribution, mass };
    }
    case 'binary': {
      const one = share((s) => s === 1);
      return { ok: true, verdict: { ...verdict, value: one, score: one }, distribution, mass };
    }
    case 'categories':
      return { ok: false, reason: 'scoring: logprobs reads numeric scores; a categories judge has labels' };
  }
}

/** The score a token spells (`" 4"`, `"4"`, `'"4'`), or undefined when it is not an integer. */
function scoreOf(token: string): string | undefined {
  const trimmed = token.replace(/^[\s:"]+/, '').replace(/[\s",}]+$/, '');
  return /^-?\d+$/.test(trimmed) ? String(Number(trimmed)) : undefined;
}
