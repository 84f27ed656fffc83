/**
 * One judgement: render the judge's messages, call the model, parse and validate the answer — with
 * one re-ask that quotes the validation error — and for RETRIEVAL judges do so per chunk.
 */
import type { ModelMessage } from 'ai';
import { cellText } from '../data/columns.js';
import type { Judge } from './definition.js';
import type { Panel } from './jury.js';
import { scoreByLogprobs, TOP_LOGPROBS, type TokenLogprob } from './logprobs.js';
import { describeAnswer, parseAnswer, sharedAnswerSchema, type Verdict } from './output.js';
import { renderJudgePrompt, type JudgeMessages } from './prompt.js';

/** Tokens used by calls. */
export interface Usage {
  inputTokens: number;
  outputTokens: number;
}

/** What the engine is asked for: the system message, the conversation, the answer's JSON schema, model parameters. */
export interface ChatRequest {
  system: string;
  messages: ModelMessage[];
  schema: Record<string, unknown>;
  parameters: Record<string, unknown>;
  /** Token log-probabilities wanted, with this many alternatives per position (`scoring: logprobs`). */
  logprobs?: number;
  /** Which of a judge's samples this call is (1-based): samples are cached apart, never answered by each other. */
  sample?: number;
}

/** A model's answer. */
export interface ChatAnswer {
  text: string;
  usage: Usage;
  costUsd: number;
  latencyMs: number;
  /** True when the answer came from the cache (no call, no cost). */
  cached?: boolean;
  /** Caches the answer; called for answers that made a verdict. */
  keep?: () => void;
  /** The answer's token log-probabilities, when asked for and sent. */
  logprobs?: TokenLogprob[];
}

/**
 * Calls the judge model. Throws when the call failed for good (after the engine's retries); throws a
 * ProviderError when no call can succeed (bad key, unknown model), which stops the run.
 */
export type Chat = (request: ChatRequest) => Promise<ChatAnswer>;

/** One retrieved chunk, as Databricks' `retrieved_context` holds them. */
export interface Chunk {
  content: string;
  doc_uri?: string;
}

/** A judged chunk of a RETRIEVAL judge. */
export interface ChunkVerdict extends Partial<Verdict> {
  doc_uri?: string;
  error?: string;
}

/** A judgement of one row: a verdict, or the reason it could not be made and what the judge said. */
export type Judgement = (
  | ({ ok: true; details?: ChunkVerdict[]; distribution?: Record<string, number> } & Verdict)
  | { ok: false; error: string; details?: ChunkVerdict[] }
) & {
  /** A jury's, samples' or logprob call's verdicts (jury.ts). */
  panel?: Panel;
  raw?: string;
  prompt: JudgeMessages;
  usage: Usage;
  costUsd: number;
  latencyMs: number;
};

/** Reads a variable of the row as prompt text. */
export type Values = (variable: string) => string;

/**
 * Judges one row. ANSWER judges make one judgement; RETRIEVAL judges judge each chunk of
 * `retrieved_context` / `context` and report the share of chunks judged yes (precision).
 */
export async function runJudge(judge: Judge, values: Values, chunks: Chunk[] | undefined, chat: Chat): Promise<Judgement> {
  if (judge.assessmentType === 'ANSWER') return judgeOnce(judge, values, chat);
  const perChunk: ChunkVerdict[] = [];
  const total: Judgement = {
    ok: false,
    error: '',
    prompt: { system: '', user: '' },
    usage: { inputTokens: 0, outputTokens: 0 },
    costUsd: 0,
    latencyMs: 0,
  };
  if (!chunks || chunks.length === 0) return { ...total, error: 'the row has no retrieved chunks to judge' };
  for (const chunk of chunks) {
    const chunkValues: Values = (name) => (name === 'retrieved_context' || name === 'context' ? chunk.content : values(name));
    const judgement = await judgeOnce(judge, chunkValues, chat);
    total.prompt = judgement.prompt;
    total.usage = addUsage(total.usage, judgement.usage);
    total.costUsd += judgement.costUsd;
    total.latencyMs += judgement.latencyMs;
    const uri = chunk.doc_uri !== undefined ? { doc_uri: chunk.doc_uri } : {};
    perChunk.push(
      judgement.ok
        ? {
            ...uri,
            value: judgement.value,
            score: judgement.score,
            ...(judgement.label ? { label: judgement.label } : {}),
            justification: judgement.justification,
          }
        : { ...uri, error: judgement.error },
    );
    if (!judgement.ok) {
      // A precision over the chunks that happened to answer would look exact and be wrong.
      return {
        ...total,
        error: `chunk ${perChunk.length - 1}: ${judgement.error}`,
        details: perChunk,
        ...(judgement.raw !== undefined ? { raw: judgement.raw } : {}),
      };
    }
  }
  const yes = perChunk.filter((c) => c.value === 1).length;
  return {
    ...total,
    ok: true,
    value: yes / perChunk.length,
    score: `${yes}/${perChunk.length}`,
    justification: perChunk
      .map((c, i) => `chunk ${i}${c.doc_uri ? ` (${c.doc_uri})` : ''}: ${c.label ?? c.score} — ${c.justification}`)
      .join('\n'),
    details: perChunk,
  };
}

