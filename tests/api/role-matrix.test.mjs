// The generated role matrix: every route that `safehub routes --json` lists,
// driven with every one of the eleven roles (one signed-in user per role,
// second-factor roles enrolled), real ids in the path and a valid CSRF token.
// A role the route does not admit must get 403, and each such refusal must be
// on the audit log as access.denied; an admitted role must get neither 401
// nor 403 (nor a server error).  Public routes answer without signing in;
// every other route refuses a signed-out caller (401, or a redirect to the
// sign-in page for HTML); a half-signed-in session reaches only the
// second-factor routes; admin, strategic and auditor never see a child.
//
// The table is read from the binary, so routes added later are covered
// without editing this file.  The server runs on a fake clock so that a
// session ended by a sign-out route can be replaced with a fresh TOTP code.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Safehub, addPartnership, childBody, ROLES } from '../lib/index.mjs';

let sh;
let users;
let routes;
let child;
let tokenId;
const sessions = {};
const NO_CHILD_DATA = ['admin', 'strategic', 'auditor'];

before(async () => {
  sh = await Safehub.create();
  users = await addPartnership(sh, ROLES);
  await sh.start({ faketime: true });
  routes = JSON.parse(await sh.cliOk(['routes', '--json']));
  for (const role of ROLES) sessions[role] = await sh.login(users[role]);
  const created = await sessions.social_worker.post('/api/v1/children', childBody());
  assert.equal(created.status, 201);
  child = created.json;
  await sh.cliOk(['token', 'create', '--username', users.referrer.username]);
  tokenId = (await sh.query('SELECT id FROM api_tokens'))[0].id;
});

after(async () => {
  await sh?.destroy();
});

/** An id for the {param} after SEGMENT: a real record where the resource is known. */
function idFor(segment) {
  if (segment === 'children') return child.id;
  if (segment === 'users') return users.referrer.id;
  if (segment === 'tokens') return tokenId;
  if (segment === 'agencies') return 'HFEDU';
  return 'xx_notarealrecord0001';
}

/** The path of ROUTE with every {param} filled in, plus the query parameters it declares. */
function concretePath(route) {
  const parts = route.path.split('/');
  const path = parts.map((p, i) => (/^\{.+\}$/.test(p) ? idFor(parts[i - 1]) : p)).join('/');
  const values = { q: child.last_name, subject: child.id, limit: '10' };
  const query = route.query.filter((q) => q in values).map((q) => `${q}=${encodeURIComponent(values[q])}`);
  return query.length ? `${path}?${query.join('&')}` : path;
}

const SAFE = new Set(['GET', 'HEAD']);

/**
 * Sends ROUTE with CLIENT: an empty form for pages, an empty JSON object for
 * the API, or no body where the route takes none.
 */
async function drive(client, route, opts = {}) {
  const path = concretePath(route);
  if (SAFE.has(route.method)) return client.request(route.method, path, opts);
  if (route.html) return client.request(route.method, path, { ...opts, form: {} });
  const r = await client.request(route.method, path, { ...opts, json: {} });
  if (r.status === 400 && r.errorCode === 'unexpected_body') return client.request(route.method, path, opts);
  return r;
}

/** Re-signs-in ROLE when an admitted request (sign-out, password change) ended its session. */
async function keepSignedIn(role) {
  const me = await sessions[role].get('/api/v1/session');
  if (me.status === 200) {
    sessions[role].csrf = me.json.csrf_token;
    return;
  }
  sessions[role] = await sh.login(users[role]);
}

const refusals = new Map(); // "username route-pattern" -> count
const seenByNoChildRoles = [];

