// The TOTP second factor (RFC 6238): roles listed in totp_roles enrol an
// authenticator at first sign-in and give a code every time after; until
// then their session reaches only the second-factor routes; a code works
// once; wrong codes lock the account like wrong passwords; an empty
// SAFEHUB_TOTP_ROLES turns the requirement off.  The server runs on a fake
// clock so that a test needing a fresh code moves time on instead of waiting.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  Safehub,
  TotpDevice,
  hotp,
  base32Decode,
  totpForStep,
  stepAt,
  addPartnership,
  DEFAULT_TOTP_ROLES,
  ROLES,
} from '../lib/index.mjs';

let sh;
let users;

before(async () => {
  sh = await Safehub.create();
  users = await addPartnership(sh);
  await sh.start({ faketime: true });
});

after(async () => {
  await sh?.destroy();
});

test('the test harness computes RFC 6238 codes (appendix B, SHA-1 vectors)', () => {
  const key = Buffer.from('12345678901234567890');
  const vectors = [
    [59, '94287082'],
    [1111111109, '07081804'],
    [1111111111, '14050471'],
    [1234567890, '89005924'],
    [2000000000, '69279037'],
    [20000000000, '65353130'],
  ];
  for (const [t, code] of vectors) assert.equal(hotp(key, stepAt(t), 8), code, `T=${t}`);
  assert.deepEqual(base32Decode('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ'), key);
});

test('every role in the default totp_roles must enrol; the others sign in with a password', async () => {
  for (const role of ROLES) {
    const c = sh.client();
    const r = await c.signIn(users[role].username, users[role].password);
    assert.equal(r.status, 200, `${role}: ${r.describe()}`);
    const expected = DEFAULT_TOTP_ROLES.includes(role) ? 'enrol' : null;
    assert.equal(r.json.second_factor ?? null, expected, role);
  }
});

/** The routes a half-signed-in session must not reach, with their expected refusal. */
const GUARDED = [
  ['GET', '/api/v1/children?q=ab'],
  ['GET', '/api/v1/users'],
  ['GET', '/api/v1/audit?subject=us_x'],
  ['POST', '/api/v1/children'],
  ['POST', '/api/v1/account/password'],
];

/** Asserts that C's session, at second-factor STAGE, reaches nothing but its own routes. */
async function assertHalfWay(c, stage) {
  const me = await c.get('/api/v1/session');
  assert.equal(me.status, 200);
  assert.equal(me.json.second_factor, stage === 'enrol' ? 'enrol' : 'required');
  for (const [method, path] of GUARDED) {
    const r = await c.request(method, path, method === 'GET' ? {} : { json: {} });
    assert.equal(r.status, 401, `${stage}: ${method} ${path}: ${r.describe()}`);
    assert.equal(r.json.error.code, 'second_factor_required', `${method} ${path}`);
  }
  const page = await c.get('/children?q=ab');
  assert.equal(page.status, 303, 'pages send a half-signed-in user to the code page');
  assert.equal(page.headers.location, '/sign-in/second-factor');
}

test('enrolment: the session reaches nothing else until a code from the new authenticator confirms it', async () => {
  const u = users.manager;
  const c = sh.client();
  const r = await c.signIn(u.username, u.password);
  assert.equal(r.json.second_factor, 'enrol');
  await assertHalfWay(c, 'enrol');
  const early = await c.post('/api/v1/session/second-factor', { code: '123456' });
  assert.equal(early.status, 409, 'no code is asked for before enrolment');
  const en = await c.post('/api/v1/account/second-factor');
  assert.equal(en.status, 200, en.describe());
  assert.match(en.json.secret, /^[A-Z2-7]{32}$/, '160-bit base32 secret');
  const uri = new URL(en.json.otpauth_uri);
  assert.equal(uri.protocol, 'otpauth:');
  assert.equal(uri.searchParams.get('secret'), en.json.secret);
  assert.equal(uri.searchParams.get('digits'), '6');
  assert.equal(uri.searchParams.get('period'), '30');
  const again = await c.post('/api/v1/account/second-factor');
  assert.equal(again.json.secret, en.json.secret, 'asking again shows the same key (a page reload)');
  u.device = new TotpDevice(en.json.secret, () => sh.now());
  const wrong = await c.post('/api/v1/account/second-factor/confirm', { code: u.device.wrongCode() });
  assert.equal(wrong.status, 422);
  assert.ok(wrong.json.error.fields.code);
  await assertHalfWay(c, 'enrol');
  const ok = await c.post('/api/v1/account/second-factor/confirm', { code: u.device.nextCode() });
  assert.equal(ok.status, 200, ok.describe());
  c.takeCsrf(ok);
  assert.equal((await c.get('/api/v1/children?q=ab')).status, 200, 'fully signed in after enrolling');
  const replace = await c.post('/api/v1/account/second-factor');
  assert.equal(replace.status, 409, 'a working factor cannot be swapped from a session');
  const enrolled = await sh.query(`SELECT totp_enabled FROM users WHERE id = '${u.id}'`);
  assert.equal(Number(enrolled[0].totp_enabled), 1);
});

