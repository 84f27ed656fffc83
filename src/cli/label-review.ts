/**
 * Reviewing a label job's sample in the terminal, a line of input per answer (node:readline, so
 * answers can be piped): each row is shown with its columns, the judge's label and justification,
 * and the person keeps it (Enter), flips it (f), sets a label (1/0, y/n, 1–5), edits the
 * justification (e, then the new text on the next line; the row stays open) or skips it (s: left
 * to the judge, not an example). When input ends early, the rows left are skipped.
 */
import type { LabelOutput } from '../labeling/criterion.js';
import { flipLabel, readLabel, showLabel, type LabelValue } from '../labeling/label-values.js';
import type { HumanLabelInput } from '../labeling/review.js';
import type { LabelItem } from '../labeling/view.js';

/** Where the review reads answers and writes what it shows. */
export interface ReviewIo {
  /** The next line of input, or undefined at its end. */
  readLine(): Promise<string | undefined>;
  write(text: string): void;
}

/** What the review made of the sample. */
export interface ReviewOutcome {
  labels: HumanLabelInput[];
  kept: number;
  changed: number;
  skipped: number;
}

const CELL_CHARS = 400;

/** Shows each sample row and reads the person's answer for it. */
export async function reviewInTerminal(items: LabelItem[], output: LabelOutput, io: ReviewIo): Promise<ReviewOutcome> {
  const outcome: ReviewOutcome = { labels: [], kept: 0, changed: 0, skipped: 0 };
  const help = `[Enter] keep · f flip · ${output === 'scale_1_5' ? '1-5' : output === 'yes_no' ? 'y/n' : '1/0'} set · e edit justification · s skip`;
  io.write(`Review ${items.length} labels. ${help}\n`);
  for (const [i, item] of items.entries()) {
    io.write(`\n[${i + 1}/${items.length}] row ${item.row}\n`);
    for (const [column, value] of Object.entries(item.record ?? {})) io.write(`  ${column}: ${cellText(value)}\n`);
    if (item.label === null) {
      io.write(`  label: none — the judge gave no usable answer${item.error ? ` (${item.error})` : ''}\n`);
    } else {
      io.write(
        `  label: ${showLabel(item)}${item.judge_version ? ` (judge ${item.judge_version})` : ''}\n  justification: ${item.justification ?? ''}\n`,
      );
    }
    const answer = await askRow(item, output, io, help);
    if (answer === 'end') {
      outcome.skipped += items.length - i;
      io.write(`\ninput ended: the ${items.length - i} rows left keep the judge's labels and are not examples\n`);
      break;
    }
    if (answer === 'skip') {
      outcome.skipped++;
      continue;
    }
    outcome.labels.push({
      row: item.row,
      label: answer.value.text ?? answer.value.label,
      ...(answer.justification !== undefined ? { justification: answer.justification } : {}),
    });
    if (answer.value.label === item.label) outcome.kept++;
    else outcome.changed++;
  }
  io.write(`\nreviewed: ${outcome.kept} kept, ${outcome.changed} changed, ${outcome.skipped} skipped\n`);
  return outcome;
}

type RowAnswer = { value: LabelValue; justification: string | undefined } | 'skip' | 'end';

async function askRow(item: LabelItem, output: LabelOutput, io: ReviewIo, help: string): Promise<RowAnswer> {
  let justification: string | undefined;
  const current: LabelValue | undefined = item.label === null ? undefined : { label: item.label, text: item.label_text };
  for (;;) {
    io.write('> ');
    const line = await io.readLine();
    if (line === undefined) return 'end';
    const command = line.trim();
    const lower = command.toLowerCase();
    if (command === '') {
      if (current) return { value: current, justification };
      io.write('  this row has no label to keep: set one, or s to skip\n');
    } else if (lower === 's') {
      return 'skip';
    } else if (lower === 'e') {
      io.write('  justification: ');
      const text = await io.readLine();
      if (text === undefined) return 'end';
      justification = text.trim() || undefined;
      io.write(`  justification set${justification ? '' : ' back to the judge’s'}\n`);
    } else if (lower === 'f') {
      const flipped = current && flipLabel(output, current.label);
      if (flipped) return { value: flipped, justification };
      io.write(current ? `  a ${output} label has no opposite: type the label (1-5)\n` : '  nothing to flip: set a label\n');
    } else {
      const value = parseTyped(output, lower);
      if (value) return { value, justification };
      io.write(`  unknown answer ${JSON.stringify(command)}: ${help}\n`);
    }
  }
}

/** A label typed at the prompt: 1/0; y/n, yes/no or 1/0; 1–5. */
function parseTyped(output: LabelOutput, text: string): LabelValue | undefined {
  const word = output === 'yes_no' ? (({ y: 'yes', n: 'no' } as Record<string, string>)[text] ?? text) : text;
  const value = output === 'yes_no' && !/^\d+$/.test(word) ? word : Number(word);
  try {
    return readLabel(output, value, 'label');
  } catch {
    return undefined;
  }
}

function cellText(value: unknown): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? '');
  const flat = text.replace(/\s*\n\s*/g, ' ⏎ ');
  return flat.length > CELL_CHARS ? `${flat.slice(0, CELL_CHARS)}… (${flat.length} characters)` : flat;
}
