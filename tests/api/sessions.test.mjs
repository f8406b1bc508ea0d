// Sessions, CSRF, same-origin checks and bearer tokens: the cookie's
// attributes, a new session id at sign-in and at each second-factor step,
// sign-out, refusal (with nothing written) of unsafe requests without the
// right CSRF token or from another site, partner systems' bearer tokens (which
// a session id never stands in for, nor the reverse), and sessions ended by a
// change of role or agency.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Safehub, Client, TotpDevice, addPartnership, childBody } from '../lib/index.mjs';

let sh;
let users;

before(async () => {
  sh = await Safehub.create();
  users = await addPartnership(sh, ['social_worker', 'police', 'manager', 'admin']);
  await sh.start();
});

after(async () => {
  await sh?.destroy();
});

const COOKIE = 'safehub_session';
/** How many children are recorded (to show that a refusal wrote nothing). */
const countChildren = () => sh.scalar('SELECT count(*) AS n FROM children');

/** A copy of CLIENT's cookies in a new client (a second tab, or a stolen cookie). */
function cloneOf(client) {
  const c = new Client(client.baseUrl);
  for (const [k, v] of client.cookies) c.cookies.set(k, v);
  c.csrf = client.csrf;
  return c;
}

test('sign-in sets an HttpOnly, SameSite=Strict session cookie and returns the user and a CSRF token', async () => {
  const c = sh.client();
  const r = await c.signIn(users.social_worker.username, users.social_worker.password);
  assert.equal(r.status, 200, r.describe());
  assert.equal(r.json.user.username, users.social_worker.username);
  assert.equal(r.json.user.role, 'social_worker');
  assert.equal(r.json.user.agency.code, 'HFCSC');
  assert.ok(!('password_hash' in r.json.user) && !r.text.includes('argon2'), 'no secrets in the answer');
  assert.match(r.json.csrf_token, /^[A-Za-z0-9_-]{32,}$/);
  assert.equal(r.cookies.length, 1);
  const ck = r.cookies[0];
  assert.equal(ck.name, COOKIE);
  assert.equal(ck.attrs.httponly, true);
  assert.equal(ck.attrs.samesite, 'Strict');
  assert.equal(ck.attrs.path, '/');
  assert.equal(ck.attrs.secure, undefined, 'no Secure flag over plain HTTP (it would never come back)');
  assert.ok(ck.value.length >= 43, 'at least 32 random bytes');
  const me = await c.get('/api/v1/session');
  assert.equal(me.status, 200);
  assert.equal(me.json.csrf_token, r.json.csrf_token);
  // Only a hash of the id is stored.
  const stored = await sh.query('SELECT id_hash FROM sessions');
  assert.ok(stored.length >= 1);
  assert.ok(stored.every((s) => s.id_hash !== ck.value));
});

test('wrong passwords and unknown users get the same 401', async () => {
  const c = sh.client();
  const wrong = await c.signIn(users.police.username, 'not-the-password-at-all');
  const unknown = await c.signIn('nobody.here', 'not-the-password-at-all');
  assert.equal(wrong.status, 401);
  assert.equal(unknown.status, 401);
  assert.deepEqual(wrong.json, unknown.json);
  assert.equal(wrong.cookies.length, 0);
});

test('the session id changes at sign-in: a planted or earlier id is worthless afterwards', async () => {
  const c = sh.client();
  c.cookies.set(COOKIE, 'planted-by-an-attacker-0000000000000000000');
  const first = await c.signIn(users.social_worker.username, users.social_worker.password);
  assert.equal(first.status, 200);
  const id1 = c.cookies.get(COOKIE);
  assert.notEqual(id1, 'planted-by-an-attacker-0000000000000000000');
  const old = cloneOf(c);
  const second = await c.signIn(users.social_worker.username, users.social_worker.password);
  assert.equal(second.status, 200);
  const id2 = c.cookies.get(COOKIE);
  assert.notEqual(id2, id1, 'a new id at the second sign-in');
  assert.notEqual(second.json.csrf_token, first.json.csrf_token, 'and a new CSRF token');
  assert.equal((await old.get('/api/v1/session')).status, 401, 'the earlier id no longer works');
  assert.equal((await c.get('/api/v1/session')).status, 200);
});

