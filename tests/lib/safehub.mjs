// A Safehub installation for one test: a temporary folder, a fresh database
// (an SQLite file there, or a new database in the test PostgreSQL cluster),
// its own audit key and checkpoint file, the command line run against it, and
// the server started on a free loopback port and stopped again.
//
// Settings reach the program only through SAFEHUB_* variables and flags that
// this module sets: whatever SAFEHUB_* the caller's shell has is dropped.
//
// Sanitizers: when the binary is built with ASan/UBSan, a report on a
// command's or the server's stderr fails the call that ran it (cli() throws,
// stop() throws), so the test that started the process fails.
//
// Clock: start({faketime: true}) runs the server under libfaketime with a
// timestamp file; clock.advance(seconds) moves the server's wall clock on
// at once (the file is re-read on every call), without the test sleeping.
import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, renameSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from './http.mjs';
import { clusterUrl, createDatabase, psql } from './postgres.mjs';
import { TotpDevice } from './totp.mjs';

const here = dirname(fileURLToPath(import.meta.url));
/** The repository's root folder. */
export const REPO = resolve(here, '../..');

/** The binary under test: $SAFEHUB_TEST_BIN, else build/safehub. */
export function testBin() {
  return resolve(REPO, process.env.SAFEHUB_TEST_BIN || 'build/safehub');
}

/** The database kind under test: $SAFEHUB_TEST_DB ("sqlite" or "postgres"), else sqlite. */
export function testDbKind() {
  const k = process.env.SAFEHUB_TEST_DB || 'sqlite';
  if (k !== 'sqlite' && k !== 'postgres') throw new Error(`SAFEHUB_TEST_DB must be sqlite or postgres, not ${k}`);
  return k;
}

/** True when the binary under test was built with sanitizers (slower: allow more time). */
export function underSanitizer() {
  return /asan|sanitize/i.test(testBin()) || process.env.SAFEHUB_TEST_SANITIZER === '1';
}

// The thread-safe build: the server reads the clock from many threads at once, and the plain
// build, rereading the clock file on every call, can then hand one of them the real time.
const LIBFAKETIME = '/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1';

/** The first sanitizer report in TEXT (AddressSanitizer, LeakSanitizer, UBSan), or null. */
export function sanitizerReport(text) {
  const m = /^.*(ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:|UndefinedBehaviorSanitizer|SUMMARY: \w+Sanitizer).*$/m.exec(
    text,
  );
  return m ? text.slice(Math.max(0, m.index - 200), m.index + 3000) : null;
}

/** Environment without the caller's SAFEHUB_* settings (the test harness's own SAFEHUB_TEST_* stay). */
function cleanEnv() {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k.startsWith('SAFEHUB_') && !k.startsWith('SAFEHUB_TEST_')) continue;
    env[k] = v;
  }
  return env;
}

let counter = 0;
const live = new Set();
process.once('exit', () => {
  for (const p of live) {
    try {
      p.kill('SIGKILL');
    } catch {
      /* already gone */
    }
  }
});

/** A strong random password that passes Safehub's policy. */
export function newPassword() {
  return `Tp-${randomBytes(12).toString('base64url')}-q7`;
}

/**
 * Runs BIN with ARGS and ENV; resolves with {code, signal, stdout, stderr}.
 * INPUT (string) is written to stdin.
 */