test('after enrolment every sign-in needs a code, and the half-way session reaches nothing else', async () => {
  const u = users.manager;
  const c = sh.client();
  const r = await c.signIn(u.username, u.password);
  assert.equal(r.json.second_factor, 'required');
  await assertHalfWay(c, 'totp');
  const bad = await c.post('/api/v1/session/second-factor', { code: u.device.wrongCode() });
  assert.equal(bad.status, 401);
  assert.equal(bad.json.error.code, 'invalid_code');
  const good = await c.post('/api/v1/session/second-factor', { code: sh.codeFor(u) });
  assert.equal(good.status, 200, good.describe());
  c.takeCsrf(good);
  assert.equal((await c.get('/api/v1/children?q=ab')).status, 200);
  // The code can also come with the password in one step.
  const one = sh.client();
  const both = await one.signIn(u.username, u.password, sh.codeFor(u));
  assert.equal(both.status, 200, both.describe());
  assert.ok(!both.json.second_factor);
  assert.equal((await one.get('/api/v1/children?q=ab')).status, 200);
});

test('a code is accepted once only', async () => {
  const u = users.director;
  await sh.login(u); // enrols
  const c = sh.client();
  await c.signIn(u.username, u.password);
  const code = sh.codeFor(u);
  const first = await c.post('/api/v1/session/second-factor', { code });
  assert.equal(first.status, 200);
  const d = sh.client();
  await d.signIn(u.username, u.password);
  const replay = await d.post('/api/v1/session/second-factor', { code });
  assert.equal(replay.status, 401, `the same code again: ${replay.describe()}`);
  assert.equal((await d.get('/api/v1/children?q=ab')).status, 401);
  const e = sh.client();
  const inOne = await e.signIn(u.username, u.password, code);
  assert.equal(inOne.status, 401, 'nor with the password');
  // A code from an earlier step than one already used is refused as well.
  const older = totpForStep(u.device.secret, u.device.lastStep - 1);
  const f = sh.client();
  await f.signIn(u.username, u.password);
  assert.equal((await f.post('/api/v1/session/second-factor', { code: older })).status, 401);
  const fresh = await f.post('/api/v1/session/second-factor', { code: sh.codeFor(u) });
  assert.equal(fresh.status, 200, 'a new code still works');
});

test('wrong codes count as failed sign-ins and lock the account', async () => {
  const u = users.analyst;
  await sh.login(u);
  const c = sh.client();
  await c.signIn(u.username, u.password);
  for (let i = 1; i <= 4; i++) {
    const r = await c.post('/api/v1/session/second-factor', { code: u.device.wrongCode() });
    assert.equal(r.status, 401, `wrong code ${i}`);
  }
  const fifth = await c.post('/api/v1/session/second-factor', { code: u.device.wrongCode() });
  assert.equal(fifth.status, 429, fifth.describe());
  const right = await c.post('/api/v1/session/second-factor', { code: sh.codeFor(u) });
  assert.equal(right.status, 429, 'the right code does not get in while locked');
  const pw = await sh.client().signIn(u.username, u.password);
  assert.equal(pw.status, 429, 'nor does the password');
  const audited = await sh.query(
    `SELECT outcome, count(*) AS n FROM audit_log WHERE action = 'auth.login' AND object_id = '${u.id}' AND outcome IN ('failed', 'locked') GROUP BY outcome ORDER BY outcome`,
  );
  const by = Object.fromEntries(audited.map((a) => [a.outcome, Number(a.n)]));
  assert.equal(by.failed, 5, `the five wrong codes are audited: ${JSON.stringify(by)}`);
  assert.equal(by.locked, 2, 'and both attempts while locked');
  sh.advanceClock(61);
  const later = sh.client();
  const r = await later.signIn(u.username, u.password);
  assert.equal(r.status, 200, 'unlocked a minute later');
  assert.equal((await later.post('/api/v1/session/second-factor', { code: sh.codeFor(u) })).status, 200);
});

test('SAFEHUB_TOTP_ROLES lists exactly the roles that need a code; empty turns it off', async () => {
  const other = await Safehub.create();
  try {
    const u = await addPartnership(other, ['manager', 'social_worker', 'admin']);
    await other.start({ env: { SAFEHUB_TOTP_ROLES: '' } });
    for (const role of ['manager', 'social_worker', 'admin']) {
      const c = other.client();
      const r = await c.signIn(u[role].username, u[role].password);
      assert.equal(r.status, 200);
      assert.ok(!r.json.second_factor, `${role}: no second factor`);
      const probe = role === 'admin' ? '/api/v1/users' : '/api/v1/children?q=ab';
      assert.equal((await c.get(probe)).status, 200, `${role} fully signed in`);
    }
    await other.stop();
    await other.start({ env: { SAFEHUB_TOTP_ROLES: 'social_worker' } });
    const sw = await other.client().signIn(u.social_worker.username, u.social_worker.password);
    assert.equal(sw.json.second_factor, 'enrol', 'social_worker listed: must enrol');
    const mgr = await other.client().signIn(u.manager.username, u.manager.password);
    assert.ok(!mgr.json.second_factor, 'manager not listed: password alone');
    await other.stop();
  } finally {
    await other.destroy();
  }
});

test('the server stops cleanly', async () => {
  assert.equal((await sh.stop()).code, 0);
});
