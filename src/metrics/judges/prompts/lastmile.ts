/**
 * Rubric of the LastMile-style binary faithfulness judge (`faithfulness` with `variant: binary`):
 * a 1/0 label, as LastMile's LLM Judge and AutoEval label an output faithful or not to the data the
 * model was given (https://pypi.org/project/lastmile-eval/ — faithfulness of a response to its
 * context). Written for Juror. The input is left out, as in the MLflow variant, so that both
 * variants read the same columns and differ only in the scale.
 */
import type { RubricText } from './mlflow.js';

export const FAITHFULNESS_BINARY: Record<string, RubricText> = {
  v1: {
    definition:
      'Faithfulness is whether the output is entirely supported by the context: every factual claim of the ' +
      'output must be stated by the context or follow directly from it. One unsupported or contradicted claim ' +
      'makes the output unfaithful, however small. Information of the context that the output leaves out does ' +
      'not matter, and an output that declines to answer, or says the context does not contain the answer, ' +
      'makes no unsupported claim.',
    gradingPrompt: [
      'Faithfulness: label the output.',
      '- 1: faithful. Every claim of the output is supported by the context.',
      '- 0: unfaithful. At least one claim is not supported by the context, or contradicts it.',
    ].join('\n'),
    examples: [
      {
        output: 'The battery warranty lasts 8 years or 150,000 miles, whichever comes first.',
        score: 1,
        justification: 'Both claims are stated by the context.',
        gradingContext: { context: 'The battery is warranted for 8 years or 150,000 miles, whichever comes first.' },
      },
      {
        output: 'Acme Corp, founded in 1998 in Austin, makes industrial sensors and leads the European market.',
        score: 0,
        justification:
          'Everything but one claim is in the context; that Acme leads the European market is not, and one unsupported claim is enough for 0.',
        gradingContext: { context: 'Acme Corp was founded in 1998 in Austin, Texas, and makes industrial sensors.' },
      },
      {
        output: 'The documents I was given do not say whether the store sells gift cards.',
        score: 1,
        justification: 'The output makes no claim about the store beyond what the context lacks, which is true: it is faithful.',
        gradingContext: { context: 'The store is open from 9 am to 6 pm, Monday to Saturday. Parking is free for customers.' },
      },
    ],
  },
};