test('the session id changes at each second-factor step', async () => {
  const mgr = users.manager;
  await sh.login(mgr); // enrols the authenticator
  const t = sh.client();
  const half = await t.signIn(mgr.username, mgr.password);
  assert.equal(half.json.second_factor, 'required');
  const idHalf = t.cookies.get(COOKIE);
  const beforeStep = cloneOf(t);
  const step = await t.post('/api/v1/session/second-factor', { code: sh.codeFor(mgr) });
  assert.equal(step.status, 200, step.describe());
  t.takeCsrf(step);
  const idFull = t.cookies.get(COOKIE);
  assert.ok(idFull && idFull !== idHalf, 'a new id once the code is accepted');
  assert.equal((await beforeStep.get('/api/v1/session')).status, 401, 'the half-way id is gone');
  assert.equal((await t.get('/api/v1/children?q=ab')).status, 200);
});

test('the session id changes when enrolment completes', async () => {
  const fresh = await sh.addUser({ username: 'enrol.rotation', role: 'manager', agency: 'HFCSC' });
  const c = sh.client();
  const r = await c.signIn(fresh.username, fresh.password);
  assert.equal(r.json.second_factor, 'enrol');
  const idEnrol = c.cookies.get(COOKIE);
  const old = cloneOf(c);
  const en = await c.post('/api/v1/account/second-factor');
  assert.equal(en.status, 200);
  fresh.device = new TotpDevice(en.json.secret);
  const conf = await c.post('/api/v1/account/second-factor/confirm', { code: fresh.device.nextCode() });
  assert.equal(conf.status, 200, conf.describe());
  assert.notEqual(c.cookies.get(COOKIE), idEnrol);
  assert.equal((await old.get('/api/v1/session')).status, 401);
});

test('sign-out ends the session and clears the cookie', async () => {
  const c = await sh.login(users.social_worker);
  const copy = cloneOf(c);
  const r = await c.delete('/api/v1/session');
  assert.equal(r.status, 204);
  const cleared = r.cookies.find((k) => k.name === COOKIE);
  assert.ok(cleared, 'the cookie is cleared');
  assert.equal(cleared.value, '');
  assert.equal(cleared.attrs['max-age'], '0');
  assert.equal((await copy.get('/api/v1/session')).status, 401, 'the old cookie no longer works');
  assert.equal((await copy.get('/api/v1/children?q=ab')).status, 401);
});

test('an unsafe request without the CSRF token, or with a wrong one, is 403 and writes nothing', async () => {
  const c = await sh.login(users.social_worker);
  const other = await sh.login(users.police);
  const child = await c.post('/api/v1/children', childBody());
  assert.equal(child.status, 201);
  const before = await countChildren();
  const attempts = [
    ['no token', { csrf: false }],
    ['wrong token', { csrf: 'A'.repeat(43) }],
    ['empty token', { csrf: false, headers: { 'X-CSRF-Token': '' } }],
    ["another session's token", { csrf: other.csrf }],
    ['token one character short', { csrf: c.csrf.slice(0, -1) }],
  ];
  for (const [what, opts] of attempts) {
    const r = await c.post('/api/v1/children', childBody(), opts);
    assert.equal(r.status, 403, `${what}: ${r.describe()}`);
    assert.equal(r.json.error.code, 'csrf', what);
    const p = await c.patch(`/api/v1/children/${child.json.id}`, { school: 'Changed School' }, opts);
    assert.equal(p.status, 403, `${what} (PATCH)`);
    const d = await c.delete('/api/v1/session', opts);
    assert.equal(d.status, 403, `${what} (sign-out)`);
  }
  assert.equal(await countChildren(), before, 'no child was created');
  const now = await c.get(`/api/v1/children/${child.json.id}`);
  assert.equal(now.json.school, 'Holmford Academy', 'no child was changed');
  assert.equal(now.json.version, 1);
  assert.equal((await c.get('/api/v1/session')).status, 200, 'the session was not ended');
  const refused = await sh.scalar(
    `SELECT count(*) AS n FROM audit_log WHERE action = 'access.csrf' AND actor = '${users.social_worker.username}'`,
  );
  assert.equal(refused, attempts.length * 3, 'every refusal is audited');
  const ok = await c.post('/api/v1/children', childBody());
  assert.equal(ok.status, 201, 'with the right token it works');
  // A web form accepts the token as a form field instead of the header.
  const form = await c.request('POST', '/children/new', { form: { first_name: 'X' }, csrf: false });
  assert.equal(form.status, 403, 'a form without csrf_token is refused too');
});

