/**
 * Scripted answers of a pairwise judge for the scripted LLM server: it reads the two responses
 * from the judge's delimited blocks (`response_a` shown first, `response_b` second) and answers by
 * their markers, so that tests can work out every rate by hand.
 */
import { verdict, type ChatRequest, type Reply } from '../fixtures/llm-server.js';
import { block } from './prompts.js';

/** How the scripted judge decides when neither response carries the marker, or both do. */
export type Undecided = 'tie' | 'first';

/**
 * A fair judge: the response containing `[GOOD]` wins (answers A or B by where it is shown); when
 * neither or both do, a tie — or, with `undecided: 'first'`, the response shown first (a judge
 * biased to the first position when it cannot tell).
 */
export function pairwiseByMarker(undecided: Undecided = 'tie'): (req: ChatRequest) => Reply {
  return (req) => {
    const first = (block(req.lastUser, 'response_a') ?? '').includes('[GOOD]');
    const second = (block(req.lastUser, 'response_b') ?? '').includes('[GOOD]');
    if (first !== second) return verdict(first ? 'A' : 'B', `response ${first ? 'A' : 'B'} has the marker`);
    return undecided === 'first' ? verdict('A', 'cannot tell; the first one') : verdict('tie', 'no difference');
  };
}

/** A judge that always prefers the response shown first. */
export function alwaysFirst(): Reply {
  return verdict('A', 'the first response is better');
}

/**
 * Six questions answered by two systems (out_a, out_b) with the expected answer. Exact match: A
 * right on rows 0 and 4, B on rows 0–3. Pairwise by the [GOOD] marker: tie on 0 (both have it)
 * and 5 (neither), B better on 1–3, A on 4.
 */
export const TWO_SYSTEMS_CSV = `question,expected,out_a,out_b
q0,[GOOD] e0,[GOOD] e0,[GOOD] e0
q1,[GOOD] e1,e1,[GOOD] e1
q2,[GOOD] e2,e2,[GOOD] e2
q3,[GOOD] e3,e3,[GOOD] e3
q4,[GOOD] e4,[GOOD] e4,e4
q5,[GOOD] e5,x5,y5
`;
