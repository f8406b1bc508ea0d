// The audit log: reads of a child are on it, with who (user, role, agency)
// and why (X-Safehub-Purpose), before the response is sent; refusals,
// sign-ins and sign-outs are on it; the audit API is for managers, the
// director and auditors; and `safehub audit verify` passes an intact chain
// and names the first bad entry (exit 3) after a row is edited, deleted,
// swapped with its neighbour, or the tail cut off after a signed checkpoint.
// A server killed outright loses no audited read: what it had made durable in
// its spool is chained into the log at the next start, exactly once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Safehub, addPartnership, childBody } from '../lib/index.mjs';

let sh;
let users;
const as = {};
let child;

before(async () => {
  sh = await Safehub.create();
  users = await addPartnership(sh, ['social_worker', 'police', 'manager', 'auditor', 'director']);
  await sh.start();
  for (const role of Object.keys(users)) as[role] = await sh.login(users[role]);
  const r = await as.social_worker.post('/api/v1/children', childBody());
  assert.equal(r.status, 201);
  child = r.json;
});

after(async () => {
  await sh?.destroy();
});

/** The audit trail of SUBJECT through the API, as READER sees it (newest first). */
async function trail(subject, reader = as.manager) {
  const r = await reader.get(`/api/v1/audit?subject=${subject}`);
  assert.equal(r.status, 200, r.describe());
  assert.equal(r.json.subject, subject);
  return r.json.entries;
}

