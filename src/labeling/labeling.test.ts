/** The pure parts of label jobs: seeded samples, reading labels, where a row's variables go in an example, current labels. */
import { describe, expect, it } from 'vitest';
import { makeGenaiMetricFromPrompt } from '../judges/definition.js';
import { faithfulness } from '../metrics/judges/index.js';
import { currentLabels, type LabelRecord } from '../store/labels.js';
import { defaultOutput, judgeForCriterion } from './criterion.js';
import { examplePlan } from './examples.js';
import { flipLabel, judgeScore, readLabel } from './label-values.js';
import { sampleRows, seededChoice } from './sample.js';

describe('sampleRows', () => {
  it('is reproducible, distinct, ascending, and the same as a full shuffle of the rows', () => {
    const a = sampleRows(1000, 16, 42);
    expect(a).toEqual(sampleRows(1000, 16, 42));
    expect(new Set(a).size).toBe(16);
    expect(a).toEqual([...a].sort((x, y) => x - y));
    expect(a).toEqual(
      seededChoice(
        Array.from({ length: 1000 }, (_, i) => i),
        16,
        42,
      ),
    );
    expect(sampleRows(1000, 16, 43)).not.toEqual(a);
    expect(sampleRows(5, 16, 1)).toEqual([0, 1, 2, 3, 4]);
  });
});

describe('readLabel', () => {
  it('takes 1/0 for binary, yes/no or 1/0 for yes_no, 1–5 for scales, and names the field otherwise', () => {
    expect(readLabel('binary', 1, 'f')).toEqual({ label: 1, text: null });
    expect(readLabel('yes_no', 'Yes', 'f')).toEqual({ label: 1, text: 'yes' });
    expect(readLabel('yes_no', 0, 'f')).toEqual({ label: 0, text: 'no' });
    expect(readLabel('scale_1_5', 4, 'f')).toEqual({ label: 4, text: null });
    expect(() => readLabel('binary', '1', 'labels[3].label')).toThrow(/labels\[3\]\.label: "1" is not a binary label/);
    expect(() => readLabel('scale_1_5', 2.5, 'x')).toThrow(/1–5 scale/);
    expect(flipLabel('yes_no', 1)).toEqual({ label: 0, text: 'no' });
    expect(flipLabel('scale_1_5', 3)).toBeUndefined();
    expect(judgeScore('yes_no', 1)).toBe(5);
    expect(judgeScore('yes_no', 0)).toBe(1);
  });
});

describe('examplePlan', () => {
  it('puts the output variable, the input and the rest of a prompt judge where a real row shows them', () => {
    const prompt = (judgePrompt: string) => examplePlan(makeGenaiMetricFromPrompt({ name: 'j', judgePrompt }));
    expect(prompt('Is {response} right for {request}, given {context}?')).toEqual({
      input: 'request',
      output: 'response',
      gradingContext: ['context'],
    });
    expect(prompt('Does {answer} follow from {context}?')).toEqual({ output: 'answer', gradingContext: ['context'] });
    expect(prompt('Is the answer {answer} right for {question}, given {docs}?')).toEqual({
      input: 'question',
      output: 'answer',
      gradingContext: ['docs'],
    });
    expect(prompt('Does {summary} follow from {source}?')).toEqual({ output: 'source', gradingContext: ['summary'] });
    expect(prompt('Is {text} toxic?')).toEqual({ output: 'text', gradingContext: [] });
    expect(examplePlan(faithfulness({ variant: 'binary' }))).toEqual({ output: 'outputs', gradingContext: ['context'] });
  });

  it('makes built-in judges under the job name and version, and picks their output kinds', () => {
    const judge = judgeForCriterion({ builtin: 'faithfulness', output: 'binary', examples: [] }, { name: 'label_x', version: 'v3' });
    expect(judge).toMatchObject({ name: 'label_x', version: 'v3', output: { type: 'binary' } });
    expect(defaultOutput({ builtin: 'groundedness' })).toBe('binary');
    expect(defaultOutput({ builtin: 'answer_relevance' })).toBe('scale_1_5');
    expect(defaultOutput({ prompt: 'x' })).toBe('binary');
  });
});

describe('currentLabels', () => {
  const label = (row: number, source: 'human' | 'llm', judge: string | null, value: number, id: string): LabelRecord => ({
    id,
    dataset_id: 'd',
    row_index: row,
    label: value,
    label_text: null,
    justification: id,
    source,
    judge_id: judge,
    label_job_id: 'j',
    run_id: null,
    run_row_index: null,
    error: null,
    created_at: id,
  });

  it('is the newest human label, else the newest label of the final judge', () => {
    const labels = [
      label(0, 'llm', 'v1', 1, 'a'),
      label(0, 'human', null, 0, 'b'),
      label(0, 'llm', 'v2', 1, 'c'),
      label(1, 'llm', 'v1', 1, 'd'),
      label(1, 'llm', 'v2', 0, 'e'),
      label(2, 'llm', 'v1', 1, 'f'),
    ];
    const current = currentLabels(labels, 'v2');
    expect([...current.keys()]).toEqual([0, 1]);
    expect(current.get(0)!.id).toBe('b');
    expect(current.get(1)!.id).toBe('e');
  });
});
