/**
 * What a judge must answer, and how its answer becomes a value: the JSON schema sent as structured
 * output (justification before score, so the judge reasons first), the tolerant parse of answers
 * from models without structured output, and validation against the output kind.
 */
import type { OutputKind } from './definition.js';

/** A judge's usable verdict on one row or chunk. */
export interface Verdict {
  /** The number aggregated: the score on a scale, 1/0 for yes/no and binary, the label's score for categories. */
  value: number;
  /** The judge's own score (for yes/no, the 1–5 score before the threshold). */
  score: number | string;
  /** `yes`/`no` or the category, where the kind has labels. */
  label?: string;
  justification: string;
}

/** The result of reading an answer: a verdict, or why it cannot be used. */
export type ParseResult = { ok: true; verdict: Verdict } | { ok: false; reason: string };

/** The allowed scores of a kind, in the order the judge should see them. */
export function allowedScores(kind: OutputKind): Array<number | string> {
  switch (kind.type) {
    case 'scale':
      return range(kind.min, kind.max);
    case 'yes_no':
      return range(1, 5);
    case 'binary':
      return [0, 1];
    case 'categories':
      return Object.keys(kind.labels);
  }
}

/** Answer schemas by output kind, for {@link sharedAnswerSchema}. */
const schemas = new WeakMap<OutputKind, { from: string; schema: Record<string, unknown> }>();

/**
 * {@link answerSchema}, one object per output kind — the same one every row, so that what is made
 * of it (a cache key, a request) can be too. Read it; never change it.
 */
export function sharedAnswerSchema(kind: OutputKind): Record<string, unknown> {
  // The kind is plain data: the schema is made again if it was edited since.
  const from = JSON.stringify(kind);
  const known = schemas.get(kind);
  if (known?.from === from) return known.schema;
  const schema = answerSchema(kind);
  schemas.set(kind, { from, schema });
  return schema;
}

/** The JSON schema of a judge's answer, strict-mode compatible (every field required, no extras). */
export function answerSchema(kind: OutputKind): Record<string, unknown> {
  const scores = allowedScores(kind);
  const score =
    kind.type === 'categories'
      ? { type: 'string', enum: scores }
      : scores.length <= 21
        ? { type: 'integer', enum: scores }
        : { type: 'integer', description: `an integer from ${scores[0]} to ${scores[scores.length - 1]}` };
  return {
    type: 'object',
    properties: {
      justification: { type: 'string', description: 'Your reasoning, written before you decide the score.' },
      score,
    },
    required: ['justification', 'score'],
    additionalProperties: false,
  };
}

/** How the judge is told to answer, in words, for models that only read the prompt. */
export function describeAnswer(kind: OutputKind): string {
  const scores = allowedScores(kind);
  const scoreText =
    kind.type === 'categories'
      ? `one of ${scores.map((s) => JSON.stringify(s)).join(', ')}`
      : kind.type === 'binary'
        ? '1 (the criterion is met) or 0 (it is not)'
        : `an integer from ${scores[0]} to ${scores[scores.length - 1]}`;
  return [
    'Answer with one JSON object and nothing else, with the justification first:',
    `{"justification": "<your reasoning>", "score": <${scoreText}>}`,
  ].join('\n');
}

/** Checks a score against the kind and turns it into a verdict. */
export function toVerdict(kind: OutputKind, rawScore: unknown, justification: unknown): ParseResult {
  if (typeof justification !== 'string' || justification.trim() === '') {
    return { ok: false, reason: 'the answer has no justification' };
  }
  if (kind.type === 'categories') {
    const label = typeof rawScore === 'string' ? rawScore.trim() : String(rawScore);
    const match = Object.keys(kind.labels).find((l) => l.toLowerCase() === label.toLowerCase());
    if (match === undefined) {
      return { ok: false, reason: `score ${JSON.stringify(rawScore)} is not one of ${Object.keys(kind.labels).join(', ')}` };
    }
    return { ok: true, verdict: { value: kind.labels[match]!, score: match, label: match, justification } };
  }
  const score = typeof rawScore === 'string' && rawScore.trim() !== '' ? Number(rawScore.trim()) : rawScore;
  const allowed = allowedScores(kind) as number[];
  if (typeof score !== 'number' || !Number.isInteger(score) || score < allowed[0]! || score > allowed[allowed.length - 1]!) {
    return { ok: false, reason: `score ${JSON.stringify(rawScore)} is not ${describeRange(allowed)}` };
  }
  switch (kind.type) {
    case 'scale':
      return { ok: true, verdict: { value: score, score, justification } };
    case 'yes_no': {
      const yes = score > kind.threshold;
      return { ok: true, verdict: { value: yes ? 1 : 0, score, label: yes ? 'yes' : 'no', justification } };
    }
    case 'binary':
      return { ok: true, verdict: { value: score, score, justification } };
  }
}

