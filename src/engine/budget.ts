/**
 * `--max-cost`: each provider call is priced before it is sent — the tokens of what is sent,
 * counted as the dry run counts them, plus the answer's assumed length — and a call that could take
 * the run past its budget is not made: the run stops, resumably. Calls in flight hold their
 * estimate until their real cost is known, so parallel calls cannot overrun the budget together.
 * A model without a known price costs nothing here, as in the run's own totals.
 */
import type { ResolvedModel } from '../providers/models.js';
import { costOf, type Price } from '../providers/prices.js';
import { ASSUMED_OUTPUT_TOKENS, inputTokensOf } from './estimate.js';
import { RunStopped } from './scheduler.js';

export class Budget {
  private spent: number;
  private reserved = 0;

  /** `spentBefore`: what a resumed run already cost, which counts against the same budget. */
  constructor(
    readonly maxUsd: number,
    spentBefore: number,
    private readonly prices: Record<string, Price> | undefined,
  ) {
    this.spent = spentBefore;
  }

  /**
   * Reserves the estimated cost of a call of `kind` sending `texts` to `resolved`, or throws
   * RunStopped('budget') when it could pass the budget. Returns the function to call with the
   * call's real cost once known (0 when it failed before an answer).
   */
  async reserve(
    resolved: ResolvedModel,
    kind: keyof typeof ASSUMED_OUTPUT_TOKENS,
    texts: readonly string[],
  ): Promise<(costUsd: number) => void> {
    let inputTokens = 0;
    for (const text of texts) inputTokens += await inputTokensOf(resolved, text);
    // From here to the reservation nothing awaits, so parallel calls see each other's reservations.
    const estimate = costOf(resolved.ref, { inputTokens, outputTokens: ASSUMED_OUTPUT_TOKENS[kind] }, this.prices);
    if (this.spent + this.reserved + estimate > this.maxUsd) {
      throw new RunStopped(
        'budget',
        `stopped before passing the budget of $${this.maxUsd}: the next call to ${resolved.ref.uri} sends ${inputTokens} tokens (about $${estimate.toFixed(4)}) and $${this.spent.toFixed(4)} is spent`,
      );
    }
    this.reserved += estimate;
    let settled = false;
    return (costUsd) => {
      if (settled) return;
      settled = true;
      this.reserved -= estimate;
      this.spent += costUsd;
    };
  }
}
