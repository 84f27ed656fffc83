/**
 * Rubrics of the MLflow-family judges: 1–5 scores, rendered as `make_genai_metric` renders a
 * rubric (definition, grading prompt, few-shot examples; input, output and grading context).
 * Written for Juror; each follows the semantics of the MLflow metric of the same name
 * (https://mlflow.org/docs/latest/llms/llm-evaluate/index.html#metrics-with-llm-as-the-judge,
 * `mlflow.metrics.genai` prompts v1): what is compared with what, and what each score means.
 * A new wording is a new version: add `v2` beside `v1`, never edit a published one.
 */
import type { EvaluationExample } from '../../../judges/definition.js';

/** One version of a rubric judge's text. */
export interface RubricText {
  definition: string;
  gradingPrompt: string;
  examples: EvaluationExample[];
}

/** MLflow `answer_similarity`: semantic similarity of the output to `targets` (the ground truth). */
export const ANSWER_SIMILARITY: Record<string, RubricText> = {
  v1: {
    definition:
      'Answer similarity measures how close in meaning the output is to the targets, the ground-truth answer. ' +
      'Judge meaning, not wording: a paraphrase that says the same things is fully similar; an output that says ' +
      'other things, or leaves out what the targets say, is less similar. Do not judge style, length or tone.',
    gradingPrompt: [
      'Answer similarity: below are the details for each score.',
      '- Score 1: the output shares little or no meaning with the targets (a different subject, or a different answer).',
      '- Score 2: the output shares some meaning with the targets on a minor aspect, but its main point differs.',
      '- Score 3: the output shares the main point of the targets but leaves out or changes several of its details.',
      '- Score 4: the output matches the targets in most aspects; a minor detail is missing or differs.',
      '- Score 5: the output matches the targets in every significant aspect.',
    ].join('\n'),
    examples: [
      {
        input: 'How long is the warranty on the X200 headphones?',
        output: 'The X200 comes with a two-year warranty.',
        score: 5,
        justification: 'A two-year warranty is the 24-month warranty of the targets, said in other words; nothing significant differs.',
        gradingContext: { targets: 'The X200 headphones are covered by a 24-month limited warranty.' },
      },
      {
        input: 'What does the git stash command do?',
        output: 'It saves your uncommitted changes so that you can switch branches.',
        score: 3,
        justification:
          'The output has the main point (uncommitted changes are put aside) but leaves out that they are shelved temporarily and reapplied later with git stash pop.',
        gradingContext: {
          targets:
            'git stash temporarily shelves the uncommitted changes of the working directory so that you can work on something else, and git stash pop reapplies them later.',
        },
      },
      {
        input: 'How long is the warranty on the X200 headphones?',
        output: 'The X200 has excellent active noise cancelling.',
        score: 1,
        justification: 'The output is about noise cancelling; the targets are about the warranty. They share no meaning.',
        gradingContext: { targets: 'The X200 headphones are covered by a 24-month limited warranty.' },
      },
    ],
  },
};

/** MLflow `answer_correctness`: factual accuracy of the output, with `targets` as the ground truth. */
export const ANSWER_CORRECTNESS: Record<string, RubricText> = {
  v1: {
    definition:
      'Answer correctness measures how factually correct the output is, taking the targets as the ground truth. ' +
      'A statement that contradicts the targets is wrong; a fact of the targets that the input asks for and the ' +
      'output leaves out is a gap. Extra statements that do not contradict the targets do not lower the score ' +
      'unless they are plainly false.',
    gradingPrompt: [
      'Answer correctness: below are the details for each score.',
      '- Score 1: the output is wrong: it contradicts the targets or answers something else.',
      '- Score 2: a part of the output agrees with the targets, but its main claim is wrong.',
      '- Score 3: what the output says is mostly right, but it leaves out or gets wrong a fact the question asks for.',
      '- Score 4: the output is correct, with a minor omission or imprecision.',
      '- Score 5: the output is correct and complete with respect to the targets.',
    ].join('\n'),
    examples: [
      {
        input: 'In what year did the Berlin Wall fall?',
        output: 'The Berlin Wall fell in 1991, shortly before the Soviet Union dissolved.',
        score: 1,
        justification: 'The targets give 9 November 1989; the output says 1991, which contradicts them on the one fact asked for.',
        gradingContext: { targets: 'The Berlin Wall fell on 9 November 1989.' },
      },
      {
        input: 'Which planets of the solar system have rings?',
        output: 'Saturn and Jupiter have rings.',
        score: 3,
        justification:
          'Both planets named do have rings, but the question asks which planets have them and the output leaves out Uranus and Neptune.',
        gradingContext: { targets: 'All four giant planets (Jupiter, Saturn, Uranus and Neptune) have ring systems.' },
      },
      {
        input: 'What is the boiling point of water at sea level in Fahrenheit?',
        output: '212 °F.',
        score: 5,
        justification: 'The output gives exactly the value of the targets; the Celsius value is not asked for.',
        gradingContext: { targets: 'At sea level water boils at 212 °F (100 °C).' },
      },
    ],
  },
};

