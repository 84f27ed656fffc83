/**
 * Versioned migrations, run on open. Append new ones; never edit one that has shipped.
 * Column types stay portable across SQLite and Postgres.
 */
import { sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';

const migrations: Record<string, Migration> = {
  '0001_tracking': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('experiments')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('judges')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('version', 'text', (c) => c.notNull())
        .addColumn('hash', 'text', (c) => c.notNull().unique())
        .addColumn('definition', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('runs')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('experiment_id', 'text', (c) => c.notNull().references('experiments.id'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('config', 'text', (c) => c.notNull())
        .addColumn('dataset', 'text', (c) => c.notNull())
        .addColumn('started_at', 'text', (c) => c.notNull())
        .addColumn('finished_at', 'text')
        .addColumn('row_count', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('rows_done', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('error_count', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('input_tokens', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('output_tokens', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('cost_usd', 'double precision', (c) => c.notNull().defaultTo(0))
        .addColumn('error', 'text')
        .execute();
      await db.schema.createIndex('runs_experiment_started').on('runs').columns(['experiment_id', 'started_at']).execute();
      await db.schema
        .createTable('run_judges')
        .addColumn('run_id', 'text', (c) => c.notNull().references('runs.id').onDelete('cascade'))
        .addColumn('metric', 'text', (c) => c.notNull())
        .addColumn('judge_id', 'text', (c) => c.notNull().references('judges.id'))
        .addColumn('system_prompt', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('run_judges_pk', ['run_id', 'metric'])
        .execute();
      await db.schema
        .createTable('rows')
        .addColumn('run_id', 'text', (c) => c.notNull().references('runs.id').onDelete('cascade'))
        .addColumn('row_index', 'integer', (c) => c.notNull())
        .addColumn('record', 'text', (c) => c.notNull())
        .addColumn('outputs', 'text')
        .addColumn('model_latency_ms', 'double precision')
        .addColumn('model_input_tokens', 'integer')
        .addColumn('model_output_tokens', 'integer')
        .addColumn('model_error', 'text')
        .addPrimaryKeyConstraint('rows_pk', ['run_id', 'row_index'])
        .execute();
      await db.schema
        .createTable('results')
        .addColumn('run_id', 'text', (c) => c.notNull().references('runs.id').onDelete('cascade'))
        .addColumn('row_index', 'integer', (c) => c.notNull())
        .addColumn('metric', 'text', (c) => c.notNull())
        .addColumn('value', 'double precision')
        .addColumn('score', 'text')
        .addColumn('label', 'text')
        .addColumn('justification', 'text')
        .addColumn('raw', 'text')
        .addColumn('details', 'text')
        .addColumn('prompt', 'text')
        .addColumn('input_tokens', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('output_tokens', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('cost_usd', 'double precision', (c) => c.notNull().defaultTo(0))
        .addColumn('latency_ms', 'double precision')
        .addColumn('error', 'text')
        .addPrimaryKeyConstraint('results_pk', ['run_id', 'metric', 'row_index'])
        .execute();
      await db.schema
        .createTable('metrics')
        .addColumn('run_id', 'text', (c) => c.notNull().references('runs.id').onDelete('cascade'))
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('value', 'double precision', (c) => c.notNull())
        .addPrimaryKeyConstraint('metrics_pk', ['run_id', 'key'])
        .execute();
      await db.schema
        .createTable('run_metrics')
        .addColumn('run_id', 'text', (c) => c.notNull().references('runs.id').onDelete('cascade'))
        .addColumn('metric', 'text', (c) => c.notNull())
        .addColumn('rows_scored', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('error_count', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('input_tokens', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('output_tokens', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('cost_usd', 'double precision', (c) => c.notNull().defaultTo(0))
        .addPrimaryKeyConstraint('run_metrics_pk', ['run_id', 'metric'])
        .execute();
    },
  },
  '0002_cache': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('cache')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('model', 'text', (c) => c.notNull())
        .addColumn('answer', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
    },
  },
  '0003_server': {
    // `juror serve`: uploaded datasets, background jobs, API tokens, and the indexes that page and
    // sort a run's results in SQL (by a metric's value, and its error rows) without reading the run.
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('datasets')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('format', 'text', (c) => c.notNull())
        .addColumn('columns', 'text', (c) => c.notNull())
        .addColumn('row_count', 'integer', (c) => c.notNull())
        .addColumn('hash', 'text', (c) => c.notNull())
        .addColumn('size_bytes', 'bigint', (c) => c.notNull())
        .addColumn('file', 'text', (c) => c.notNull())
        .addColumn('original_name', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('datasets_created').on('datasets').column('created_at').execute();
      await db.schema
        .createTable('jobs')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('progress', 'text')
        .addColumn('error', 'text')
        // Not a foreign key: a job's record outlives a deleted run.
        .addColumn('run_id', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('jobs_run').on('jobs').column('run_id').execute();
      await db.schema.createIndex('jobs_status').on('jobs').column('status').execute();
      await db.schema
        .createTable('api_tokens')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('hash', 'text', (c) => c.notNull().unique())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('last_used_at', 'text')
        .execute();
      await db.schema.createIndex('runs_started').on('runs').column('started_at').execute();
      await db.schema.createIndex('results_run_metric_value').on('results').columns(['run_id', 'metric', 'value', 'row_index']).execute();
      await db.schema
        .createIndex('results_run_errors')
        .on('results')
        .columns(['run_id', 'row_index'])
        .where(sql.ref('error'), 'is not', null)
        .execute();
    },
  },
  '0004_labels': {
    // The LLM Judge++ loop (src/labeling/): labels of dataset rows (human, LLM, code), the label
    // jobs that produce them, and judge–human agreement per judge version over time.
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('label_jobs')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('dataset_id', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('criterion', 'text', (c) => c.notNull())
        .addColumn('judge_id', 'text', (c) => c.references('judges.id'))
        .addColumn('sample', 'text', (c) => c.notNull())
        .addColumn('sample_size', 'integer', (c) => c.notNull())
        .addColumn('seed', 'integer', (c) => c.notNull())
        .addColumn('uncertain', 'text')
        .addColumn('versions', 'text', (c) => c.notNull())
        .addColumn('runs', 'text', (c) => c.notNull())
        .addColumn('progress', 'text')
        .addColumn('error', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('label_jobs_dataset').on('label_jobs').columns(['dataset_id', 'created_at']).execute();
      await db.schema
        .createTable('labels')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('dataset_id', 'text', (c) => c.notNull())
        .addColumn('row_index', 'integer', (c) => c.notNull())
        // Null on an LLM attempt that produced no usable answer (`error` says why).
        .addColumn('label', 'double precision')
        .addColumn('label_text', 'text')
        .addColumn('justification', 'text')
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('judge_id', 'text', (c) => c.references('judges.id'))
        .addColumn('label_job_id', 'text')
        // The result that produced an LLM label: runs.id and its row_index there (not a foreign key: runs can be deleted).
        .addColumn('run_id', 'text')
        .addColumn('run_row_index', 'integer')
        .addColumn('error', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('labels_job_row').on('labels').columns(['label_job_id', 'row_index']).execute();
      await db.schema.createIndex('labels_dataset_row').on('labels').columns(['dataset_id', 'row_index']).execute();
      await db.schema
        .createTable('agreements')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('judge_id', 'text', (c) => c.notNull().references('judges.id'))
        .addColumn('dataset_id', 'text', (c) => c.notNull())
        .addColumn('label_job_id', 'text')
        .addColumn('n', 'integer', (c) => c.notNull())
        .addColumn('stats', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('agreements_judge').on('agreements').columns(['judge_id', 'created_at']).execute();
    },
  },
  '0005_agreement_runs': {
    async up(db: Kysely<unknown>) {
      // The run a check of a judge against human labels made (`juror align`, POST /api/judges/:name/align); null for label-job checks.
      await db.schema.alterTable('agreements').addColumn('run_id', 'text').execute();
    },
  },
  '0006_metric_info': {
    async up(db: Kysely<unknown>) {
      // Each metric's kind, range, direction, headline and its interval (engine/metric-info.ts), as
      // JSON; null for runs stored before it, whose info the server derives from their judges.
      await db.schema.alterTable('runs').addColumn('metric_info', 'text').execute();
    },
  },
  '0007_job_payloads': {
    // One job system (src/jobs/): a job carries what its handler needs to run or resume it from the
    // store alone, and the domain object it works for (a label job's phases point at the label job).
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('jobs').addColumn('payload', 'text').execute();
      await db.schema.alterTable('jobs').addColumn('target_id', 'text').execute();
      await db.schema.createIndex('jobs_target').on('jobs').columns(['target_id', 'created_at']).execute();
    },
  },
  '0008_interactions': {
    // Monitoring (issue #13): production LLM calls of users' apps, from OTLP spans, JSON ingest or the
    // SDK middleware; the id is the client's (or `<trace>-<span>`), so a retried batch is stored once.
    // A token's scope: null for every route, `ingest` for the ingest routes only.
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('interactions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('app', 'text')
        .addColumn('timestamp', 'text', (c) => c.notNull())
        .addColumn('request', 'text', (c) => c.notNull())
        .addColumn('response', 'text', (c) => c.notNull())
        .addColumn('retrieved_context', 'text')
        .addColumn('expected_response', 'text')
        .addColumn('model', 'text')
        .addColumn('trace_id', 'text')
        .addColumn('span_id', 'text')
        .addColumn('input_tokens', 'integer')
        .addColumn('output_tokens', 'integer')
        .addColumn('latency_ms', 'double precision')
        .addColumn('metadata', 'text')
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('received_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('interactions_app_timestamp').on('interactions').columns(['app', 'timestamp']).execute();
      await db.schema.createIndex('interactions_trace').on('interactions').column('trace_id').execute();
      await db.schema.alterTable('api_tokens').addColumn('scope', 'text').execute();
    },
  },
  '0009_monitors': {
    // Monitors (issue #13): judges over production traffic. Each interaction a monitor has looked at
    // is an item (sampled or not, so it is looked at once); each sampled one gets a score per metric
    // (value, or the error of an error row); alert events and the webhook outbox are stored, so that
    // a restart loses neither.
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('monitors')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('definition', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('monitor_items')
        .addColumn('monitor_id', 'text', (c) => c.notNull())
        .addColumn('interaction_id', 'text', (c) => c.notNull())
        .addColumn('sampled', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('monitor_items_pk', ['monitor_id', 'interaction_id'])
        .execute();
      await db.schema
        .createTable('monitor_scores')
        .addColumn('monitor_id', 'text', (c) => c.notNull())
        .addColumn('interaction_id', 'text', (c) => c.notNull())
        .addColumn('metric', 'text', (c) => c.notNull())
        .addColumn('timestamp', 'text', (c) => c.notNull())
        .addColumn('value', 'double precision')
        .addColumn('justification', 'text')
        .addColumn('error', 'text')
        .addColumn('lag_ms', 'double precision', (c) => c.notNull())
        .addColumn('scored_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('monitor_scores_pk', ['monitor_id', 'interaction_id', 'metric'])
        .execute();
      await db.schema.createIndex('monitor_scores_window').on('monitor_scores').columns(['monitor_id', 'metric', 'timestamp']).execute();
      await db.schema
        .createTable('monitor_alerts')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('monitor_id', 'text', (c) => c.notNull())
        .addColumn('rule', 'integer', (c) => c.notNull())
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('metric', 'text', (c) => c.notNull())
        .addColumn('window_start', 'text', (c) => c.notNull())
        .addColumn('value', 'double precision', (c) => c.notNull())
        .addColumn('op', 'text', (c) => c.notNull())
        .addColumn('threshold', 'double precision', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('monitor_alerts_monitor').on('monitor_alerts').columns(['monitor_id', 'at']).execute();
      await db.schema
        .createTable('webhook_deliveries')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('monitor_id', 'text', (c) => c.notNull())
        .addColumn('url', 'text', (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull())
        .addColumn('next_at', 'text', (c) => c.notNull())
        .addColumn('delivered_at', 'text')
        .addColumn('last_error', 'text')
        .execute();
      await db.schema.createIndex('webhook_deliveries_due').on('webhook_deliveries').columns(['delivered_at', 'next_at']).execute();
      // Monitors look for new interactions by arrival.
      await db.schema.createIndex('interactions_received').on('interactions').column('received_at').execute();
    },
  },
  '0010_canaries_retention': {
    // Canaries (issue #13 §3): a judge version checked against human labels on a schedule. Each tick
    // is a canary run (its start places the next tick, so a schedule survives a restart); alert events
    // are stored, their webhooks going through webhook_deliveries as monitors' do. Retention: before
    // old interactions are deleted, each finished window's aggregate is kept in monitor_windows.
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('canaries')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('definition', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('run_requested_at', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('canary_runs')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('canary_id', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('started_at', 'text', (c) => c.notNull())
        .addColumn('finished_at', 'text')
        .addColumn('run_id', 'text')
        .addColumn('n', 'integer')
        .addColumn('statistics', 'text')
        .addColumn('error', 'text')
        .execute();
      await db.schema.createIndex('canary_runs_canary').on('canary_runs').columns(['canary_id', 'started_at']).execute();
      await db.schema
        .createTable('canary_alerts')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('canary_id', 'text', (c) => c.notNull())
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('run_id', 'text')
        .addColumn('statistic', 'text', (c) => c.notNull())
        .addColumn('value', 'double precision', (c) => c.notNull())
        .addColumn('op', 'text', (c) => c.notNull())
        .addColumn('threshold', 'double precision', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('canary_alerts_canary').on('canary_alerts').columns(['canary_id', 'at']).execute();
      await db.schema
        .createTable('monitor_windows')
        .addColumn('monitor_id', 'text', (c) => c.notNull())
        .addColumn('metric', 'text', (c) => c.notNull())
        .addColumn('window_start', 'text', (c) => c.notNull())
        .addColumn('window_end', 'text', (c) => c.notNull())
        .addColumn('count', 'integer', (c) => c.notNull())
        .addColumn('errors', 'integer', (c) => c.notNull())
        .addColumn('mean', 'double precision')
        .addColumn('p90', 'double precision')
        .addColumn('ratio', 'double precision')
        .addColumn('rolled_up_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('monitor_windows_pk', ['monitor_id', 'metric', 'window_start'])
        .execute();
      // Retention deletes interactions by their own timestamp.
      await db.schema.createIndex('interactions_timestamp').on('interactions').column('timestamp').execute();
    },
  },
  '0017_finetunes': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('finetunes')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('label_job_id', 'text', (c) => c.notNull())
        .addColumn('judge_name', 'text', (c) => c.notNull())
        .addColumn('base_judge_id', 'text', (c) => c.notNull())
        .addColumn('base_model', 'text', (c) => c.notNull())
        .addColumn('suffix', 'text')
        .addColumn('epochs', 'integer')
        .addColumn('examples', 'integer')
        .addColumn('training_file', 'text')
        .addColumn('provider_job_id', 'text')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('fine_tuned_model', 'text')
        .addColumn('judge_id', 'text')
        .addColumn('judge_version', 'text')
        .addColumn('error', 'text')
        .addColumn('trained_tokens', 'integer')
        .addColumn('events', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('finetunes_label_job').on('finetunes').columns(['label_job_id', 'created_at']).execute();
      await db.schema.createIndex('finetunes_provider_job').on('finetunes').column('provider_job_id').execute();
    },
  },
  '0011_judge_audits': {
    // Audits (issue #14 §1): bias probes of a judge version, one record per audit with its report,
    // beside the version's agreement.
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('judge_audits')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('judge_id', 'text', (c) => c.notNull())
        .addColumn('dataset_id', 'text', (c) => c.notNull())
        .addColumn('run_id', 'text')
        .addColumn('suite', 'text', (c) => c.notNull())
        .addColumn('suite_version', 'text', (c) => c.notNull())
        .addColumn('n', 'integer', (c) => c.notNull())
        .addColumn('report', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('judge_audits_judge').on('judge_audits').columns(['judge_id', 'created_at']).execute();
    },
  },
  '0012_result_panels': {
    // Juries, samples and logprob scores (issue #14 §4): each verdict behind a row's value and their
    // spread, as JSON (judges/jury.ts Panel); null for single judgements and rows stored before.
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('results').addColumn('panel', 'text').execute();
    },
  },
  '0015_distilled_judges': {
    // Distilled judges (issue #15): a judge version of kind distilled — a calibrated classifier whose
    // weights (definition, JSON) and cross-validation report are stored with it. A table of its own
    // beside `judges`, whose definitions are LLM judges that every reader parses as one.
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('distilled_judges')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('version', 'text', (c) => c.notNull())
        .addColumn('definition', 'text', (c) => c.notNull())
        .addColumn('report', 'text', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('distilled_judges_name_version', ['name', 'version'])
        .execute();
    },
  },
};

/** Supplies the migrations to Kysely's Migrator. */
export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};
