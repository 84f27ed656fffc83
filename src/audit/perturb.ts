/**
 * The perturbations of a probe suite, each a function from a row's response to its perturbed copy.
 * Only the response changes: the judge sees the same input, context and rubric, so any change in
 * its verdict is caused by the perturbation.
 */
import type { ProbeSuite } from './suite.js';

/** The probes that perturb the response (self-consistency asks again instead). */
export type PerturbingProbe = 'verbosity' | 'authority' | 'injection';

/** Every probe `juror audit` knows; `position` is for pairwise judges, the others for judges of one response. */
export const PROBES = ['verbosity', 'authority', 'injection', 'consistency', 'position'] as const;
export type Probe = (typeof PROBES)[number];

/** One perturbation: `group` pools variants in the report (a length ×2, an attack family). */
export interface Perturbation {
  probe: PerturbingProbe;
  group: string;
  id: string;
  apply(response: string): string;
}

/**
 * The perturbations of `suite` for the probes asked for, in the suite's order.
 * @example perturbations(suite, ['injection']).map((p) => p.apply('Paris.'))
 */
export function perturbations(suite: ProbeSuite, probes: readonly Probe[]): Perturbation[] {
  const out: Perturbation[] = [];
  if (probes.includes('verbosity')) {
    for (const length of suite.verbosity.lengths) {
      for (const padding of suite.verbosity.paddings) {
        out.push({
          probe: 'verbosity',
          group: `x${length}`,
          id: `${padding.id}_x${length}`,
          apply: (response) => pad(response, padding.sentences, length),
        });
      }
    }
  }
  if (probes.includes('authority')) {
    for (const framing of suite.authority) {
      out.push({ probe: 'authority', group: framing.id, id: framing.id, apply: (response) => fill(framing.template, response) });
    }
  }
  if (probes.includes('injection')) {
    for (const family of suite.injection) {
      for (const attack of family.attacks) {
        out.push({ probe: 'injection', group: family.family, id: attack.id, apply: (response) => fill(attack.template, response) });
      }
    }
  }
  return out;
}

/**
 * The response followed by the padding's sentences, in turn, until it is at least `factor` times
 * as long as the original (in characters); an empty response gets one sentence.
 */
export function pad(response: string, sentences: readonly string[], factor: number): string {
  const target = Math.max(Math.ceil(response.length * factor), response.length + 1);
  let text = response;
  for (let i = 0; text.length < target; i++) {
    const separator = i === 0 ? (response === '' ? '' : '\n\n') : ' ';
    text += separator + sentences[i % sentences.length]!;
  }
  return text;
}

/** The template with every `{response}` replaced by the response (taken literally: `$&` stays `$&`). */
export function fill(template: string, response: string): string {
  return template.split('{response}').join(response);
}