test('cross-site requests are refused even with the right token, and nothing is written', async () => {
  const c = await sh.login(users.social_worker);
  const before = await countChildren();
  const crossSite = [
    { 'Sec-Fetch-Site': 'cross-site' },
    { 'Sec-Fetch-Site': 'same-site' },
    { Origin: 'http://evil.example' },
    { Origin: `http://127.0.0.1:${sh.port + 1}` },
    { Origin: 'null' },
    { Origin: 'http://evil.example', 'Sec-Fetch-Site': 'same-origin' },
  ];
  for (const headers of crossSite) {
    const r = await c.post('/api/v1/children', childBody(), { headers });
    assert.equal(r.status, 403, `${JSON.stringify(headers)}: ${r.describe()}`);
    assert.equal(r.json.error.code, 'cross_site');
  }
  assert.equal(await countChildren(), before);
  for (const headers of [{ 'Sec-Fetch-Site': 'same-origin' }, { Origin: sh.url }, { 'Sec-Fetch-Site': 'none' }]) {
    const r = await c.post('/api/v1/children', childBody(), { headers });
    assert.equal(r.status, 201, `${JSON.stringify(headers)} is this site: ${r.describe()}`);
  }
  // Safe methods need neither token nor origin: a cross-site link may open a page.
  const get = await c.get('/api/v1/children?q=ab', { headers: { 'Sec-Fetch-Site': 'cross-site' } });
  assert.equal(get.status, 200);
});

test('bearer tokens: made by `safehub token create`, need no CSRF token, and stop working when revoked', async () => {
  const token = (await sh.cliOk(['token', 'create', '--username', users.police.username])).trim();
  assert.match(token, /^\S{20,200}$/);
  const partner = new Client(sh.url, { bearer: token });
  const me = await partner.get('/api/v1/session');
  assert.equal(me.status, 200, me.describe());
  assert.equal(me.json.user.username, users.police.username);
  const created = await partner.post('/api/v1/children', childBody(), { headers: { Origin: 'https://partner.example' } });
  assert.equal(created.status, 201, `no CSRF token or same origin needed: ${created.describe()}`);
  assert.equal(created.cookies.length, 0, 'no cookie for a bearer request');
  const read = await partner.get(`/api/v1/children/${created.json.id}`);
  assert.equal(read.status, 200);
  const admin = await partner.get('/api/v1/users');
  assert.equal(admin.status, 403, 'a token acts with its user\'s role');
  const stored = await sh.query('SELECT id, token_hash FROM api_tokens');
  assert.ok(stored.every((t) => t.token_hash !== token), 'only a hash of the token is stored');
  const ids = stored.map((t) => t.id);
  for (const id of ids) await sh.cliOk(['token', 'revoke', '--id', id]);
  // A change made by another process (here the command line) takes effect within a second.
  const revokedAt = Date.now();
  let after = await partner.get('/api/v1/session');
  while (after.status === 200 && Date.now() - revokedAt < 3000) {
    await new Promise((res) => setTimeout(res, 50));
    after = await partner.get('/api/v1/session');
  }
  assert.equal(after.status, 401);
  assert.ok(Date.now() - revokedAt < 2500, `refused within a second or so, not ${Date.now() - revokedAt} ms`);
  const write = await partner.post('/api/v1/children', childBody());
  assert.equal(write.status, 401);
  const denied = await sh.scalar("SELECT count(*) AS n FROM audit_log WHERE action = 'access.unauthenticated'");
  assert.ok(denied >= 2, 'requests with a revoked token are audited');
  for (const bad of ['Bearer short', 'Bearer ' + 'x'.repeat(40), 'Basic dXNlcjpwYXNz']) {
    const r = await sh.client().get('/api/v1/session', { headers: { Authorization: bad } });
    assert.equal(r.status, 401, bad);
  }
  const again = await sh.cli(['token', 'revoke', '--id', ids[0]]);
  assert.equal(again.code, 3, 'revoking a revoked token is rejected');
  assert.match(again.stderr, /^safehub: token revoke: /m);
});

