// The command line around the server: an online backup while the server is
// writing (a consistent copy), `init` safe to run again and rebuilding search
// keys an earlier release computed differently, and the contract's
// exit codes and error lines (2 and usage for usage errors, 3 for rejected
// data with nothing written, 1 for run-time failures, "safehub: WHAT: WHY").
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, statSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Safehub, run, addPartnership, childBody, createDatabase, clusterUrl, newPassword } from '../lib/index.mjs';

let sh;
let users;

before(async () => {
  sh = await Safehub.create();
  users = await addPartnership(sh, ['social_worker', 'admin']);
});

after(async () => {
  await sh?.destroy();
});

/**
 * STDERR says why in the contract's form: every line starting "safehub" is
 * "safehub: WHAT: WHY"; with USAGE the usage follows, otherwise nothing else
 * is printed.
 */
function assertErrorLines(stderr, what, { usage = false } = {}) {
  const lines = stderr.trim().split('\n').filter(Boolean);
  assert.ok(lines.length > 0, `${what}: says why on stderr`);
  for (const l of lines.filter((x) => x.startsWith('safehub'))) {
    assert.match(l, /^safehub: [^:]+: \S.*$/, `${what}: "${l}"`);
  }
  if (usage) assert.ok(lines.some((l) => l.startsWith('usage: safehub')), `${what}: shows the usage`);
  else for (const l of lines) assert.match(l, /^safehub: [^:]+: \S.*$/, `${what}: only error lines: "${l}"`);
}

test('a backup taken while the server writes is a consistent copy', async () => {
  await sh.start();
  const c = await sh.login(users.social_worker);
  for (let i = 0; i < 5; i++) assert.equal((await c.post('/api/v1/children', childBody())).status, 201);
  let writing = true;
  let written = 0;
  const failures = [];
  const writer = (async () => {
    while (writing) {
      const batch = await Promise.all([1, 2, 3].map(() => c.post('/api/v1/children', childBody())));
      for (const r of batch) (r.status === 201 ? written++ : failures.push(r.describe()));
    }
  })();
  const target = join(sh.dir, sh.kind === 'postgres' ? 'backup.dump' : 'backup.db');
  const b = await sh.cli(['backup', '--to', target]);
  // Keep writing a little after the copy, then stop the writer.
  const more = written + 6;
  while (written < more && failures.length === 0) await new Promise((r) => setImmediate(r));
  writing = false;
  await writer;
  assert.equal(b.code, 0, b.stderr);
  assert.match(b.stdout, /backup written to/);
  assert.deepEqual(failures, [], 'writes carried on during the backup');
  assert.ok(existsSync(target) && statSync(target).size > 0, 'the backup file exists');
  assert.ok(!existsSync(`${target}.tmp`), 'no half-written file left beside it');
  const live = await sh.scalar('SELECT count(*) AS n FROM children');
  const copyEnv = { SAFEHUB_AUDIT_CHECKPOINT_FILE: join(sh.dir, 'no-offhost-copy.log') };
  let copyDsn;
  if (sh.kind === 'postgres') {
    const list = await run('pg_restore', ['--list', target]);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /TABLE DATA public children/);
    assert.match(list.stdout, /TABLE DATA public audit_log/);
    copyDsn = await createDatabase(await clusterUrl(), `restored_${process.pid}_${Date.now() % 100000}`);
    const restore = await run('pg_restore', ['--no-owner', '--exit-on-error', '-d', copyDsn, target]);
    assert.equal(restore.code, 0, restore.stderr);
  } else {
    const check = await run('sqlite3', [target, 'PRAGMA integrity_check;']);
    assert.equal(check.stdout.trim(), 'ok');
    copyDsn = target;
  }
  const copied = await sh.scalar('SELECT count(*) AS n FROM children', { dsn: copyDsn });
  assert.ok(copied >= 5 && copied <= live, `the copy holds ${copied} of ${live} children`);
  // Consistent: the copy's audit chain verifies on its own.
  const v = await sh.cli(['audit', 'verify', '--db', copyDsn], { env: copyEnv });
  assert.equal(v.code, 0, `the copy's audit chain is whole: ${v.stderr}`);
  assert.match(v.stdout, /only the database's checkpoints were checked/, 'says the off-host file was not there to check');
  const audited = await sh.scalar("SELECT count(*) AS n FROM audit_log WHERE action = 'database.backup'");
  assert.equal(audited, 1, 'the backup is on the audit log');
  await sh.stop();
});

