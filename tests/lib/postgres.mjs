// A throwaway PostgreSQL 15 cluster for tests: initdb in a temporary folder
// (as the postgres user when running as root, since initdb refuses root),
// trust authentication, listening only on 127.0.0.1 at a free port, and a
// fresh database per Safehub instance.  The cluster is stopped and its folder
// removed by stop(), and also when the process exits, so a failing run does
// not leave a server behind.
import { spawn, spawnSync } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync, existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Where Debian puts the PostgreSQL 15 server programs. */
export const PG_BIN = process.env.SAFEHUB_TEST_PG_BIN || '/usr/lib/postgresql/15/bin';

/** A free TCP port on 127.0.0.1 (the kernel's pick; released before returning). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** The uid and gid of the postgres user, who owns the cluster when we run as root. */
function postgresIds() {
  const uid = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
  if (uid.status !== 0) throw new Error('postgres: running as root needs a "postgres" user to own the cluster');
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

/** Runs ARGV (as the postgres user when we are root); resolves with {code, stdout, stderr}. */
function runPg(argv, { asPostgres }) {
  const [cmd, args] = asPostgres ? ['runuser', ['-u', 'postgres', '--', ...argv]] : [argv[0], argv.slice(1)];
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('error', reject);
    p.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * Starts a cluster.  Resolves with {url, port, dir, stop()} where URL is the
 * base DSN (database "postgres", user "postgres") for making databases.
 */
export async function startCluster() {
  const asPostgres = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), 'safehub-pg-'));
  if (asPostgres) {
    const { uid, gid } = postgresIds();
    chownSync(dir, uid, gid);
  }
  const data = join(dir, 'data');
  const log = join(dir, 'server.log');
  let started = false;
  const cleanup = () => {
    if (started) {
      const argv = [join(PG_BIN, 'pg_ctl'), '-D', data, '-m', 'immediate', '-w', 'stop'];
      const [cmd, args] = asPostgres ? ['runuser', ['-u', 'postgres', '--', ...argv]] : [argv[0], argv.slice(1)];
      spawnSync(cmd, args, { stdio: 'ignore' });
      started = false;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', cleanup);
  try {
    const init = await runPg(
      [join(PG_BIN, 'initdb'), '-D', data, '--no-locale', '-E', 'UTF8', '-A', 'trust', '-U', 'postgres', '--no-sync'],
      { asPostgres },
    );
    if (init.code !== 0) throw new Error(`initdb failed (${init.code}): ${init.stderr || init.stdout}`);
    // Retry on a port taken between choosing and binding.
    for (let attempt = 0; ; attempt++) {
      const port = await freePort();
      const opts = [
        `-c listen_addresses=127.0.0.1`,
        `-c port=${port}`,
        `-c unix_socket_directories=${dir}`,
        `-c max_connections=300`,
        // A throwaway cluster: durability across power loss is not under test here.
        `-c fsync=off`,
        `-c full_page_writes=off`,
        `-c synchronous_commit=off`,
      ].join(' ');
      const st = await runPg([join(PG_BIN, 'pg_ctl'), '-D', data, '-l', log, '-w', '-t', '60', '-o', opts, 'start'], {
        asPostgres,
      });
      if (st.code === 0) {
        started = true;
        const url = `postgresql://postgres@127.0.0.1:${port}/postgres`;
        const stop = async () => {
          if (started) {
            await runPg([join(PG_BIN, 'pg_ctl'), '-D', data, '-m', 'fast', '-w', '-t', '60', 'stop'], { asPostgres });
            started = false;
          }
          process.removeListener('exit', cleanup);
          rmSync(dir, { recursive: true, force: true });
        };
        return { url, port, dir, stop };
      }
      const why = existsSync(log) ? readFileSync(log, 'utf8').slice(-2000) : st.stderr;
      if (attempt >= 2) throw new Error(`pg_ctl start failed: ${why}`);
    }
  } catch (e) {
    cleanup();
    process.removeListener('exit', cleanup);
    throw e;
  }
}

/** Runs SQL on the database at DSN with psql; resolves with stdout, rejects with psql's error. */
export async function psql(dsn, sql, { tuplesOnly = true } = {}) {
  const args = ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', dsn, '-c', sql];
  if (tuplesOnly) args.unshift('-A', '-t');
  const r = await new Promise((resolve, reject) => {
    const p = spawn('psql', args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PGCONNECT_TIMEOUT: '10' } });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('error', reject);
    p.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  if (r.code !== 0) throw new Error(`psql: ${r.stderr.trim()}`);
  return r.stdout;
}

/** Makes database NAME in the cluster at BASE_URL; resolves with its DSN. */
export async function createDatabase(baseUrl, name) {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`createDatabase: unsafe name ${name}`);
  await psql(baseUrl, `CREATE DATABASE ${name}`);
  const u = new URL(baseUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

let shared = null;

/**
 * The base DSN of the cluster this test process should use: the runner's
 * (SAFEHUB_TEST_PG_URL), or else one started now for this process alone and
 * stopped when it exits, so a test file can also be run by itself.
 */
export async function clusterUrl() {
  if (process.env.SAFEHUB_TEST_PG_URL) return process.env.SAFEHUB_TEST_PG_URL;
  if (!shared) shared = startCluster();
  return (await shared).url;
}
