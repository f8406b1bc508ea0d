// Throttling and timeouts, on a server whose wall clock the test moves with
// libfaketime: five wrong passwords lock an account (429 even for the right
// password), every attempt is audited, the lock ends when its time is up,
// and sessions end after 30 minutes idle or 12 hours in all.
import { createHash } from 'node:crypto';
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Safehub, addPartnership } from '../lib/index.mjs';

let sh;
let users;

before(async () => {
  sh = await Safehub.create();
  users = await addPartnership(sh, ['social_worker', 'police', 'cse_worker', 'referrer']);
  await sh.start({ faketime: true });
});

after(async () => {
  await sh?.destroy();
});

/** The auth.login audit entries about USER, oldest first. */
function loginAudit(user) {
  return sh.query(
    `SELECT action, outcome, actor, details FROM audit_log WHERE action = 'auth.login' AND object_id = '${user.id}' ORDER BY seq`,
  );
}

test('the fake clock moves the server\'s time (the other tests rely on it)', async () => {
  const c = await sh.login(users.referrer);
  const before = Date.parse((await c.get('/api/v1/session')).headers.date);
  sh.advanceClock(3 * 86400);
  const after = Date.parse((await c.get('/healthz')).headers.date);
  assert.ok(after - before >= 3 * 86400 * 1000 - 5000, `server Date moved by ${(after - before) / 1000} s`);
});

test('five wrong passwords lock the account: 429 even with the right password, every attempt audited', async () => {
  const u = users.social_worker;
  const c = sh.client();
  for (let i = 1; i <= 4; i++) {
    const r = await c.signIn(u.username, `wrong-password-${i}-xyz`);
    assert.equal(r.status, 401, `attempt ${i}: ${r.describe()}`);
    assert.equal(r.json.error.code, 'invalid_credentials');
  }
  const fifth = await c.signIn(u.username, 'wrong-password-5-xyz');
  assert.equal(fifth.status, 429, fifth.describe());
  assert.equal(fifth.json.error.code, 'too_many_attempts');
  assert.ok(Number(fifth.headers['retry-after']) > 0, 'Retry-After says when to come back');
  const right = await c.signIn(u.username, u.password);
  assert.equal(right.status, 429, 'the right password does not get in while locked');
  assert.equal(right.cookies.length, 0, 'and no session is started');
  assert.equal(c.cookies.size, 0);

  const audit = await loginAudit(u);
  assert.deepEqual(
    audit.map((a) => a.outcome),
    ['failed', 'failed', 'failed', 'failed', 'locked', 'locked'],
    'each of the six attempts is on the audit log',
  );
  for (const a of audit) {
    assert.equal(JSON.parse(a.details).username, u.username);
    assert.ok(!a.details.includes('wrong-password'), 'the password tried is never recorded');
  }
});

test('the lock ends when its time is up (moving the server clock), and a success clears the count', async () => {
  const u = users.social_worker;
  const c = sh.client();
  sh.advanceClock(30);
  assert.equal((await c.signIn(u.username, u.password)).status, 429, 'still locked 30 s later');
  sh.advanceClock(35);
  const ok = await c.signIn(u.username, u.password);
  assert.equal(ok.status, 200, `unlocked after the lock's 60 s: ${ok.describe()}`);
  const last = (await loginAudit(u)).at(-1);
  assert.equal(last.outcome, 'ok');
  // The count starts again from nothing: four more wrong passwords do not lock.
  for (let i = 0; i < 4; i++) assert.equal((await c.signIn(u.username, 'still-wrong-password')).status, 401);
  assert.equal((await c.signIn(u.username, u.password)).status, 200);
});

test('an unknown username locks exactly like a real one, so a 429 never shows that a name exists', async () => {
  const c = sh.client();
  const statuses = [];
  for (let i = 0; i < 6; i++) statuses.push((await c.signIn('no.such.user', 'whatever-password-1')).status);
  assert.deepEqual(statuses, [401, 401, 401, 401, 429, 429], 'the same sequence a real account gives');
  const locked = await c.signIn('no.such.user', 'whatever-password-1');
  assert.ok(Number(locked.headers['retry-after']) > 0, 'Retry-After as for a real account');
  // Another unknown name is not affected.
  assert.equal((await c.signIn('no.such.other', 'whatever-password-1')).status, 401);
  const rows = await sh.query(
    "SELECT outcome, details FROM audit_log WHERE action = 'auth.login' AND object_id IS NULL ORDER BY seq",
  );
  // A name that is no account is kept only as a hash (it may be a password typed into the wrong box).
  const hash = createHash('blake2b512').update('no.such.user').digest('hex').slice(0, 32);
  const mine = rows.filter((r) => JSON.parse(r.details).username_hash === hash);
  assert.deepEqual(
    mine.map((r) => r.outcome),
    ['failed', 'failed', 'failed', 'failed', 'locked', 'locked', 'locked'],
    'every attempt is audited with a hash of the name tried',
  );
  for (const r of rows) assert.equal(JSON.parse(r.details).username, null, 'no unknown name in clear');
  assert.ok(!rows.some((r) => r.details.includes('no.such')), 'the names tried appear nowhere in the entries');
});

test('a session ends after 30 minutes without use', async () => {
  const c = await sh.login(users.police);
  sh.advanceClock(29 * 60);
  assert.equal((await c.get('/api/v1/session')).status, 200, 'used after 29 minutes');
  sh.advanceClock(29 * 60);
  assert.equal((await c.get('/api/v1/session')).status, 200, 'use keeps it alive: 29 more minutes');
  sh.advanceClock(31 * 60);
  const r = await c.get('/api/v1/session');
  assert.equal(r.status, 401, `idle for 31 minutes: ${r.describe()}`);
  assert.ok(['session_expired', 'unauthenticated'].includes(r.json.error.code), r.json.error.code);
  const page = await c.get('/');
  assert.equal(page.status, 303);
  assert.match(page.headers.location, /^\/sign-in/);
});

test('a session ends 12 hours after sign-in however much it is used', async () => {
  const c = await sh.login(users.cse_worker);
  const step = 25 * 60;
  let elapsed = 0;
  while (elapsed + step <= 12 * 3600 - 60) {
    sh.advanceClock(step);
    elapsed += step;
    const r = await c.get('/api/v1/session');
    assert.equal(r.status, 200, `still signed in ${(elapsed / 3600).toFixed(2)} h after sign-in`);
  }
  sh.advanceClock(12 * 3600 - elapsed + 60);
  const r = await c.get('/api/v1/session');
  assert.equal(r.status, 401, `12 h 1 min after sign-in: ${r.describe()}`);
  assert.ok(['session_expired', 'unauthenticated'].includes(r.json.error.code));
  assert.equal((await c.get('/api/v1/children?q=ab')).status, 401);
});

test('the server stops cleanly under the fake clock', async () => {
  const r = await sh.stop();
  assert.equal(r.code, 0);
});