/**
 * Reads a judge's answer text as MLflow's `_extract_score_and_justification` does, and a little
 * more: JSON (bare, fenced, or the first object in the text) whose keys may be in any case
 * (`Score`, `JUSTIFICATION`) and whose score may be a string ("4"), or the `score: N` /
 * `justification: …` format, on two lines in either order or on one line with a comma.
 */
export function parseAnswer(kind: OutputKind, text: string): ParseResult {
  const trimmed = text.trim();
  if (trimmed === '') return { ok: false, reason: 'the answer is empty' };
  const object = findJsonObject(trimmed);
  if (object) return toVerdict(kind, field(object, 'score'), field(object, 'justification'));
  const lines = parseScoreLines(trimmed);
  if (lines) return toVerdict(kind, lines.score, lines.justification);
  return { ok: false, reason: 'the answer is not JSON with "justification" and "score"' };
}

function findJsonObject(text: string): Record<string, unknown> | undefined {
  // The whole text first (what structured output gives), then a fenced block, then the outermost braces.
  const whole = jsonObject(text);
  if (whole) return whole;
  const fenced = /```(?:json)?\s*([\s\S]*?)```/i.exec(text)?.[1];
  const inFence = fenced ? jsonObject(fenced) : undefined;
  if (inFence) return inFence;
  const start = text.indexOf('{');
  const end = text.lastIndexOf('}');
  return start >= 0 && end > start ? jsonObject(text.slice(start, end + 1)) : undefined;
}

/** The text as a JSON object with a score (under a key in any case), or undefined. */
function jsonObject(candidate: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(candidate);
    if (value && typeof value === 'object' && !Array.isArray(value) && field(value as Record<string, unknown>, 'score') !== undefined)
      return value as Record<string, unknown>;
  } catch {
    // not this candidate; try the next
  }
  return undefined;
}

/** The value under `name`, or else under the first key equal to it in another case (`Score`). */
function field(object: Record<string, unknown>, name: string): unknown {
  if (Object.hasOwn(object, name)) return object[name];
  const key = Object.keys(object).find((k) => k.toLowerCase() === name);
  return key === undefined ? undefined : object[key];
}

function parseScoreLines(text: string): { score: string; justification: string } | undefined {
  // MLflow's one-line form, `score: 4, justification: …`.
  const inline = /^\s*\**score\**\s*:\s*\**\s*([^,*\n]+?)\s*\**\s*,\s*\**justification\**\s*:\s*\**\s*([\s\S]+)$/im.exec(text);
  if (inline) return { score: inline[1]!, justification: inline[2]!.trim() };
  const score = /^\s*\**score\**\s*:\s*\**\s*([^\n*]+?)\s*\**\s*$/im.exec(text);
  const justification = /^\s*\**justification\**\s*:\s*\**\s*([\s\S]+)$/im.exec(text);
  if (!score || !justification) return undefined;
  const rest = justification[1]!.replace(/^\s*\**score\**\s*:.*$/im, '').trim();
  return { score: score[1]!, justification: rest };
}

function range(min: number, max: number): number[] {
  return Array.from({ length: max - min + 1 }, (_, i) => min + i);
}

function describeRange(allowed: number[]): string {
  return allowed.length === 2 ? `${allowed[0]} or ${allowed[1]}` : `an integer from ${allowed[0]} to ${allowed[allowed.length - 1]}`;
}