test('the route table lists every role by its contract name', () => {
  assert.ok(routes.length >= 20, `${routes.length} routes`);
  for (const r of routes) {
    assert.ok(['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].includes(r.method), `${r.method} ${r.path}`);
    for (const role of r.roles) assert.ok(ROLES.includes(role), `${r.path}: unknown role ${role}`);
    if (r.public) assert.deepEqual(r.roles, [], `${r.path}: public routes list no roles`);
    else assert.ok(r.roles.length > 0, `${r.method} ${r.path} admits nobody`);
  }
});

for (const role of ROLES) {
  test(`every route, driven as ${role}: 403 unless admitted, never 401/403 when admitted`, async (t) => {
    const problems = [];
    const seen = [];
    for (const route of routes.filter((r) => !r.public)) {
      const admitted = route.roles.includes(role);
      const r = await drive(sessions[role], route);
      const what = `${route.method} ${route.path} as ${role}`;
      seen.push(`${route.method} ${route.path} ${r.status}`);
      if (!admitted) {
        if (r.status !== 403) problems.push(`${what}: expected 403, got ${r.describe()}`);
        else if (!route.html && r.errorCode !== 'forbidden') problems.push(`${what}: 403 with code ${r.errorCode}`);
        const key = `${users[role].username} ${route.path}`;
        refusals.set(key, (refusals.get(key) || 0) + 1);
      } else {
        if (r.status === 401 || r.status === 403) problems.push(`${what}: admitted but got ${r.describe()}`);
        if (r.status >= 500) problems.push(`${what}: server error ${r.describe()}`);
        if (!SAFE.has(route.method)) await keepSignedIn(role);
      }
      if (NO_CHILD_DATA.includes(role)) seenByNoChildRoles.push({ what, text: r.text + JSON.stringify(r.headers) });
    }
    if (problems.length) t.diagnostic(`${role}: ${seen.join(', ')}`);
    assert.deepEqual(problems, []);
  });
}

test('each refusal by role is on the audit log as access.denied, with the user and route', async () => {
  const rows = await sh.query(
    "SELECT actor, role, object_id, outcome, count(*) AS n FROM audit_log WHERE action = 'access.denied' GROUP BY actor, role, object_id, outcome",
  );
  const logged = new Map(rows.map((r) => [`${r.actor} ${r.object_id}`, r]));
  assert.ok(refusals.size > 50, `${refusals.size} refused (role, route) pairs`);
  for (const [key, count] of refusals) {
    const row = logged.get(key);
    assert.ok(row, `refusal not audited: ${key}`);
    assert.equal(Number(row.n), count, `audited refusals for ${key}`);
    assert.equal(row.outcome, 'denied');
    const role = ROLES.find((x) => key.startsWith(`${users[x].username} `));
    assert.equal(row.role, role, `${key}: role recorded`);
  }
  for (const [key, row] of logged) assert.ok(refusals.has(key), `audited but not refused: ${key} (${row.n})`);
});

test('admin, strategic and auditor are admitted to no route about children, and never see a child', () => {
  const childRoutes = routes.filter((r) => r.path.includes('/children') || r.path.includes('/people'));
  assert.ok(childRoutes.length >= 4);
  for (const r of childRoutes) {
    for (const role of NO_CHILD_DATA) assert.ok(!r.roles.includes(role), `${r.method} ${r.path} admits ${role}`);
  }
  assert.ok(seenByNoChildRoles.length > 0);
  for (const { what, text } of seenByNoChildRoles) {
    for (const secret of [child.first_name, child.last_name, child.nhs_number]) {
      assert.ok(!text.includes(secret), `${what} shows ${secret}`);
    }
  }
});

test('public routes answer without signing in; every other route refuses a signed-out caller', async () => {
  const anon = sh.client();
  const problems = [];
  for (const route of routes) {
    const r = await drive(anon, route);
    const what = `${route.method} ${route.path} signed out`;
    if (route.public) {
      if (r.status === 401 || r.status === 403 || r.status >= 500) problems.push(`${what}: ${r.describe()}`);
    } else if (route.html) {
      if (r.status !== 303 || !/^\/sign-in(\?|$)/.test(r.headers.location || '')) {
        problems.push(`${what}: expected a redirect to /sign-in, got ${r.status} ${r.headers.location}`);
      }
    } else if (r.status !== 401 || r.errorCode !== 'unauthenticated') {
      problems.push(`${what}: expected 401 unauthenticated, got ${r.describe()}`);
    }
  }
  assert.deepEqual(problems, []);
  const publics = routes.filter((r) => r.public).map((r) => `${r.method} ${r.path}`);
  for (const must of ['GET /healthz', 'GET /metrics', 'POST /api/v1/session', 'GET /sign-in']) assert.ok(publics.includes(must), must);
});

test('a half-signed-in session reaches only the second-factor routes', async () => {
  const fresh = await sh.addUser({ username: 'half.manager', role: 'manager', agency: 'HFCSC' });
  const half = sh.client();
  const r = await half.signIn(fresh.username, fresh.password);
  assert.equal(r.json.second_factor, 'enrol');
  const problems = [];
  for (const route of routes.filter((x) => !x.public && !x.second_factor_stage)) {
    const res = await drive(half, route);
    const what = `${route.method} ${route.path} half-signed-in`;
    if (route.html) {
      if (res.status !== 303 || res.headers.location !== '/sign-in/second-factor') problems.push(`${what}: ${res.status} ${res.headers.location}`);
    } else if (res.status !== 401 || res.errorCode !== 'second_factor_required') {
      problems.push(`${what}: ${res.describe()}`);
    }
  }
  assert.deepEqual(problems, []);
  const me = await half.get('/api/v1/session');
  assert.equal(me.status, 200, 'the second-factor routes still answer');
});

test('the server stops cleanly', async () => {
  assert.equal((await sh.stop()).code, 0);
});