test('a read of a child is on its audit trail with the reader, their role and agency, and the purpose given', async () => {
  const purpose = 'Preparing for the strategy discussion on Monday';
  const g = await as.social_worker.get(`/api/v1/children/${child.id}`, { headers: { 'X-Safehub-Purpose': purpose } });
  assert.equal(g.status, 200);
  const entries = await trail(child.id);
  const read = entries.find((e) => e.action === 'child.read' && e.purpose === purpose);
  assert.ok(read, `child.read with the purpose: ${JSON.stringify(entries)}`);
  assert.equal(read.actor, users.social_worker.username);
  assert.equal(read.actor_id, users.social_worker.id);
  assert.equal(read.role, 'social_worker');
  assert.equal(read.agency, 'HFCSC');
  assert.equal(read.outcome, 'ok');
  assert.equal(read.object_type, 'child');
  assert.equal(read.object_id, child.id);
  assert.match(read.at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.equal(read.ip, '127.0.0.1');
  const created = entries.find((e) => e.action === 'child.create');
  assert.ok(created, 'the creation is on the trail');
  assert.ok(created.details.fields.includes('nhs_number'), 'which fields were recorded');
  const text = JSON.stringify(entries);
  for (const value of [child.first_name, child.last_name, child.nhs_number]) {
    assert.ok(!text.includes(value), 'the trail names fields, never their personal values');
  }
  // Newest first, and the manager's reading of the trail is itself audited.
  const again = await trail(child.id);
  assert.ok(again[0].seq > again.at(-1).seq, 'newest first');
  assert.equal(again[0].action, 'audit.read');
  assert.equal(again[0].actor, users.manager.username);
});

test('every read is committed to the audit log before its response arrives', async () => {
  const count = () => sh.scalar(`SELECT count(*) AS n FROM audit_log WHERE action = 'child.read' AND object_id = '${child.id}'`);
  const before = await count();
  const reads = await Promise.all(Array.from({ length: 20 }, () => as.manager.get(`/api/v1/children/${child.id}`)));
  assert.ok(reads.every((r) => r.status === 200));
  assert.equal(await count(), before + 20, 'all twenty reads are on the log as soon as they are answered');
  const before2 = await count();
  assert.equal((await as.director.get(`/api/v1/children/${child.id}`)).status, 200);
  assert.equal(await count(), before2 + 1);
});

test('updates and search results are audited too', async () => {
  const p = await as.social_worker.patch(`/api/v1/children/${child.id}`, { school: 'Holmford High' });
  assert.equal(p.status, 200);
  const s = await as.manager.get(`/api/v1/children?q=${child.last_name}`);
  assert.equal(s.json.children.length, 1);
  const entries = await trail(child.id);
  const upd = entries.find((e) => e.action === 'child.update');
  assert.ok(upd);
  assert.deepEqual(upd.details.fields, ['school']);
  assert.ok(entries.find((e) => e.action === 'child.search_result' && e.actor === users.manager.username));
});

test('refusals are audited: a read by an agency not involved, and a route the role may not use', async () => {
  assert.equal((await as.police.get(`/api/v1/children/${child.id}`)).status, 404);
  const denied = (await trail(child.id)).find((e) => e.action === 'child.read' && e.outcome === 'denied');
  assert.ok(denied, 'the refused read is on the child\'s trail');
  assert.equal(denied.actor, users.police.username);
  assert.equal(denied.agency, 'HFP');
  assert.equal((await as.auditor.get(`/api/v1/children/${child.id}`)).status, 403);
  const rows = await sh.query(
    `SELECT role, object_id, outcome FROM audit_log WHERE action = 'access.denied' AND actor = '${users.auditor.username}'`,
  );
  assert.deepEqual(rows, [{ role: 'auditor', object_id: '/api/v1/children/{id}', outcome: 'denied' }]);
});

test('sign-ins (failed ones too) and sign-outs are on the user\'s audit trail', async () => {
  const u = users.police;
  const c = sh.client();
  assert.equal((await c.signIn(u.username, 'a-wrong-password-here')).status, 401);
  await sh.login(u, c);
  assert.equal((await c.delete('/api/v1/session')).status, 204);
  const entries = await trail(u.id, as.auditor);
  const mine = entries.filter((e) => e.action.startsWith('auth.')).reverse();
  const outcomes = mine.map((e) => `${e.action}:${e.outcome}`);
  const tail = outcomes.slice(-3);
  assert.deepEqual(tail, ['auth.login:failed', 'auth.login:ok', 'auth.logout:ok'], outcomes.join(' '));
  const failed = mine.at(-3);
  assert.equal(failed.details.username, u.username);
  assert.ok(!JSON.stringify(failed).includes('a-wrong-password-here'), 'the password tried is not kept');
  const logout = mine.at(-1);
  assert.equal(logout.actor, u.username);
  assert.equal(logout.role, 'police');
});

test('the audit API is for managers, the director and auditors, and checks its parameters', async () => {
  for (const role of ['manager', 'director', 'auditor']) assert.equal((await as[role].get(`/api/v1/audit?subject=${child.id}`)).status, 200, role);
  for (const role of ['social_worker', 'police']) assert.equal((await as[role].get(`/api/v1/audit?subject=${child.id}`)).status, 403, role);
  let r = await as.manager.get('/api/v1/audit');
  assert.equal(r.status, 422);
  assert.ok(r.json.error.fields.subject);
  r = await as.manager.get(`/api/v1/audit?subject=${child.id}&limit=0`);
  assert.equal(r.status, 422);
  assert.ok(r.json.error.fields.limit);
  r = await as.manager.get(`/api/v1/audit?subject=${child.id}&limit=2`);
  assert.equal(r.json.entries.length, 2);
  r = await as.manager.get(`/api/v1/audit?subject=${child.id}&subject=other`);
  assert.equal(r.status, 400);
});

// ---- tamper evidence ------------------------------------------------------

let entries;
let checkpointsInDb;

/** `safehub audit verify` on DSN with the off-host checkpoint file CPFILE. */
function verify(dsn, cpfile) {
  return sh.cli(['audit', 'verify', '--db', dsn], { env: { SAFEHUB_AUDIT_CHECKPOINT_FILE: cpfile } });
}

/** A copy of the database and of the checkpoint file, to spoil one way. */
async function copies() {
  const dsn = await sh.copyDatabase();
  const cp = join(sh.dir, `cp-${Math.random().toString(36).slice(2)}.log`);
  copyFileSync(join(sh.dir, 'audit-checkpoints.log'), cp);
  return { dsn, cp };
}

test('stopping the server signs a final checkpoint; `safehub audit verify` passes the intact chain', async () => {
  await sh.stop();
  const cpFile = join(sh.dir, 'audit-checkpoints.log');
  assert.ok(existsSync(cpFile), 'the off-host checkpoint file is written');
  entries = await sh.scalar('SELECT max(seq) AS n FROM audit_log');
  checkpointsInDb = await sh.query('SELECT seq FROM audit_checkpoints ORDER BY seq');
  assert.ok(entries > 60, `${entries} entries`);
  assert.equal(Number(checkpointsInDb.at(-1).seq), entries, 'the last checkpoint covers the last entry');
  const lines = readFileSync(cpFile, 'utf8').trim().split('\n');
  assert.equal(lines.at(-1).split(' ')[0], String(entries), 'and is in the off-host file');
  const r = await verify(sh.dsn, cpFile);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`audit chain intact: ${entries} entries, \\d+ signed checkpoints`));
  const copy = await copies();
  assert.equal((await verify(copy.dsn, copy.cp)).code, 0, 'an untouched copy verifies too');
});

