/**
 * Stored datasets: a data file imported into the data directory and recorded (`importDataset`,
 * `storeDataset`; production interactions with `storeInteractions`), its file located (`storedFile`), and its rows read back without validating
 * them again (`streamRows`, `previewRows`, `recordsAt`, `recordsWhere`).
 */
export { importDataset, storeDataset, type DatasetSource } from './import.js';
export { storeInteractions, type InteractionScores } from './from-interactions.js';
export { previewRows, recordsAt, recordsWhere, streamRows } from './rows.js';
export { storedFile, storedName, type StoredFile } from './stored.js';
