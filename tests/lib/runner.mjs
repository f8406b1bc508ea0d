// Running a suite of node:test files and reporting it the way tests/run-all
// expects: node's own progress on stdout as it goes, then one last line
// "NAME: N passed, N failed" with real counts.  Skipped, todo and cancelled
// tests count as failed (the project allows none), and so does a run that
// ends badly without naming a failed test.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Reads the "# pass N" style summary lines of a TAP report into numbers (null when absent). */
export function parseTapSummary(tap) {
  const get = (k) => {
    const m = new RegExp(`^# ${k} (\\d+)$`, 'm').exec(tap);
    return m ? Number(m[1]) : null;
  };
  const pass = get('pass');
  const fail = get('fail');
  if (pass === null || fail === null) return null;
  return { pass, fail, cancelled: get('cancelled') ?? 0, skipped: get('skipped') ?? 0, todo: get('todo') ?? 0 };
}

/** True when the executable at PATH was linked with AddressSanitizer (its runtime symbols are in it). */
export function isSanitizerBuild(path) {
  try {
    return readFileSync(path).includes('__asan_init');
  } catch {
    return false;
  }
}

/** Checks that PATH is an executable file; returns a reason when it is not. */
export function notExecutable(path) {
  if (!existsSync(path)) return `${path} does not exist`;
  const st = statSync(path);
  if (!st.isFile() || !(st.mode & 0o111)) return `${path} is not an executable file`;
  return null;
}

/**
 * Runs FILES with `node --test`.  OPTS: name (for the result line),
 * concurrency (test files at once), timeout (ms per test), env (added to
 * the environment), signal (an AbortSignal that kills the run).  Prints
 * node's spec report as it goes; resolves with {passed, failed} for the
 * caller to print as the result line.
 */
export async function runNodeTests(files, { name, concurrency = 2, timeout = 300000, env = {}, signal }) {
  const dir = mkdtempSync(join(tmpdir(), `${name}-report-`));
  const tapFile = join(dir, 'report.tap');
  const args = [
    '--test',
    `--test-concurrency=${concurrency}`,
    `--test-timeout=${timeout}`,
    '--test-reporter=spec',
    '--test-reporter-destination=stdout',
    '--test-reporter=tap',
    `--test-reporter-destination=${tapFile}`,
    ...files,
  ];
  const code = await new Promise((resolve) => {
    // Its own process group, so that an interrupted run can end every test
    // file and every server they started with one signal.
    const p = spawn(process.execPath, args, {
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, ...env },
      detached: true,
    });
    const kill = () => {
      try {
        process.kill(-p.pid, 'SIGTERM');
      } catch {
        /* already gone */
      }
    };
    if (signal?.aborted) kill();
    signal?.addEventListener('abort', kill, { once: true });
    p.on('close', () => signal?.removeEventListener('abort', kill));
    p.on('error', (e) => {
      console.error(`${name}: cannot run node --test: ${e.message}`);
      resolve(-1);
    });
    p.on('close', (c, sig) => resolve(sig ? -1 : c));
  });
  const tap = existsSync(tapFile) ? readFileSync(tapFile, 'utf8') : '';
  rmSync(dir, { recursive: true, force: true });
  const s = parseTapSummary(tap);
  let passed = 0;
  let failed = 0;
  if (!s) {
    console.error(`${name}: node --test produced no summary (exit ${code})`);
    failed = 1;
  } else {
    passed = s.pass;
    failed = s.fail + s.cancelled + s.skipped + s.todo;
    if (s.cancelled + s.skipped + s.todo > 0) {
      console.error(`${name}: ${s.cancelled} cancelled, ${s.skipped} skipped, ${s.todo} todo: counted as failed`);
    }
    if (code !== 0 && failed === 0) {
      console.error(`${name}: node --test exited ${code} without a failed test: counted as one failure`);
      failed = 1;
    }
  }
  return { passed, failed };
}