/** Asserts verify fails with exit 3 naming entry SEQ, its reason matching WHY. */
async function assertCaught(dsn, cp, seq, why) {
  const r = await verify(dsn, cp);
  assert.equal(r.code, 3, `exit 3 expected: ${r.stdout} ${r.stderr}`);
  assert.equal(r.stdout, '');
  const line = r.stderr.trim().split('\n').at(-1);
  assert.match(line, new RegExp(`^safehub: audit verify: entry ${seq}: ${why.source}`), line);
}

test('an edited entry is caught and named', async () => {
  const k = Math.floor(entries / 2);
  const { dsn, cp } = await copies();
  await sh.tamper(`UPDATE audit_log SET outcome = 'ok', purpose = 'routine' WHERE seq = ${k}`, { dsn });
  await assertCaught(dsn, cp, k, /entry altered/);
  const again = await copies();
  await sh.tamper(`UPDATE audit_log SET at = at + 1 WHERE seq = ${k + 3}`, { dsn: again.dsn });
  await assertCaught(again.dsn, again.cp, k + 3, /entry altered/);
});

test('a deleted entry is caught and named', async () => {
  const k = Math.floor(entries / 3);
  const { dsn, cp } = await copies();
  await sh.tamper(`DELETE FROM audit_log WHERE seq = ${k}`, { dsn });
  await assertCaught(dsn, cp, k, /entry missing/);
});

test('two entries swapped are caught at the first of them', async () => {
  const k = Math.floor(entries / 2) + 1;
  const { dsn, cp } = await copies();
  await sh.tamper(
    `UPDATE audit_log SET seq = -1 WHERE seq = ${k}; UPDATE audit_log SET seq = ${k} WHERE seq = ${k + 1}; UPDATE audit_log SET seq = ${k + 1} WHERE seq = -1;`,
    { dsn },
  );
  await assertCaught(dsn, cp, k, /previous-hash link broken|entry altered/);
});

test('a tail cut off after a signed checkpoint is caught, even with the checkpoints deleted from the database', async () => {
  const cut = entries - 3;
  const a = await copies();
  await sh.tamper(`DELETE FROM audit_log WHERE seq > ${cut}`, { dsn: a.dsn });
  await assertCaught(a.dsn, a.cp, cut + 1, /log cut short/);
  // Removing the covering checkpoints as well does not help: the off-host file still has them.
  const b = await copies();
  await sh.tamper(`DELETE FROM audit_log WHERE seq > ${cut}; DELETE FROM audit_checkpoints WHERE seq > ${cut}`, { dsn: b.dsn });
  const r = await verify(b.dsn, b.cp);
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stderr, /^safehub: audit verify: entry \d+: /m);
});

test('the audit log is append-only from the application: every entry keeps its place after a restart', async () => {
  const before = await sh.query('SELECT seq, hash FROM audit_log ORDER BY seq');
  await sh.start();
  const c = await sh.login(users.social_worker);
  assert.equal((await c.get(`/api/v1/children/${child.id}`)).status, 200);
  await sh.stop();
  const after = await sh.query('SELECT seq, hash FROM audit_log ORDER BY seq');
  assert.deepEqual(after.slice(0, before.length), before);
  assert.ok(after.length > before.length);
  const r = await verify(sh.dsn, join(sh.dir, 'audit-checkpoints.log'));
  assert.equal(r.code, 0, r.stderr);
});