/** MLflow `answer_relevance`: how well the output addresses the input, with no other context. */
export const ANSWER_RELEVANCE: Record<string, RubricText> = {
  v1: {
    definition:
      'Answer relevance measures how well the output addresses the input: whether it answers what was asked, ' +
      'every part of it, and stays on topic. It is judged from the input and the output alone; do not judge ' +
      'whether the facts are true, only whether they are what the input asks for.',
    gradingPrompt: [
      'Answer relevance: below are the details for each score.',
      '- Score 1: the output does not address the input at all; it is off topic.',
      '- Score 2: the output is on the topic of the input but does not answer what was asked.',
      '- Score 3: the output answers part of the input; another part that was asked for is ignored.',
      '- Score 4: the output answers the input, with some content that does not serve the question.',
      '- Score 5: the output answers every part of the input and everything in it serves the question.',
    ].join('\n'),
    examples: [
      {
        input: 'How do I reset my router to factory settings?',
        output: 'Hold the reset button on the back of the router for about 10 seconds until the lights blink, then wait for it to restart.',
        score: 5,
        justification: 'The output gives the steps asked for and nothing else.',
      },
      {
        input: 'What are two common side effects of ibuprofen, and should I take it with food?',
        output: 'Common side effects include an upset stomach and heartburn.',
        score: 3,
        justification:
          'The output answers the first part (two side effects) but ignores the second question, whether to take it with food.',
      },
      {
        input: 'How do I reset my router to factory settings?',
        output: 'Routers forward packets between networks and hand out local IP addresses.',
        score: 1,
        justification: 'The output describes what a router does and says nothing about resetting one.',
      },
    ],
  },
};

/** MLflow `relevance`: how relevant the output is to the input and to the context it was given. */
export const RELEVANCE: Record<string, RubricText> = {
  v1: {
    definition:
      'Relevance measures how well the output answers the input using the context it was given: an output ' +
      'is relevant when it addresses the question and draws on the part of the context that answers it. An ' +
      'output that ignores the question, or answers it from the wrong part of the context or from outside it, ' +
      'is less relevant.',
    gradingPrompt: [
      'Relevance: below are the details for each score.',
      '- Score 1: the output addresses neither the input nor the context.',
      '- Score 2: the output is on the topic of the input and the context but gets the critical point wrong or uses the wrong part of the context.',
      '- Score 3: the output mostly answers the input from the context but misses or invents one important aspect.',
      '- Score 4: the output answers the input and agrees with the context, with minor gaps.',
      '- Score 5: the output answers the input fully, using the relevant information of the context.',
    ].join('\n'),
    examples: [
      {
        input: 'What is the refund window for online orders?',
        output: 'Online orders can be refunded in full within 30 days of delivery.',
        score: 5,
        justification: 'The output answers the question with exactly the part of the context about online orders.',
        gradingContext: {
          context:
            'Online orders can be returned for a full refund within 30 days of delivery. Items bought in a store follow a 14-day return policy.',
        },
      },
      {
        input: 'What is the refund window for online orders?',
        output: 'You have 14 days to return online orders.',
        score: 2,
        justification:
          'The output is on topic but takes the 14-day window of the in-store policy; for online orders the context says 30 days.',
        gradingContext: {
          context:
            'Online orders can be returned for a full refund within 30 days of delivery. Items bought in a store follow a 14-day return policy.',
        },
      },
      {
        input: 'What is the refund window for online orders?',
        output: 'Our stores are open from 9 am to 6 pm on weekdays.',
        score: 1,
        justification: 'Opening hours answer neither the question nor anything the context says.',
        gradingContext: {
          context:
            'Online orders can be returned for a full refund within 30 days of delivery. Items bought in a store follow a 14-day return policy.',
        },
      },
    ],
  },
};

/**
 * MLflow `faithfulness`: the share of the output's claims that the context supports. As in MLflow,
 * the input is not shown to the judge (`include_input=False`).
 */
export const FAITHFULNESS: Record<string, RubricText> = {
  v1: {
    definition:
      'Faithfulness measures how much of the output is supported by the context: break the output into its ' +
      'factual claims and check each against the context. A claim is supported when the context states it or ' +
      'it follows directly from what the context states. Judge only the output and the context; information of ' +
      'the context that the output leaves out does not lower the score, and neither does a claim being true ' +
      'outside the context: only support by the context counts.',
    gradingPrompt: [
      'Faithfulness: below are the details for each score.',
      '- Score 1: none of the claims of the output can be found in the context, or the output contradicts it.',
      '- Score 2: a few claims are supported; most are not.',
      '- Score 3: some claims are supported and some substantive ones are not.',
      '- Score 4: all substantive claims are supported; a minor detail is not.',
      '- Score 5: every claim of the output is supported by the context.',
    ].join('\n'),
    examples: [
      {
        output: 'The battery warranty lasts 8 years or 150,000 miles, whichever comes first.',
        score: 5,
        justification: 'Both claims (8 years, 150,000 miles, whichever first) are stated by the context.',
        gradingContext: { context: 'The battery is warranted for 8 years or 150,000 miles, whichever comes first.' },
      },
      {
        output: 'Acme Corp, founded in 1998 in Austin, makes industrial sensors and leads the European market.',
        score: 3,
        justification:
          'The founding year, the city and the products are in the context, but the substantive claim that Acme leads the European market is not.',
        gradingContext: { context: 'Acme Corp was founded in 1998 in Austin, Texas, and makes industrial sensors.' },
      },
      {
        output: 'The battery is warranted for 10 years with unlimited mileage and can be replaced for free at any time.',
        score: 1,
        justification:
          'The context says 8 years or 150,000 miles; the output contradicts it, and free replacement at any time is nowhere in it.',
        gradingContext: { context: 'The battery is warranted for 8 years or 150,000 miles, whichever comes first.' },
      },
    ],
  },
};
