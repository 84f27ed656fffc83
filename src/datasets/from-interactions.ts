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
import { storeDataset } from './import.js';
import { storedName } from './stored.js';

/** The columns of a dataset made of interactions, in order; a value an interaction lacks is null. */
export const INTERACTION_COLUMNS = [
  'interaction_id',
  'request',
  'response',
  'retrieved_context',
  'expected_response',
  'app',
  'timestamp',
] as const;

/** One interaction as a dataset row, under the standard column names judges read. */
export function interactionRow(interaction: Interaction): DataRecord {
  return {
    interaction_id: interaction.id,
    request: interaction.request,
    response: interaction.response,
    retrieved_context: interaction.retrieved_context,
    expected_response: interaction.expected_response,
    app: interaction.app,
    timestamp: interaction.timestamp,
  };
}

/**
 * Stores `interactions` (in their order) as a dataset named `name`, kept in `dataDir` as JSON Lines.
 * @example
 * const dataset = await storeInteractions(ctx.datasets, ctx.dataDir, 'low helpful 10:00', picked);
 */
export async function storeInteractions(
  datasets: DatasetRepository,
  dataDir: string,
  name: string,
  interactions: Interaction[],
): Promise<DatasetRecord> {
  await mkdir(dataDir, { recursive: true });
  // The temporary file's extension carries the format, as an upload's does; it is moved into place.
  const temp = join(dataDir, `.interactions-${storedName(randomUUID(), 'jsonl')}`);
  try {
    await writeTable(temp, interactions.map(interactionRow));
    return await storeDataset(datasets, dataDir, { path: temp, originalName: `${name}.jsonl`, name, place: 'move' });
  } finally {
    await rm(temp, { force: true });
  }
}