export function run(bin, args, { env, input, cwd } = {}) {
  return new Promise((resolvePromise, reject) => {
    const p = spawn(bin, args, { env, cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('error', reject);
    p.on('close', (code, signal) => resolvePromise({ code, signal, stdout, stderr }));
    p.stdin.on('error', () => {});
    p.stdin.end(input ?? '');
  });
}

export class Safehub {
  /**
   * A fresh installation.  OPTS: db ("sqlite"|"postgres", default from the
   * environment), bin, env (extra SAFEHUB_* settings for every command and
   * the server), init (default true: run `safehub init`).
   */
  static async create(opts = {}) {
    const sh = new Safehub(opts);
    await sh.#prepare(opts.init !== false);
    return sh;
  }

  /** Use Safehub.create(), which also makes the database. */
  constructor({ db = testDbKind(), bin = testBin(), env = {} } = {}) {
    this.kind = db;
    this.bin = bin;
    this.dir = mkdtempSync(join(tmpdir(), 'safehub-test-'));
    this.extraEnv = env;
    this.proc = null;
    this.logs = [];
    this.url = null;
    this.port = null;
    this.clockFile = join(this.dir, 'faketime');
    this.clockOffset = 0;
  }

  /** Makes the database (a file here, or a new PostgreSQL database) and runs `safehub init`. */
  async #prepare(init) {
    if (this.kind === 'postgres') {
      const name = `sh_${process.pid}_${++counter}_${randomBytes(3).toString('hex')}`;
      this.dsn = await createDatabase(await clusterUrl(), name);
    } else {
      this.dsn = join(this.dir, 'safehub.db');
    }
    if (init) {
      const r = await this.cli(['init']);
      if (r.code !== 0) throw new Error(`safehub init failed (${r.code}): ${r.stderr}`);
    }
  }

  /** The environment every command and the server get (settings for this installation). */
  env(extra = {}) {
    return {
      ...cleanEnv(),
      SAFEHUB_DB: this.dsn,
      SAFEHUB_AUDIT_KEY_FILE: join(this.dir, 'audit.key'),
      SAFEHUB_AUDIT_CHECKPOINT_FILE: join(this.dir, 'audit-checkpoints.log'),
      SAFEHUB_ASSETS_DIR: process.env.SAFEHUB_ASSETS_DIR || join(REPO, 'build/assets'),
      // Spooled audit entries reach audit_log within 50 ms rather than a second, so that
      // query() rarely has to wait for them.
      SAFEHUB_AUDIT_MOVE_INTERVAL_MS: '50',
      ...this.extraEnv,
      ...extra,
    };
  }

  /**
   * Runs `safehub ARGS...` against this installation; resolves with {code,
   * stdout, stderr}.  Throws when a sanitizer reported anything.  OPTS: input
   * (stdin), env (extra variables; a value of undefined removes one).
   */
  async cli(args, { input, env = {} } = {}) {
    const e = this.env(env);
    for (const [k, v] of Object.entries(env)) if (v === undefined) delete e[k];
    const r = await run(this.bin, args, { env: e, input, cwd: this.dir });
    const report = sanitizerReport(r.stderr);
    if (report) throw new Error(`sanitizer report from safehub ${args.join(' ')}:\n${report}`);
    return r;
  }

  /** Runs a command that must succeed; resolves with its stdout. */
  async cliOk(args, opts) {
    const r = await this.cli(args, opts);
    if (r.code !== 0) throw new Error(`safehub ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
    return r.stdout;
  }

  /** `safehub agency add`; resolves with the new agency's id. */
  async addAgency(code, type, name = `${code} agency`) {
    return (await this.cliOk(['agency', 'add', '--code', code, '--name', name, '--type', type])).trim();
  }

  /**
   * `safehub user add`; resolves with {id, username, password, role, agency,
   * device} (device is set once the user has enrolled a second factor).
   */
  async addUser({ username, role, agency, name, manager, email, password = newPassword() }) {
    const args = ['user', 'add', '--username', username, '--name', name || `Test ${role}`, '--agency', agency, '--role', role];
    if (manager) args.push('--manager', manager);
    if (email) args.push('--email', email);
    args.push('--password-stdin');
    const id = (await this.cliOk(args, { input: `${password}\n` })).trim();
    return { id, username, password, role, agency, email, device: null };
  }

  /** A client for this server with no session. */
  client(opts) {
    return new Client(this.url, opts);
  }

  /** Seconds since the epoch as the server's clock has it (moved by the fake clock). */
  now() {
    return Date.now() / 1000 + this.clockOffset;
  }

  /**
   * Signs USER in through the API and completes whatever second factor the
   * server asks for (enrolling an authenticator the first time).  Resolves
   * with the signed-in Client.  Throws with the server's answer if any step fails.
   */
  async login(user, client = this.client()) {
    const res = await client.signIn(user.username, user.password);
    if (res.status !== 200) throw new Error(`sign-in of ${user.username} failed: ${res.describe()}`);
    const step = res.json.second_factor;
    if (step === 'enrol') {
      const en = await client.post('/api/v1/account/second-factor');
      if (en.status !== 200) throw new Error(`enrol start for ${user.username}: ${en.describe()}`);
      user.device = new TotpDevice(en.json.secret, () => this.now());
      const conf = await client.post('/api/v1/account/second-factor/confirm', { code: user.device.nextCode() });
      if (conf.status !== 200) throw new Error(`enrol confirm for ${user.username}: ${conf.describe()}`);
      client.takeCsrf(conf);
    } else if (step === 'required') {
      if (!user.device) throw new Error(`${user.username} needs a code but has no enrolled device`);
      const sf = await client.post('/api/v1/session/second-factor', { code: this.codeFor(user) });
      if (sf.status !== 200) throw new Error(`second factor for ${user.username}: ${sf.describe()}`);
      client.takeCsrf(sf);
    }
    client.user = user;
    return client;
  }

  /**
   * A fresh code from USER's authenticator.  When the usable time steps are
   * spent and the server runs on the fake clock, the clock moves on 30 s
   * (one step) instead of the test waiting.
   */
  codeFor(user) {
    try {
      return user.device.nextCode();
    } catch (e) {
      if (!this.faketime) throw e;
      this.advanceClock(30);
      return user.device.nextCode();
    }
  }

  /**
   * Starts `safehub serve` on 127.0.0.1 at a free port.  OPTS: env (extra
   * variables), args (extra flags), faketime (run under libfaketime with a
   * clock the test moves), timeout (ms to wait for "listening").  Resolves
   * once the server logs where it listens.
   */
  async start({ env = {}, args = [], faketime = false, timeout = underSanitizer() ? 60000 : 20000 } = {}) {
    if (this.proc) throw new Error('server already running');
    const e = this.env(env);
    for (const [k, v] of Object.entries(env)) if (v === undefined) delete e[k];
    this.faketime = faketime;
    if (faketime) {
      if (!existsSync(LIBFAKETIME)) throw new Error(`faketime: ${LIBFAKETIME} is not installed`);
      this.#writeClock();
      Object.assign(e, {
        LD_PRELOAD: LIBFAKETIME,
        FAKETIME_TIMESTAMP_FILE: this.clockFile,
        FAKETIME_NO_CACHE: '1',
        // Only the wall clock moves; libmicrohttpd's timeouts keep real monotonic time.
        FAKETIME_DONT_FAKE_MONOTONIC: '1',
        // ASan insists on being first in the link order; libfaketime is preloaded before it.
        // ASan's allocator reads the clock while it initialises; that call lands in
        // libfaketime before libfaketime is ready, whose dlsym then mallocs into the
        // half-initialised allocator and deadlocks.  Not releasing memory to the OS on a
        // timer keeps the allocator off the clock.
        ASAN_OPTIONS: [e.ASAN_OPTIONS, 'verify_asan_link_order=0', 'allocator_release_to_os_interval_ms=-1']
          .filter(Boolean)
          .join(':'),
      });
    }
    const p = spawn(this.bin, ['serve', '--listen', '127.0.0.1:0', ...args], {
      env: e,
      cwd: this.dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    live.add(p);
    const log = { stderr: '', stdout: '', exit: null, watchers: new Set() };
    const notify = () => [...log.watchers].forEach((w) => w());
    this.logs.push(log);
    this.proc = p;
    this.log = log;
    log.exited = new Promise((res) => {
      p.on('close', (code, signal) => {
        log.exit = { code, signal };
        live.delete(p);
        res(log.exit);
        notify();
      });
    });
    p.stdout.on('data', (d) => (log.stdout += d));
    p.stderr.on('data', (d) => {
      log.stderr += d;
      notify();
    });
    p.on('error', (e) => {
      // A binary that cannot be run never closes its pipes: report it as an exit.
      log.stderr += `spawn ${this.bin}: ${e.message}\n`;
      log.exit = log.exit || { code: null, signal: null, error: e.message };
      notify();
    });
    try {
      const m = await this.waitForLog(/"msg":"listening on (https?):\/\/[^"]*:(\d+)"/, timeout);
      this.port = Number(m[2]);
      this.scheme = m[1];
      this.url = `${m[1]}://127.0.0.1:${this.port}`;
    } catch (err) {
      p.kill('SIGKILL');
      await log.exited;
      this.proc = null;
      throw new Error(`server did not start: ${err.message}\n${log.stderr.slice(-3000)}`);
    }
    return this;
  }

  /**
   * Waits until the running server's stderr matches RE; resolves with the
   * match.  Rejects after TIMEOUT ms or when the server exits first.
   */
  waitForLog(re, timeout = 20000) {
    const log = this.log;
    return new Promise((resolvePromise, reject) => {
      let timer;
      const check = () => {
        const m = re.exec(log.stderr);
        if (m) {
          finish();
          resolvePromise(m);
        } else if (log.exit) {
          finish();
          reject(new Error(`server exited (${JSON.stringify(log.exit)}) before logging ${re}`));
        }
      };
      const finish = () => {
        clearTimeout(timer);
        log.watchers.delete(check);
      };
      timer = setTimeout(() => {
        finish();
        reject(new Error(`no log line matching ${re} within ${timeout} ms`));
      }, timeout);
      log.watchers.add(check);
      check();
    });
  }

  /** The running (or last) server's stderr so far: operational log and access log. */
  serverLog() {
    return this.log ? this.log.stderr : '';
  }

  /**
   * Stops the server with SIGNAL (default SIGTERM) and waits for it to exit.
   * Resolves with {code, signal, stderr}.  Throws when it exits other than
   * with EXPECT_CODE (default 0), does not exit within the timeout, or its
   * stderr holds a sanitizer report.
   */
  async stop({ signal = 'SIGTERM', expectCode = 0, timeout = underSanitizer() ? 90000 : 45000 } = {}) {
    const p = this.proc;
    if (!p) throw new Error('server is not running');
    const log = this.log;
    if (!log.exit) p.kill(signal);
    let timer;
    const exit = await Promise.race([
      log.exited,
      new Promise((res) => (timer = setTimeout(() => res(null), timeout))),
    ]);
    clearTimeout(timer);
    this.proc = null;
    if (!exit) {
      p.kill('SIGKILL');
      await log.exited;
      throw new Error(`server did not stop within ${timeout} ms of ${signal}\n${log.stderr.slice(-2000)}`);
    }
    const report = sanitizerReport(log.stderr);
    if (report) throw new Error(`sanitizer report from the server:\n${report}`);
    if (expectCode !== null && (exit.code !== expectCode || exit.signal)) {
      throw new Error(`server exited ${JSON.stringify(exit)}, expected code ${expectCode}\n${log.stderr.slice(-2000)}`);
    }
    return { ...exit, stderr: log.stderr };
  }

  /** Stops the server if it runs (checking it as stop() does) and removes the folder. */
  async destroy() {
    try {
      if (this.proc) await this.stop();
    } finally {
      rmSync(this.dir, { recursive: true, force: true });
    }
  }

  /**
   * Writes the fake clock's offset where libfaketime reads it on every call:
   * to a temporary file renamed into place, so that the server never reads a
   * half-written file (an empty one would be the real time for a moment).
   */
  #writeClock() {
    const tmp = `${this.clockFile}.${process.pid}.tmp`;
    writeFileSync(tmp, `${this.clockOffset >= 0 ? '+' : ''}${this.clockOffset}\n`);
    renameSync(tmp, this.clockFile);
  }

  /** Moves the fake clock SECONDS forward (start({faketime: true}) first). */
  advanceClock(seconds) {
    this.clockOffset += seconds;
    this.#writeClock();
  }

  /**
   * Runs SQL that returns rows on this installation's database (sqlite3 or
   * psql command line, beside the running server); resolves with an array of
   * row objects.  OPTS.dsn runs it on another database (a copy) instead.
   */
  async query(sql, { dsn = this.dsn, settled = true } = {}) {
    if (settled && /audit_log/.test(sql)) await this.auditSettled();
    if (this.kind === 'postgres') {
      const out = await psql(dsn, `SELECT coalesce(json_agg(t), '[]'::json) FROM (${sql}) t`);
      return JSON.parse(out);
    }
    const r = await run('sqlite3', ['-json', '-bail', '-cmd', '.timeout 20000', dsn, sql]);
    if (r.code !== 0) throw new Error(`sqlite3: ${r.stderr.trim()}`);
    return r.stdout.trim() ? JSON.parse(r.stdout) : [];
  }

  /**
   * Waits until the running server has moved every audit entry it has made
   * durable into audit_log (its spool is drained: safehub_audit_unmoved_entries
   * is 0), so that a query sees every access already answered.
   */
  async auditSettled() {
    if (!this.proc || !this.url) return;
    const deadline = Date.now() + 20000;
    for (;;) {
      const r = await this.client().get('/metrics');
      const m = /^safehub_audit_unmoved_entries (\d+)$/m.exec(r.text ?? '');
      if (!m) throw new Error(`/metrics has no safehub_audit_unmoved_entries: ${r.status}`);
      if (m[1] === '0') return;
      if (Date.now() > deadline) throw new Error(`audit entries still spooled after 20 s: ${m[1]}`);
      await new Promise((res) => setTimeout(res, 20));
    }
  }

  /** The single number SQL returns (for counts). */
  async scalar(sql, opts) {
    const rows = await this.query(sql, opts);
    return Number(Object.values(rows[0])[0]);
  }

  /** Runs SQL statements that return nothing.  OPTS.dsn as for query(). */
  async exec(sql, { dsn = this.dsn } = {}) {
    if (this.kind === 'postgres') {
      await psql(dsn, sql);
      return;
    }
    const r = await run('sqlite3', ['-bail', '-cmd', '.timeout 20000', dsn, sql]);
    if (r.code !== 0) throw new Error(`sqlite3: ${r.stderr.trim()}`);
  }

  /**
   * Changes the database at DSN behind Safehub's back, as someone with direct
   * access to it could: triggers that might guard the audit table are
   * bypassed (PostgreSQL: replication role; SQLite: dropped in this copy).
   */
  async tamper(sql, { dsn = this.dsn } = {}) {
    if (this.kind === 'postgres') {
      await psql(dsn, `SET session_replication_role = replica; ${sql}`);
      return;
    }
    const triggers = await this.query("SELECT name FROM sqlite_master WHERE type = 'trigger'", { dsn });
    const drops = triggers.map((t) => `DROP TRIGGER "${t.name}";`).join(' ');
    await this.exec(`${drops} ${sql}`, { dsn });
  }

  /**
   * A copy of this installation's database (the server must be stopped):
   * resolves with the copy's DSN.
   */
  async copyDatabase() {
    if (this.proc) throw new Error('copyDatabase: stop the server first');
    const suffix = `${++counter}_${randomBytes(3).toString('hex')}`;
    if (this.kind === 'postgres') {
      const name = `${new URL(this.dsn).pathname.slice(1)}_c${suffix}`.slice(0, 60);
      await psql(await clusterUrl(), `CREATE DATABASE ${name} TEMPLATE ${new URL(this.dsn).pathname.slice(1)}`);
      const u = new URL(this.dsn);
      u.pathname = `/${name}`;
      return u.toString();
    }
    const copy = join(this.dir, `copy-${suffix}.db`);
    copyFileSync(this.dsn, copy);
    for (const ext of ['-wal', '-shm']) if (existsSync(this.dsn + ext)) copyFileSync(this.dsn + ext, copy + ext);
    return copy;
  }
}