test('a change waits (its connection suspended) for the reads already answered to reach the log, and follows them', async () => {
  // Moves far apart: without the flush before a change, the reads would still be in the spool.
  await sh.start({ env: { SAFEHUB_AUDIT_MOVE_INTERVAL_MS: '60000' } });
  // (Both without a second factor: the tests after this sign in the director again within the same time step.)
  const reader = await sh.login(users.social_worker);
  const writer = await sh.login(users.social_worker);
  const start = Number(await sh.scalar('SELECT COALESCE(MAX(seq), 0) AS n FROM audit_log', { settled: false }));
  for (let i = 0; i < 5; i++) assert.equal((await reader.get(`/api/v1/children/${child.id}`)).status, 200);
  const metrics = (await sh.client().get('/metrics')).text;
  const unmoved = Number(/^safehub_audit_unmoved_entries (\d+)$/m.exec(metrics)[1]);
  if (sh.kind === 'sqlite') assert.ok(unmoved >= 5, `the reads wait in the spool: ${unmoved}`);
  // The change and more reads at once: every request is answered.
  const [p, ...more] = await Promise.all([
    writer.patch(`/api/v1/children/${child.id}`, { school: 'Canal Side Academy' }),
    ...Array.from({ length: 5 }, () => reader.get(`/api/v1/children/${child.id}`)),
  ]);
  assert.equal(p.status, 200, p.describe());
  for (const g of more) assert.equal(g.status, 200);
  const rows = await sh.query(
    `SELECT seq, action FROM audit_log WHERE object_id = '${child.id}' AND action IN ('child.read', 'child.update') AND actor = '${users.social_worker.username}' ORDER BY seq`,
    { settled: false },
  );
  const update = rows.find((r) => r.action === 'child.update' && Number(r.seq) === Math.max(...rows.filter((x) => x.action === 'child.update').map((x) => Number(x.seq))));
  const readsBefore = rows.filter((r) => r.action === 'child.read' && Number(r.seq) > start && Number(r.seq) < Number(update.seq)).length;
  assert.ok(readsBefore >= 5, `the five reads answered before the change precede it in the chain (${readsBefore})`);
  await sh.stop();
  const r = await verify(sh.dsn, join(sh.dir, 'audit-checkpoints.log'));
  assert.equal(r.code, 0, r.stderr);
});

test('a server killed outright loses no audited read: spooled entries reach the log at the next start, once', async () => {
  const reads = () =>
    sh.scalar(`SELECT count(*) AS n FROM audit_log WHERE action = 'child.read' AND object_id = '${child.id}'`, { settled: false });
  // Moves far apart, so that the reads are still only in the spool when the server dies.
  await sh.start({ env: { SAFEHUB_AUDIT_MOVE_INTERVAL_MS: '60000' } });
  const c = await sh.login(users.director);
  const before = await reads();
  for (let i = 0; i < 10; i++) assert.equal((await c.get(`/api/v1/children/${child.id}`)).status, 200);
  const metrics = (await sh.client().get('/metrics')).text;
  const unmoved = Number(/^safehub_audit_unmoved_entries (\d+)$/m.exec(metrics)[1]);
  if (sh.kind === 'sqlite') assert.ok(unmoved >= 10, `the reads wait in the spool: ${unmoved}`);
  else assert.equal(unmoved, 0, 'no spool on PostgreSQL: each batch is committed to the database');
  await sh.stop({ signal: 'SIGKILL', expectCode: null });
  if (sh.kind === 'sqlite') assert.equal(await reads(), before, 'not in the table when the server died');
  await sh.start();
  await sh.stop();
  assert.equal(await reads(), before + 10, 'every answered read is on the log, once');
  const r = await verify(sh.dsn, join(sh.dir, 'audit-checkpoints.log'));
  assert.equal(r.code, 0, r.stderr);
});