test('init is safe to run again: nothing applied, nothing lost, the chain intact', async () => {
  const children = await sh.scalar('SELECT count(*) AS n FROM children');
  const entries = await sh.scalar('SELECT count(*) AS n FROM audit_log');
  const key = readFileSync(join(sh.dir, 'audit.key'));
  for (let i = 0; i < 2; i++) {
    const r = await sh.cli(['init']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /\(0 applied now\)/);
    assert.ok(!/new audit key/.test(r.stdout), 'the audit key is kept');
  }
  assert.deepEqual(readFileSync(join(sh.dir, 'audit.key')), key);
  assert.equal(await sh.scalar('SELECT count(*) AS n FROM children'), children);
  assert.equal(await sh.scalar('SELECT count(*) AS n FROM audit_log'), entries);
  const v = await sh.cli(['audit', 'verify']);
  assert.equal(v.code, 0, v.stderr);
});

test('children keyed by an earlier release: serve refuses until init rebuilds their search keys', async () => {
  const s = await Safehub.create();
  try {
    const u = await addPartnership(s, ['social_worker']);
    await s.start();
    let c = await s.login(u.social_worker);
    const body = childBody();
    const made = await c.post('/api/v1/children', body);
    assert.equal(made.status, 201, made.describe());
    const id = made.json.id;
    const found = async () => {
      const r = await c.get(`/api/v1/children?q=${encodeURIComponent(body.last_name)}`);
      assert.equal(r.status, 200, r.describe());
      return r.json.children.map((x) => x.id);
    };
    assert.deepEqual(await found(), [id]);
    await s.stop();
    // As an earlier release whose keys this one computes differently would have left it.
    await s.exec(`UPDATE children SET keys_scheme = 0 WHERE id = '${id}'; DELETE FROM child_search WHERE child_id = '${id}';`);
    const version = await s.scalar(`SELECT version FROM children WHERE id = '${id}'`);
    const refused = await s.cli(['serve', '--listen', '127.0.0.1:0']);
    assert.equal(refused.code, 1, refused.stderr);
    assert.match(refused.stderr, /^safehub: serve: 1 children have search keys from an earlier version: run 'safehub init'$/m);
    assertErrorLines(refused.stderr, 'serve with stale search keys');
    const init = await s.cli(['init']);
    assert.equal(init.code, 0, init.stderr);
    assert.match(init.stdout, /^search keys rebuilt for 1 children$/m);
    assert.equal(await s.scalar(`SELECT version FROM children WHERE id = '${id}'`), version, 'the record itself is untouched');
    assert.equal(await s.scalar("SELECT count(*) AS n FROM audit_log WHERE action = 'child.search_keys_rebuild'"), 1);
    const again = await s.cli(['init']);
    assert.ok(!/search keys rebuilt/.test(again.stdout), 'nothing left to rebuild');
    const v = await s.cli(['audit', 'verify']);
    assert.equal(v.code, 0, v.stderr);
    await s.start();
    c = await s.login(u.social_worker);
    assert.deepEqual(await found(), [id], 'found again');
    await s.stop();
  } finally {
    await s.destroy();
  }
});

