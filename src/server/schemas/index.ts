/** The API's request and response schemas: one source for validation, the OpenAPI document and the client's types. */
export * from './common.js';
export * from './catalog.js';
export * from './datasets.js';
export * from './jobs.js';
export * from './results.js';
export * from './runs.js';
export * from './label-jobs.js';
