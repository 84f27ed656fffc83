/**
 * Production interactions made a stored dataset (issue #13: low-scoring interactions saved to label,
 * align or build examples from). The rows are written as a JSON Lines file — `retrieved_context`
 * stays a list, as RETRIEVAL judges read it — and stored by `storeDataset`, the one way datasets
 * enter the store, so the dataset is listed, previewed, labelled and evaluated as an upload is.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { DataRecord } from '../data/dataset.js';
import { writeTable } from '../data/write.js';
import type { DatasetRecord, DatasetRepository } from '../store/datasets.js';
import type { Interaction } from '../store/interactions.js';
import type { InteractionScore } from '../store/monitors.js';
import { storeDataset } from './import.js';
import { storedName } from './stored.js';

/** A monitor's scores of the interactions, by interaction id and then metric (`name/version`). */
export type InteractionScores = Map<string, Record<string, Pick<InteractionScore, 'value' | 'justification'>>>;

/**
 * One interaction as a dataset row, under the standard column names judges read (null where it has
 * no value: every row has every column); each of `metrics` adds `<metric>/score` and
 * `<metric>/justification` from `scores` (null where it has none), as a run's results table names them.
 */
function interactionRow(interaction: Interaction, scores?: InteractionScores, metrics: string[] = []): DataRecord {
  const row: DataRecord = {
    interaction_id: interaction.id,
    request: interaction.request,
    response: interaction.response,
    retrieved_context: interaction.retrieved_context,
    expected_response: interaction.expected_response,
    app: interaction.app,
    timestamp: interaction.timestamp,
  };
  for (const metric of metrics) {
    const score = scores?.get(interaction.id)?.[metric];
    row[`${metric}/score`] = score?.value ?? null;
    row[`${metric}/justification`] = score?.justification ?? null;
  }
  return row;
}

/**
 * Stores `interactions` (in their order) as a dataset named `name`, kept in `dataDir` as JSON Lines;
 * with `scored`, each of its metrics adds its score and justification columns.
 * @example
 * const dataset = await storeInteractions(ctx.datasets, ctx.dataDir, 'low helpful 10:00', picked);
 */
export async function storeInteractions(
  datasets: DatasetRepository,
  dataDir: string,
  name: string,
  interactions: Interaction[],
  scored?: { metrics: string[]; scores: InteractionScores },
): Promise<DatasetRecord> {
  await mkdir(dataDir, { recursive: true });
  // The temporary file's extension carries the format, as an upload's does; it is moved into place.
  const temp = join(dataDir, `.interactions-${storedName(randomUUID(), 'jsonl')}`);
  try {
    await writeTable(
      temp,
      interactions.map((interaction) => interactionRow(interaction, scored?.scores, scored?.metrics)),
    );
    return await storeDataset(datasets, dataDir, { path: temp, originalName: `${name}.jsonl`, name, place: 'move' });
  } finally {
    await rm(temp, { force: true });
  }
}