async function judgeOnce(judge: Judge, values: Values, chat: Chat): Promise<Judgement> {
  const prompt = renderJudgePrompt(judge, values);
  const request: ChatRequest = {
    system: prompt.system,
    messages: [{ role: 'user', content: prompt.user }],
    schema: sharedAnswerSchema(judge.output),
    parameters: judge.parameters,
    ...(judge.scoring === 'logprobs' ? { logprobs: TOP_LOGPROBS } : {}),
  };
  const spent = { usage: { inputTokens: 0, outputTokens: 0 }, costUsd: 0, latencyMs: 0 };
  const answers: ChatAnswer[] = [];
  const keep = () => answers.forEach((a) => a.keep?.());
  const ask = async (req: ChatRequest) => {
    const answer = await chat(req);
    answers.push(answer);
    spent.usage = addUsage(spent.usage, answer.usage);
    spent.costUsd += answer.costUsd;
    spent.latencyMs += answer.latencyMs;
    return answer.text;
  };
  // A verdict scored by log-probabilities takes its value from them; an answer without them is an error row.
  const finish = (verdict: Verdict, raw: string): Judgement => {
    if (judge.scoring !== 'logprobs') {
      keep();
      return { ok: true, ...verdict, raw, prompt, ...spent };
    }
    const scored = scoreByLogprobs(judge.output, verdict, answers[answers.length - 1]!.logprobs);
    if (!scored.ok) return { ok: false, error: scored.reason, raw, prompt, ...spent };
    keep();
    return { ok: true, ...scored.verdict, distribution: scored.distribution, raw, prompt, ...spent };
  };
  const first = await ask(request);
  const parsed = parseAnswer(judge.output, first);
  if (parsed.ok) return finish(parsed.verdict, first);
  const reask: ChatRequest = {
    ...request,
    messages: [
      ...request.messages,
      { role: 'assistant', content: first },
      { role: 'user', content: `Your answer could not be used: ${parsed.reason}.\n${describeAnswer(judge.output)}` },
    ],
  };
  const second = await ask(reask);
  const reparsed = parseAnswer(judge.output, second);
  if (reparsed.ok) return finish(reparsed.verdict, second);
  return { ok: false, error: `unusable answer after a re-ask: ${reparsed.reason}`, raw: second, prompt, ...spent };
}

/**
 * Reads a retrieved-context cell as chunks: a list of strings or `{doc_uri, content}` objects, that
 * list as JSON text, or a single string (one chunk).
 */
export function toChunks(value: unknown): Chunk[] {
  let list = value;
  if (typeof value === 'string') {
    const trimmed = value.trim();
    if (trimmed.startsWith('[')) {
      try {
        list = JSON.parse(trimmed);
      } catch {
        list = [value];
      }
    } else {
      list = trimmed === '' ? [] : [value];
    }
  }
  if (!Array.isArray(list)) return value === undefined || value === null ? [] : [{ content: cellText(value) }];
  return list.map((item: unknown) => {
    if (item && typeof item === 'object' && 'content' in item) {
      const { content, doc_uri } = item as { content: unknown; doc_uri?: unknown };
      return { content: cellText(content), ...(doc_uri !== undefined ? { doc_uri: String(doc_uri) } : {}) };
    }
    return { content: cellText(item) };
  });
}

/** The text of all chunks, for judges that see the whole context at once. */
export function chunksText(chunks: Chunk[]): string {
  return chunks.map((c) => c.content).join('\n\n');
}

function addUsage(a: Usage, b: Usage): Usage {
  return { inputTokens: a.inputTokens + b.inputTokens, outputTokens: a.outputTokens + b.outputTokens };
}