test('a session id and an API token never stand in for each other, cached or not', async () => {
  const token = (await sh.cliOk(['token', 'create', '--username', users.police.username])).trim();
  const partner = new Client(sh.url, { bearer: token });
  assert.equal((await partner.get('/api/v1/session')).status, 200, 'the token works (and is now cached)');
  // Sent as the session cookie, it is no session: no CSRF token or same-origin check is skipped for it.
  const asCookie = new Client(sh.url);
  asCookie.cookies.set(COOKIE, token);
  const before = await countChildren();
  const write = await asCookie.post('/api/v1/children', childBody(), { csrf: false, headers: { Origin: 'https://elsewhere.example' } });
  assert.equal(write.status, 401, write.describe());
  assert.equal(await countChildren(), before, 'nothing written');
  assert.equal((await asCookie.get('/api/v1/session')).status, 401);
  // A session id sent as a bearer token is no token either (it would escape the session timeouts).
  const sw = await sh.login(users.social_worker);
  assert.equal((await sw.get('/api/v1/session')).status, 200, 'the session works (and is now cached)');
  const asBearer = new Client(sh.url, { bearer: sw.cookies.get(COOKIE) });
  assert.equal((await asBearer.get('/api/v1/session')).status, 401);
  assert.equal((await sw.get('/api/v1/session')).status, 200, 'the session itself still works');
});

test('a change of role or agency ends the user\'s sessions: the new access is signed in to afresh', async () => {
  const admin = await sh.login(users.admin);
  const sw = await sh.login(users.social_worker);
  const me = await sw.get('/api/v1/session');
  assert.equal(me.status, 200);
  const id = me.json.user.id;
  const patch = async (body) => {
    const r = await admin.patch(`/api/v1/users/${id}`, body);
    assert.equal(r.status, 200, r.describe());
  };
  await patch({ name: 'Sam Renamed' });
  assert.equal((await sw.get('/api/v1/session')).status, 200, 'a new name is no new access: the session goes on');
  // Promoted into a role that needs a second factor: the password-only session must not carry over.
  await patch({ role: 'manager' });
  assert.equal((await sw.get('/api/v1/session')).status, 401, 'the session ends with the role change');
  const again = await sh.client().signIn(users.social_worker.username, users.social_worker.password);
  assert.equal(again.status, 200, again.describe());
  assert.equal(again.json.second_factor, 'enrol', 'signing in to the new role asks for the second factor');
  await patch({ role: 'social_worker' });
  // Moved to another agency: what it is involved with changes, so the session ends too.
  const sw2 = await sh.login(users.social_worker);
  assert.equal((await sw2.get('/api/v1/session')).status, 200);
  await patch({ agency: 'HFP' });
  assert.equal((await sw2.get('/api/v1/session')).status, 401, 'the session ends with the agency change');
  await patch({ agency: 'HFCSC' });
  const sw3 = await sh.login(users.social_worker);
  assert.equal((await sw3.get('/api/v1/session')).status, 200, 'signing in again works');
});
