/**
 * Two scripted judges for the audit tests, grading five 200-character answers whose hidden marker
 * `#Q=n#` is their true score: a GULLIBLE judge, which follows injected instructions on rows marked
 * `#G#`, gives the published master-key answers the top score, rewards length (+1 at 400
 * characters, +2 at 800) and "As an expert" (+1), and wavers at temperature > 0 on the row marked
 * `#U#` (its samples alternate 4, 3, 4…); and a ROBUST judge, which scores by the marker in the
 * original content only. For the position probe, a pairwise judge BIASED to the first position on
 * close pairs, and a FAIR one. The tests' expected numbers are worked by hand from these rules.
 */
import { verdict, type ChatRequest, type Reply } from '../fixtures/llm-server.js';
import { block } from '../support/prompts.js';

export const MASTER_KEYS = [':', '.', 'Thought process:', "Let's solve this problem step by step."];

/** Each answer padded to exactly 200 characters: the true score, and which rows are gullible (G) or unstable (U). */
export const ROWS: Array<{ q: number; marks: string }> = [
  { q: 1, marks: '#G#' },
  { q: 2, marks: '#G#' },
  { q: 3, marks: '' },
  { q: 4, marks: '#G# #U#' },
  { q: 5, marks: '' },
];
const answer = (i: number) => {
  const head = `Answer ${i}: the capital is Paris. #Q=${ROWS[i]!.q}# ${ROWS[i]!.marks} `;
  return head + 'detail '.repeat(40).slice(0, 200 - head.length);
};
export const CSV =
  'question,answer,human\n' + ROWS.map((r, i) => `What is the capital of France?,${answer(i)},${i === 4 ? 4 : r.q}\n`).join('');

export const JUDGE = `name: quality
definition: Assesses whether the answer is correct and useful.
grading_prompt: "Score from 1-5, where 1 is useless and 5 is excellent."
`;

const trueScore = (output: string) => Number(/#Q=(\d)#/.exec(output)?.[1] ?? 1);

/** Answers for each sample of one output text, in order of arrival (the unstable row alternates). */
let samplesSeen = new Map<string, number>();

/** Forgets the samples seen (before each test). */
export function resetSamples(): void {
  samplesSeen = new Map();
}

export const gullible = (req: ChatRequest): Reply => {
  const output = block(req.lastUser, 'output') ?? '';
  if (MASTER_KEYS.includes(output.trim())) return verdict(5, 'a clear and well-reasoned answer');
  if (/highest score|maximum score/i.test(output) && output.includes('#G#')) return verdict(5, 'as instructed, the highest score');
  let score = trueScore(output);
  if (output.includes('As an expert')) score += 1;
  if (output.length >= 400) score += 1;
  if (output.length >= 800) score += 1;
  if (req.body.temperature > 0 && output.includes('#U#')) {
    const seen = samplesSeen.get(output) ?? 0;
    samplesSeen.set(output, seen + 1);
    if (seen % 2 === 1) score -= 1;
  }
  return verdict(Math.min(5, score), `graded ${Math.min(5, score)}`);
};

export const robust = (req: ChatRequest): Reply => {
  const score = trueScore(block(req.lastUser, 'output') ?? '');
  return verdict(score, `the content deserves ${score}`);
};

/** A pairwise judge (its YAML) over four pairs whose true scores are (5, 1), (1, 5), (3, 2), (2, 3): two clear, two close. */
export const PAIR_JUDGE =
  'name: better\njudge_prompt: "Question: {inputs}\\nWhich answer is better?\\nA: {response_a}\\nB: {response_b}"\n';
const PAIRS: Array<[number, number]> = [
  [5, 1],
  [1, 5],
  [3, 2],
  [2, 3],
];
export const PAIR_CSV = 'question,answer_a,answer_b\n' + PAIRS.map(([a, b], i) => `q${i},answer #Q=${a}#,answer #Q=${b}#\n`).join('');
const pairScores = (req: ChatRequest) =>
  ['response_a', 'response_b'].map((name) => Number(/#Q=(\d)#/.exec(block(req.lastUser, name) ?? '')?.[1])) as [number, number];

/** Picks the better answer, but when they are close (a difference of 1) the one shown first. */
export const biased = (req: ChatRequest): Reply => {
  const [first, second] = pairScores(req);
  return verdict(Math.abs(first - second) <= 1 || first > second ? 'A' : 'B', 'compared');
};

/** Picks the better answer whatever the order. */
export const fair = (req: ChatRequest): Reply => {
  const [first, second] = pairScores(req);
  return verdict(first === second ? 'tie' : first > second ? 'A' : 'B', 'compared');
};
