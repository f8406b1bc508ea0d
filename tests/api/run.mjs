// The API suite's runner: tests/api/run --bin PATH --db sqlite|postgres.
//
// Every tests/api/*.test.mjs file starts its own server(s) on fresh databases
// (see tests/lib).  For PostgreSQL this runner first starts a temporary
// cluster and hands its base DSN to the test files (SAFEHUB_TEST_PG_URL), each
// of which makes its own databases in it; the cluster is stopped at the end,
// also when the run fails or is interrupted.  The last line printed is
// "api: N passed, N failed"; the exit status is non-zero when anything failed
// or could not run.
//
// Options: --bin PATH (default build/safehub), --db sqlite|postgres (default
// sqlite), --only SUBSTRING (run only the test files whose name contains it),
// --concurrency N (test files at once; default 2, for a 2-core machine).
import { chmodSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startCluster } from '../lib/postgres.mjs';
import { isSanitizerBuild, notExecutable, runNodeTests } from '../lib/runner.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '../..');
const NAME = 'api';

/** Says what is wrong with the command line, prints a failed result line and exits 2. */
function usage(why) {
  console.error(`tests/api/run: ${why}`);
  console.error('usage: tests/api/run --bin PATH --db sqlite|postgres [--only SUBSTRING] [--concurrency N]');
  console.log(`${NAME}: 0 passed, 1 failed`);
  process.exit(2);
}

/** The options of ARGV (see the header), with their defaults. */
function parseArgs(argv) {
  const o = { bin: 'build/safehub', db: 'sqlite', only: null, concurrency: 2 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      if (i + 1 >= argv.length) usage(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--bin') o.bin = val();
    else if (a === '--db') o.db = val();
    else if (a === '--only') o.only = val();
    else if (a === '--concurrency') o.concurrency = Number(val());
    else usage(`unknown argument ${a}`);
  }
  if (o.db !== 'sqlite' && o.db !== 'postgres') usage('--db must be sqlite or postgres');
  if (!(o.concurrency >= 1)) usage('--concurrency must be a positive number');
  return o;
}

/** Runs the suite; resolves with the exit status. */
async function main() {
  const o = parseArgs(process.argv.slice(2));
  const bin = resolve(process.cwd(), o.bin);
  const bad = notExecutable(bin);
  if (bad) {
    console.error(`tests/api/run: ${bad} (build it first)`);
    console.log(`${NAME}: 0 passed, 1 failed`);
    return 1;
  }
  const files = readdirSync(here)
    .filter((f) => f.endsWith('.test.mjs') && (!o.only || f.includes(o.only)))
    .sort()
    .map((f) => join(here, f));
  if (!files.length) {
    console.error('tests/api/run: no test files matched');
    console.log(`${NAME}: 0 passed, 1 failed`);
    return 1;
  }
  const sanitizer = isSanitizerBuild(bin);
  // The test files' temporary folders go in one folder of this run, removed at
  // the end even when a test file was killed before cleaning up after itself.
  const runDir = mkdtempSync(join(tmpdir(), 'safehub-api-run-'));
  chmodSync(runDir, 0o755);
  const env = {
    TMPDIR: runDir,
    SAFEHUB_TEST_BIN: bin,
    SAFEHUB_TEST_DB: o.db,
    SAFEHUB_TEST_SANITIZER: sanitizer ? '1' : '0',
    SAFEHUB_ASSETS_DIR: process.env.SAFEHUB_ASSETS_DIR || join(repo, 'build/assets'),
  };
  let cluster = null;
  const stopCluster = async () => {
    const c = cluster;
    cluster = null;
    if (c) await c.stop();
  };
  // Interrupted: end the test run (its servers stop with it); the cluster is
  // stopped and the result line printed below as on any other ending.
  const abort = new AbortController();
  for (const sig of ['SIGINT', 'SIGTERM']) {
    process.on(sig, () => {
      console.error(`tests/api/run: ${sig}: stopping`);
      abort.abort();
    });
  }
  console.log(`api suite: ${bin} on ${o.db}${sanitizer ? ' (sanitizer build)' : ''}, ${files.length} files`);
  let result;
  try {
    if (o.db === 'postgres') {
      cluster = await startCluster();
      env.SAFEHUB_TEST_PG_URL = cluster.url;
      console.log(`postgresql cluster at 127.0.0.1:${cluster.port}`);
    }
    result = await runNodeTests(files, {
      name: NAME,
      concurrency: o.concurrency,
      timeout: sanitizer ? 600000 : 240000,
      env,
      signal: abort.signal,
    });
  } catch (e) {
    console.error(`tests/api/run: ${e.stack || e.message}`);
    result = { passed: 0, failed: 1 };
  } finally {
    await stopCluster().catch((e) => console.error(`tests/api/run: stopping PostgreSQL: ${e.message}`));
    rmSync(runDir, { recursive: true, force: true });
  }
  if (abort.signal.aborted && result.failed === 0) result.failed = 1;
  console.log(`${NAME}: ${result.passed} passed, ${result.failed} failed`);
  return result.failed === 0 ? 0 : 1;
}

process.exitCode = await main();