test('usage errors exit 2 with the usage on stderr', async () => {
  const cases = [
    [[], /^usage: safehub COMMAND/m],
    [['frobnicate'], /^safehub: frobnicate: unknown command$/m],
    [['user'], /^usage: safehub user /m],
    [['user', 'add', '--username', 'x.y', '--name', 'X', '--agency', 'HFCSC', '--role', 'police'], /^usage: safehub user add /m],
    [['user', 'add', '--bogus'], /^safehub: user add: option .*--bogus.* is unknown/m],
    [['agency', 'add', '--code'], /^usage: safehub agency add /m],
    [['backup'], /^usage: safehub backup --to FILE/m],
    [['audit'], /^usage: safehub audit verify/m],
    [['audit', 'check'], /^usage: safehub audit verify/m],
    [['token', 'revoke'], /^safehub: token revoke: --id is required$/m],
    // A required option left out is a usage error, found before anything is opened or read.
    [['agency', 'add', '--code', 'HFX', '--name', 'X'], /^safehub: agency add: --type is required$/m],
    [['agency', 'add', '--name', 'X', '--type', 'police'], /^safehub: agency add: --code is required$/m],
    [['user', 'add', '--name', 'N', '--agency', 'HFCSC', '--role', 'police', '--password-stdin'], /^safehub: user add: --username is required$/m],
    [['user', 'add', '--username', 'n.n', '--name', 'N', '--agency', 'HFCSC', '--password-stdin'], /^safehub: user add: --role is required$/m],
    [['token', 'create'], /^safehub: token create: --username is required$/m],
    [['token', 'create', '--label', 'x'], /^usage: safehub token create --username U/m],
    [['demo', '--children', 'many'], /^usage: safehub demo/m],
    [['routes', 'extra'], /^safehub: routes: unexpected argument 'extra'$/m],
    [['serve', '--listen', 'not-an-address'], /^safehub: serve: listen address 'not-an-address' is not HOST:PORT$/m],
  ];
  for (const [args, re] of cases) {
    const r = await sh.cli(args);
    assert.equal(r.code, 2, `safehub ${args.join(' ')}: exit ${r.code} ${r.stderr}`);
    assert.match(r.stderr, re, `safehub ${args.join(' ')}`);
    assert.equal(r.stdout, '', `safehub ${args.join(' ')}: nothing on stdout`);
    const usage = !args.includes('--listen');
    assertErrorLines(r.stderr, `safehub ${args.join(' ')}`, { usage });
  }
  const help = await sh.cli(['help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^usage: safehub COMMAND/);
});

test('rejected data exits 3 naming the field, and writes nothing', async () => {
  const countUsers = () => sh.scalar('SELECT count(*) AS n FROM users');
  const countAgencies = () => sh.scalar('SELECT count(*) AS n FROM agencies');
  const u0 = await countUsers();
  const a0 = await countAgencies();
  const add = (extra, password = newPassword()) =>
    sh.cli(['user', 'add', '--username', 'new.person', '--name', 'New Person', '--agency', 'HFCSC', '--role', 'police', ...extra, '--password-stdin'].filter(Boolean), {
      input: `${password}\n`,
    });
  const cases = [
    [['user', 'add', '--username', 'w.wizard', '--name', 'W', '--agency', 'HFCSC', '--role', 'wizard', '--password-stdin'], /^safehub: user add: role must be one of /m, `${newPassword()}\n`],
    [['user', 'add', '--username', 'w.x', '--name', 'W', '--agency', 'NOPE', '--role', 'police', '--password-stdin'], /^safehub: user add: agency is not an agency code$/m, `${newPassword()}\n`],
    [['user', 'add', '--username', 'Bad Name!', '--name', 'W', '--agency', 'HFCSC', '--role', 'police', '--password-stdin'], /^safehub: user add: username /m, `${newPassword()}\n`],
    [['user', 'add', '--username', 'w.short', '--name', 'W', '--agency', 'HFCSC', '--role', 'police', '--password-stdin'], /^safehub: user add: password must be at least 12 characters$/m, 'short\n'],
    [['user', 'add', '--username', users.admin.username, '--name', 'Again', '--agency', 'HFCSC', '--role', 'police', '--password-stdin'], /^safehub: user add: username is already taken$/m, `${newPassword()}\n`],
    [['user', 'add', '--username', 'w.mgr', '--name', 'W', '--agency', 'HFCSC', '--role', 'police', '--manager', 'nobody.at.all', '--password-stdin'], /^safehub: user add: manager is not a user$/m, `${newPassword()}\n`],
    [['agency', 'add', '--code', 'HFX', '--name', 'X', '--type', 'spaceship'], /^safehub: agency add: type must be one of /m],
    [['agency', 'add', '--code', 'bad code', '--name', 'X', '--type', 'police'], /^safehub: agency add: code /m],
    [['agency', 'add', '--code', 'HFCSC', '--name', 'Again', '--type', 'police'], /^safehub: agency add: code is already used/m],
    [['token', 'create', '--username', 'nobody.at.all'], /^safehub: token create: username is not a user$/m],
  ];
  for (const [args, re, input] of cases) {
    const r = await sh.cli(args, { input });
    assert.equal(r.code, 3, `safehub ${args.join(' ')}: exit ${r.code} ${r.stderr}`);
    assert.match(r.stderr, re, `safehub ${args.join(' ')}`);
    assertErrorLines(r.stderr, `safehub ${args.join(' ')}`);
  }
  assert.equal(await countUsers(), u0, 'no user was added');
  assert.equal(await countAgencies(), a0, 'no agency was added');
  const ok = await add([]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(await countUsers(), u0 + 1);
});

test('run-time failures exit 1 with one error line', async () => {
  const noDb = await sh.cli(['user', 'add', '--username', 'a.b', '--name', 'A', '--agency', 'HFCSC', '--role', 'police', '--password-stdin'], {
    input: `${newPassword()}\n`,
    env: { SAFEHUB_DB: join(sh.dir, 'missing', 'nothing.db') },
  });
  assert.equal(noDb.code, 1, noDb.stderr);
  assertErrorLines(noDb.stderr, 'missing database');
  const fresh = await Safehub.create({ init: false });
  try {
    if (fresh.kind === 'sqlite') {
      const r = await fresh.cli(['serve', '--listen', '127.0.0.1:0']);
      assert.equal(r.code, 1, r.stderr);
      assertErrorLines(r.stderr, 'serve without init');
    } else {
      const r = await fresh.cli(['serve', '--listen', '127.0.0.1:0']);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /^safehub: serve: .*safehub init/m);
      assertErrorLines(r.stderr, 'serve without init');
    }
    const noKey = await Safehub.create();
    try {
      const r = await noKey.cli(['serve', '--listen', '127.0.0.1:0'], { env: { SAFEHUB_AUDIT_KEY_FILE: join(noKey.dir, 'absent.key') } });
      assert.equal(r.code, 1, 'no serving without the audit key');
      assert.match(r.stderr, /^safehub: serve: audit key: /m);
    } finally {
      await noKey.destroy();
    }
  } finally {
    await fresh.destroy();
  }
});

test('demo loads a synthetic borough whose printed logins work', async () => {
  const demo = await Safehub.create();
  try {
    const r = await demo.cli(['demo', '--children', '25', '--seed', '7']);
    assert.equal(r.code, 0, r.stderr);
    const line = r.stdout.split('\n').find((l) => /^social\.worker\s/.test(l));
    assert.ok(line, r.stdout);
    const [username, password] = line.trim().split(/\s+/);
    assert.equal(await demo.scalar('SELECT count(*) AS n FROM children'), 25);
    if (demo.kind === 'sqlite') {
      const mode = statSync(`${demo.dsn}.logins.txt`).mode & 0o777;
      assert.equal(mode, 0o600, 'the logins file is readable only by its owner');
    }
    await demo.start();
    const c = demo.client();
    const login = await c.signIn(username, password);
    assert.equal(login.status, 200, login.describe());
    const s = await c.get('/api/v1/children?q=HF');
    assert.equal(s.status, 200);
    await demo.stop();
  } finally {
    await demo.destroy();
  }
});
