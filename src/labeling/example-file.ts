/**
 * A label job's own few-shot examples from a file (`juror label --examples ex.csv`), as LastMile's
 * "provide few-shot examples" step: rows with the criterion's columns plus `label` and an optional
 * `justification`. Each row becomes an example exactly as a reviewed row does ({@link rowExample}),
 * so the judge sees the same pieces under the same names; the label is read as align reads human
 * labels (1/0, yes/no, true/false, 1–5). Any bad row stops the job before it starts, naming
 * file:line and the column.
 */
import { labelScheme } from '../agreement/scheme.js';
import { readHumanLabel } from '../agreement/labels.js';
import { Columns } from '../data/columns.js';
import { openDataset } from '../data/dataset.js';
import { InputError, JurorError } from '../errors.js';
import { configFromExample, judgeForCriterion, outputKind, type Criterion, type ExampleConfig } from './criterion.js';
import { examplePlan, rowExample } from './examples.js';
import { judgeScore, showLabel } from './label-values.js';

/** The column holding each example's label, and the one holding its (optional) justification. */
export const EXAMPLE_LABEL = 'label';
export const EXAMPLE_JUSTIFICATION = 'justification';

/**
 * Reads every row of `path` as a few-shot example of `criterion`'s judge (whose `examples` are
 * ignored). Errors are InputErrors or ConfigErrors naming the file (as `shownAs`), line and column.
 * @example await readExampleFile('ex.csv', { prompt: 'Is {answer} right? 1 or 0', output: 'binary', examples: [] })
 */
export async function readExampleFile(path: string, criterion: Criterion, options: { shownAs?: string } = {}): Promise<ExampleConfig[]> {
  const file = options.shownAs ?? path;
  try {
    const dataset = await openDataset(path);
    if (!dataset.columns.includes(EXAMPLE_LABEL)) {
      throw new InputError(`${file} has no '${EXAMPLE_LABEL}' column`, {
        where: { file, field: EXAMPLE_LABEL },
        hint: `give each example its label in a '${EXAMPLE_LABEL}' column (and, if you like, why in '${EXAMPLE_JUSTIFICATION}'); the columns are: ${dataset.columns.join(', ')}`,
      });
    }
    const judge = judgeForCriterion({ ...criterion, examples: [] }, { name: 'example_file', version: 'v0' });
    const columns = new Columns({
      columns: dataset.columns.filter((c) => c !== EXAMPLE_LABEL && c !== EXAMPLE_JUSTIFICATION),
      ...(criterion.col_mapping ? { colMapping: criterion.col_mapping } : {}),
      hasModel: false,
    });
    const plan = examplePlan(judge);
    for (const variable of [plan.input, plan.output, ...plan.gradingContext]) if (variable) columns.require(variable, file, variable);
    const scheme = labelScheme(outputKind(criterion.output));
    const examples: ExampleConfig[] = [];
    for await (const row of dataset.rows()) {
      const where = { file, ...(row.line !== undefined ? { line: row.line } : {}), row: row.index };
      const read = readHumanLabel(scheme, row.record[EXAMPLE_LABEL]);
      if (!('label' in read)) {
        throw new InputError(`example label: ${'error' in read ? read.error : 'the cell is empty'}`, {
          where: { ...where, field: EXAMPLE_LABEL },
          hint: 'give every example a label the criterion takes, or remove the row',
        });
      }
      // The scheme's yes/no are stored as 1/0, as a person's label is.
      const label = read.label === 'yes' ? 1 : read.label === 'no' ? 0 : Number(read.label);
      const given = row.record[EXAMPLE_JUSTIFICATION];
      const justification =
        typeof given === 'string' && given.trim() !== ''
          ? given.trim()
          : `A human labelled this ${showLabel({ label, text: typeof read.label === 'string' ? read.label : null })}.`;
      try {
        examples.push(
          configFromExample(rowExample(judge, columns, { record: row.record, score: judgeScore(criterion.output, label), justification })),
        );
      } catch (error) {
        if (error instanceof JurorError) Object.assign(error.where, where);
        throw error;
      }
    }
    return examples;
  } catch (error) {
    if (error instanceof JurorError && error.where.file === undefined) error.where.file = file;
    throw error;
  }
}
