/**
 * The `juror` command. Exit codes: 0 ok; 1 a threshold missed or a metric wholly failed; 2 bad
 * config or input (or a provider refusing the run: bad key, unknown model); 3 an unexpected error;
 * 4 stopped before finishing by `--max-cost` or a failed write to the store (resumable); 130
 * interrupted by Ctrl-C or SIGTERM (resumable).
 */
import { Command } from 'commander';
import { DEFAULT_NEGATIVE_THRESHOLD } from '../agreement/scheme.js';
import { EXIT, reportError } from './exit.js';

/** A command's implementation: its arguments and options as commander parses them, to an exit code. */
type CommandRun = (...args: never[]) => Promise<number>;

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** Runs the CLI on `argv` (as process.argv) and returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const program = new Command('juror')
    .description('Juror: LLM-as-a-judge evaluation — judges, metrics, tracked runs, CI gates')
    .version('0.1.0')
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });
  let code: number = EXIT.ok;
  /**
   * Each command's module is loaded only when that command runs, so that `juror --version` or
   * `juror runs list` never loads the server, the providers or the judges.
   */
  const run =
    (load: () => Promise<CommandRun>) =>
    async (...args: unknown[]): Promise<void> => {
      code = await (await load())(...(args as never[]));
    };

  program
    .command('eval')
    .description('run the metrics and judges of a config over its dataset, store the run, print the results')
    .argument('<config>', 'the config file (YAML)')
    .option('--json', 'print one JSON object on stdout instead of the summary table')
    .option('--out <file>', 'write the results table to a .json, .jsonl or .csv file')
    .option('--db <path>', 'the SQLite store (default .juror/juror.db, or JUROR_DB / JUROR_DATABASE_URL)')
    .option('--experiment <name>', "override the config's experiment")
    .option('--run-name <name>', "override the config's run_name")
    .option('--no-cache', 'call the providers even for prompts answered before')
    .option('--resume <run-id>', 'finish a stopped run: rows already scored are not called again')
    .option('--dry-run', 'count calls, tokens and cost and show one rendered prompt, without calling anything')
    .option('--max-cost <usd>', 'stop (resumably) before the run would cost more than this many US dollars')
    .action(run(async () => (await import('./eval.js')).evalCommand));

  const runs = program.command('runs').description('list and show stored runs');
  runs
    .command('list')
    .description('runs, newest first, with their headline metrics')
    .option('--experiment <name>', 'only this experiment')
    .option('--status <status>', 'only runs with this status (running, finished, failed, interrupted)')
    .option('--limit <n>', 'how many', '20')
    .option('--json', 'print JSON')
    .option('--db <path>', 'the SQLite store')
    .action(run(async () => (await import('./runs.js')).runsListCommand));
  runs
    .command('show')
    .description("a run's metrics, counts and first rows")
    .argument('<run-id>', 'the run id, or a unique prefix of it')
    .option('--rows <n>', 'how many rows to show', '10')
    .option('--json', 'print JSON')
    .option('--db <path>', 'the SQLite store')
    .action(run(async () => (await import('./runs.js')).runsShowCommand));
  runs
    .command('compare')
    .description(
      'compare run B with run A on the same dataset, metric by metric: paired difference with a 95% interval, paired test, verdict',
    )
    .argument('<run-a>', 'the baseline run (id or unique prefix)')
    .argument('<run-b>', 'the run compared with it')
    .option('--json', 'print JSON')
    .option('--seed <n>', 'seed of the bootstrap resampling (same seed, same intervals)', '1')
    .option('--resamples <n>', 'bootstrap resamples', '2000')
    .option('--db <path>', 'the SQLite store')
    .action(run(async () => (await import('./runs.js')).runsCompareCommand));

  program
    .command('compare')
    .description(
      "judge run B's outputs against run A's, row by row in both orders, with a pairwise judge: win / loss / tie rates, consistency, position bias",
    )
    .argument('<run-a>', 'the baseline run (id or unique prefix)')
    .argument('<run-b>', 'the run compared with it (same dataset)')
    .requiredOption(
      '--judge <judge>',
      'a pairwise judge YAML file: judge_prompt with {response_a} and {response_b}, or a rubric with pairwise: true',
    )
    .option('--judge-model <uri>', 'the judge model, when the judge names none (else JUROR_JUDGE_MODEL)')
    .option('--json', 'print one JSON object on stdout instead of the report')
    .option('--seed <n>', 'seed of the bootstrap intervals (same seed, same intervals)', '1')
    .option('--no-cache', 'call the judge even for prompts answered before')
    .option('--db <path>', 'the SQLite store (default .juror/juror.db, or JUROR_DB / JUROR_DATABASE_URL)')
    .action(run(async () => (await import('./compare.js')).compareCommand));

  program
    .command('align')
    .description('run a judge over human-labelled rows and measure its agreement with the humans (κ, α, ρ, τ, F1 with bootstrap intervals)')
    .requiredOption('--judge <judge>', 'a judge YAML file (one judge, as under metrics: in juror.yaml) or a built-in judge name')
    .requiredOption('--data <file>', 'the labelled rows: CSV, JSONL, JSON or Parquet')
    .requiredOption('--human-col <column>', 'the column holding the human label of each row')
    .option('--col-mapping <name=column>', 'map a judge variable to a column, e.g. inputs=question (repeatable)', collect, [])
    .option('--judge-model <uri>', 'the judge model, when the judge names none (else JUROR_JUDGE_MODEL)')
    .option('--json', 'print one JSON object on stdout instead of the report')
    .option(
      '--fail-under <statistic=min>',
      'exit 1 when a statistic is below min, e.g. kappa=0.6 (repeatable; kappa, weighted_kappa, alpha, accuracy, precision, recall, f1, spearman, kendall)',
      collect,
      [],
    )
    .option(
      '--threshold <score>',
      `scales: a score at or below this is a negative verdict for precision/recall/F1 (default ${DEFAULT_NEGATIVE_THRESHOLD})`,
    )
    .option('--seed <n>', 'seed of the bootstrap resampling (same seed, same intervals)', '1')
    .option('--resamples <n>', 'bootstrap resamples', '1000')
    .option('--db <path>', 'the SQLite store (default .juror/juror.db, or JUROR_DB / JUROR_DATABASE_URL)')
    .action(run(async () => (await import('./align.js')).alignCommand));

  program
    .command('audit')
    .description(
      'bias probes of a judge: verbosity, authority/style and injection perturbations, self-consistency, human agreement (95% bootstrap intervals)',
    )
    .requiredOption('--judge <judge>', 'a judge YAML file (one judge, as under metrics: in juror.yaml) or a built-in judge name')
    .requiredOption('--data <file>', 'the rows to perturb: CSV, JSONL, JSON or Parquet')
    .option('--human-col <column>', 'a column of human labels: also report the agreement with them')
    .option(
      '--probes <list>',
      'all (those that apply), or some of verbosity,authority,injection,consistency; position for a pairwise judge',
      'all',
    )
    .option('--samples <k>', 'self-consistency: samples per row', '5')
    .option('--temperature <t>', 'self-consistency: the temperature of the samples', '0.7')
    .option('--suite <file>', 'a probe suite file instead of the built-in one (src/audit/suites/v1.yaml)')
    .option('--rows <n>', 'audit the first n rows only')
    .option('--col-mapping <name=column>', 'map a judge variable to a column, e.g. response=answer (repeatable)', collect, [])
    .option('--judge-model <uri>', 'the judge model, when the judge names none (else JUROR_JUDGE_MODEL)')
    .option('--threshold <score>', `scales: a score at or below this is not a positive verdict (default ${DEFAULT_NEGATIVE_THRESHOLD})`)
    .option('--json', 'print one JSON object on stdout instead of the report')
    .option(
      '--fail-under <name=bound>',
      'exit 1 when a number is worse than the bound, e.g. flip_rate.injection=0.05, shift.verbosity=0.5, alpha.consistency=0.8 (repeatable)',
      collect,
      [],
    )
    .option('--seed <n>', 'seed of the bootstrap resampling (same seed, same intervals)', '1')
    .option('--resamples <n>', 'bootstrap resamples', '1000')
    .option('--no-cache', 'ask the judge again for rows and copies it answered before')
    .option('--db <path>', 'the SQLite store (default .juror/juror.db, or JUROR_DB / JUROR_DATABASE_URL)')
    .action(run(async () => (await import('./audit.js')).auditCommand));

  program
    .command('label')
    .description(
      'label every row of a dataset with an LLM judge; with --review, first a sample for you to review, your corrections becoming few-shot examples (LLM Judge++)',
    )
    .argument('<dataset-file>', 'the rows to label: CSV, JSONL, JSON or Parquet')
    .option(
      '--prompt <text>',
      'the criterion; {column} variables are filled from the rows, e.g. "Is {answer} supported by {context}? 1 if so, else 0"',
    )
    .option('--builtin <judge>', 'a built-in judge instead of a prompt, e.g. faithfulness')
    .option('--output <kind>', 'the labels: binary, yes_no or scale_1_5 (default binary)')
    .option('--model <uri>', 'the judge model, e.g. openai:/gpt-4o-mini (default JUROR_JUDGE_MODEL)')
    .option('--sample <n>', 'rows labelled first, for --review', '16')
    .option('--seed <n>', 'seed of the sample (the same seed picks the same rows)')
    .option('--name <name>', 'the judge name its versions are stored under (default label_<job id prefix>)')
    .option('--col-mapping <name=column>', 'map a standard variable to a column, e.g. context=docs (repeatable)', collect, [])
    .option(
      '--examples <file>',
      "few-shot examples for the judge: a CSV or JSONL file with the criterion's columns, label and (optional) justification",
    )
    .option('--review', 'review the sample in the terminal: Enter keeps, f flips, 1/0 (y/n, 1-5) sets, e edits the justification, s skips')
    .option('--out <file>', 'write the labelled rows to a .csv, .jsonl or .json file')
    .option('--json', 'print a JSON summary on stdout')
    .option('--db <path>', 'the SQLite store (default .juror/juror.db, or JUROR_DB / JUROR_DATABASE_URL)')
    .action(run(async () => (await import('./label.js')).labelCommand));

  program
    .command('distill')
    .description(
      "train a small local judge on a label job's (or a file's) labels, measured by cross-validation; stored as a new judge version of kind distilled",
    )
    .option('--label-job <id>', 'the label job whose labels to learn (its id, or a unique prefix)')
    .option('--data <file>', 'or a labelled file: CSV, JSONL, JSON or Parquet')
    .option('--label-col <column>', "with --data: the column holding each row's label (1/0, yes/no, or integer scores)")
    .option('--text-cols <a,b>', 'with --data: the text columns to read (default: every other column)')
    .requiredOption('--name <judge>', 'the judge name to store it under (the next version of that name)')
    .option('--folds <n>', 'cross-validation folds', '5')
    .option('--features <kind>', 'ngrams (hashed word and character n-grams) or embeddings (a local transformers.js model)', 'ngrams')
    .option('--embedding-model <id>', 'with --features embeddings: the model id (default Xenova/all-MiniLM-L6-v2)')
    .option(
      '--embedding-path <folder>',
      'with --features embeddings: a folder holding the model (config.json, tokenizer.json, onnx/model.onnx)',
    )
    .option('--seed <n>', 'seed of the folds and the bootstrap intervals', '1')
    .option('--json', 'print the stored version and its report as JSON')
    .option('--db <path>', 'the SQLite store (default .juror/juror.db, or JUROR_DB / JUROR_DATABASE_URL)')
    .action(run(async () => (await import('./distill.js')).distillCommand));

  program
    .command('export')
    .description('export stored data for other tools')
    .command('finetune')
    .description("a label job's labelled rows as chat-format fine-tuning data (JSON Lines), to distill the judge")
    .requiredOption('--label-job <id>', 'the label job (its id, or a unique prefix)')
    .option('--out <file>', 'write to this .jsonl file (default: stdout)')
    .option('--db <path>', 'the SQLite store (default .juror/juror.db, or JUROR_DB / JUROR_DATABASE_URL)')
    .action(run(async () => (await import('./export.js')).exportFinetuneCommand));

  const finetune = program
    .command('finetune')
    .description("fine-tune a label job's judge at OpenAI; the fine-tuned model becomes a new version of the judge");
  finetune
    .command('submit')
    .description("upload the label job's fine-tuning data, create the fine-tuning job and follow it to the end")
    .requiredOption('--label-job <id>', 'the label job (its id, or a unique prefix)')
    .requiredOption('--model <uri>', 'the base model, e.g. openai:/gpt-4o-mini-2024-07-18')
    .option('--suffix <text>', "a suffix for the fine-tuned model's name (up to 64 characters)")
    .option('--epochs <n>', 'training epochs, 1 to 50 (default: the provider chooses)')
    .option('--no-wait', 'return once the job is created; follow it later with `juror finetune status <id> --wait`')
    .option('--json', 'print the fine-tune as JSON')
    .option('--db <path>', 'the SQLite store (default .juror/juror.db, or JUROR_DB / JUROR_DATABASE_URL)')
    .action(run(async () => (await import('./finetune.js')).finetuneSubmitCommand));
  finetune
    .command('status')
    .description("a fine-tune's status and latest events, as the provider reports them now")
    .argument('<job-id>', 'the fine-tune id (or a unique prefix), or the provider job id (ftjob-…)')
    .option('--wait', 'follow it until it ends, printing its events')
    .option('--json', 'print the fine-tune as JSON')
    .option('--db <path>', 'the SQLite store')
    .action(run(async () => (await import('./finetune.js')).finetuneStatusCommand));
  finetune
    .command('cancel')
    .description('cancel a fine-tune at the provider')
    .argument('<job-id>', 'the fine-tune id (or a unique prefix), or the provider job id (ftjob-…)')
    .option('--json', 'print the fine-tune as JSON')
    .option('--db <path>', 'the SQLite store')
    .action(run(async () => (await import('./finetune.js')).finetuneCancelCommand));

  program
    .command('serve')
    .description('serve the REST API (under /api, OpenAPI at /api/openapi.json) and the web UI at /')
    .option('--port <n>', 'port (0 picks a free one)', '4173')
    .option('--host <host>', 'interface to bind; anything but loopback requires API tokens', '127.0.0.1')
    .option('--db <path>', 'the SQLite store (default .juror/juror.db, or JUROR_DB / JUROR_DATABASE_URL)')
    .option('--auth', 'require an API token on /api even on loopback')
    .option('--data-dir <dir>', 'where uploaded datasets are kept (default: datasets/ next to the SQLite store)')
    .option('--max-upload-mb <n>', 'largest dataset upload accepted', '100')
    .option('--max-ingest-mb <n>', 'largest body of POST /api/otlp/v1/traces and /api/interactions, after gunzip (413 above)', '16')
    .option('--allow-config-endpoints', "let configs sent over the API declare endpoints (they could send the server's keys elsewhere)")
    .option(
      '--allowed-host <name>',
      'another host name the server is reached by (a proxy, a container, /etc/hosts); repeatable. Without tokens, other Host headers are refused',
      collect,
      [],
    )
    .option(
      '--redis <url>',
      'enqueue jobs on this Redis for `juror worker` processes instead of running them here (or JUROR_REDIS_URL; needs JUROR_DATABASE_URL)',
    )
    .option(
      '--retention <age>',
      "delete interactions older than this (30d, 12h; or JUROR_RETENTION), hourly and on start; monitors' window aggregates are kept",
    )
    .action(run(async () => (await import('./serve.js')).serveCommand));

  program
    .command('worker')
    .description('run jobs that `juror serve --redis` enqueues (same JUROR_DATABASE_URL and JUROR_REDIS_URL); any number, on any machines')
    .option('--redis <url>', 'the Redis of the queue and of the shared provider limits (default JUROR_REDIS_URL)')
    .option('--concurrency <n>', 'chunks run at once by this process', '2')
    .option('--chunk-size <n>', 'rows per chunk of an evaluation this worker splits', '1000')
    .option('--lease <seconds>', "how long a dead worker's chunks wait before others take them over", '30')
    .option('--data-dir <dir>', 'where the server keeps uploaded datasets (default .juror/datasets; shared with the server)')
    .action(run(async () => (await import('./worker.js')).workerCommand));

  const tokens = program.command('tokens').description('API tokens of `juror serve` (stored hashed)');
  tokens
    .command('create')
    .description('create a token and print it once')
    .option('--name <name>', 'a name to list and revoke it by')
    .option('--scope <scope>', 'ingest: the token may only send traffic in (POST /api/otlp/v1/traces, POST /api/interactions)')
    .option('--json', 'print JSON')
    .option('--db <path>', 'the SQLite store')
    .action(run(async () => (await import('./tokens.js')).tokensCreateCommand));
  tokens
    .command('list')
    .description('tokens: name, id, created, last used (never the token)')
    .option('--json', 'print JSON')
    .option('--db <path>', 'the SQLite store')
    .action(run(async () => (await import('./tokens.js')).tokensListCommand));
  tokens
    .command('revoke')
    .description('revoke a token by name or id')
    .argument('<name-or-id>')
    .option('--db <path>', 'the SQLite store')
    .action(run(async () => (await import('./tokens.js')).tokensRevokeCommand));

  const monitor = program.command('monitor').description('monitors of a running `juror serve`: judges over production traffic');
  const server = (command: Command) =>
    command
      .option('--url <url>', 'the server', 'http://127.0.0.1:4173')
      .option('--token <token>', 'an API token (default JUROR_TOKEN)')
      .option('--json', 'print JSON');
  server(
    monitor.command('create').description('create a monitor from a YAML file (the body of POST /api/monitors)').argument('<file>'),
  ).action(run(async () => (await import('./monitor.js')).monitorCreateCommand));
  server(monitor.command('list').description('monitors: status, window, interactions judged, lag')).action(
    run(async () => (await import('./monitor.js')).monitorListCommand),
  );
  server(monitor.command('show').description('a monitor and its alert events').argument('<id>')).action(
    run(async () => (await import('./monitor.js')).monitorShowCommand),
  );
  server(monitor.command('pause').description('stop judging new interactions').argument('<id>')).action(
    run(async () => (await import('./monitor.js')).monitorStatusCommand('paused')),
  );
  server(monitor.command('resume').description('judge again, from the interactions that arrived meanwhile').argument('<id>')).action(
    run(async () => (await import('./monitor.js')).monitorStatusCommand('active')),
  );

  const canary = program
    .command('canary')
    .description('canaries of a running `juror serve`: a judge checked against human labels on a schedule');
  server(
    canary
      .command('create')
      .description('create a canary from a YAML file (the body of POST /api/canaries); its first check runs now')
      .argument('<file>'),
  ).action(run(async () => (await import('./canary.js')).canaryCreateCommand));
  server(canary.command('list').description('canaries: judge version, schedule, alert and its state, last agreement')).action(
    run(async () => (await import('./canary.js')).canaryListCommand),
  );
  server(canary.command('show').description('a canary: its agreement over time and alert events').argument('<id>')).action(
    run(async () => (await import('./canary.js')).canaryShowCommand),
  );
  server(canary.command('pause').description('stop its schedule').argument('<id>')).action(
    run(async () => (await import('./canary.js')).canaryStatusCommand('paused')),
  );
  server(canary.command('resume').description('start its schedule again (a check missed meanwhile runs once)').argument('<id>')).action(
    run(async () => (await import('./canary.js')).canaryStatusCommand('active')),
  );
  server(
    canary
      .command('run')
      .description('check the judge now and wait for the outcome: exit 1 when the alert fires or the check failed')
      .argument('<id>')
      .option('--no-wait', 'return once the check is asked for')
      .option('--timeout <seconds>', 'how long to wait for the check', '600'),
  ).action(run(async () => (await import('./canary.js')).canaryRunCommand));

  const cache = program.command('cache').description('the answer cache kept in the store');
  cache
    .command('stats')
    .description('cached answers per model')
    .option('--db <path>', 'the SQLite store')
    .option('--json', 'print JSON')
    .action(run(async () => (await import('./runs.js')).cacheStatsCommand));
  cache
    .command('clear')
    .description("empty the cache (or one model's part of it)")
    .option('--model <uri>', 'only this model')
    .option('--db <path>', 'the SQLite store')
    .action(run(async () => (await import('./runs.js')).cacheClearCommand));

  try {
    await program.parseAsync(argv);
    return code;
  } catch (error) {
    return reportError(error);
  }
}
