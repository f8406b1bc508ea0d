// The platform around every request: health, Prometheus metrics, security
// headers on every kind of response, HTTPS with HSTS and __Host- cookies,
// and settings from a --config file and SAFEHUB_* variables.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Safehub, rawRequest, streamingRequest, addPartnership, childBody, makeSelfSignedCert } from '../lib/index.mjs';

let sh;
let users;

before(async () => {
  sh = await Safehub.create();
  users = await addPartnership(sh, ['social_worker', 'manager']);
  await sh.start({ env: { SAFEHUB_DB_POOL_SIZE: '5' } });
});

after(async () => {
  await sh?.destroy();
});

test('GET /healthz answers 200 ok as plain text without signing in', async () => {
  const r = await sh.client().get('/healthz');
  assert.equal(r.status, 200);
  assert.equal(r.text, 'ok\n');
  assert.match(r.headers['content-type'], /^text\/plain/);
});

/** Parses Prometheus text into [{name, labels, value}] and the TYPE of each family. */
function parseProm(text) {
  const samples = [];
  const types = {};
  for (const line of text.split('\n')) {
    if (!line) continue;
    const t = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (t) {
      types[t[1]] = t[2];
      continue;
    }
    if (line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    assert.ok(m, `not a Prometheus sample line: ${line}`);
    const labels = {};
    for (const l of (m[2] || '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]] = l[2];
    samples.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return { samples, types };
}

test('GET /metrics counts requests by route and status, with latency, pool and audit figures', async () => {
  const c = sh.client();
  await sh.login(users.social_worker); // a sign-in is audited
  for (let i = 0; i < 3; i++) assert.equal((await c.get('/healthz')).status, 200);
  assert.equal((await c.get('/no/such/page')).status, 404);
  assert.equal((await c.get('/api/v1/children?q=ab')).status, 401);
  const r = await c.get('/metrics');
  assert.equal(r.status, 200);
  assert.match(r.headers['content-type'], /^text\/plain; version=0\.0\.4/);
  const { samples, types } = parseProm(r.text);
  const find = (name, labels = {}) =>
    samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));

  assert.equal(types.safehub_http_requests_total, 'counter');
  const health = find('safehub_http_requests_total', { route: '/healthz', status: '200' });
  assert.equal(health.length, 1, 'one series for /healthz 200');
  assert.ok(health[0].value >= 3, `healthz counted ${health[0].value}`);
  assert.ok(find('safehub_http_requests_total', { route: 'unmatched', status: '404' })[0]?.value >= 1);
  // The route label is the pattern, never the address asked for.
  assert.ok(find('safehub_http_requests_total', { route: '/api/v1/children', status: '401' })[0]?.value >= 1);
  assert.ok(!r.text.includes('q=ab'), 'no query strings in metrics');

  assert.equal(types.safehub_http_request_duration_seconds, 'histogram');
  const buckets = find('safehub_http_request_duration_seconds_bucket');
  assert.ok(buckets.length >= 5, 'several latency buckets');
  for (let i = 1; i < buckets.length; i++) assert.ok(buckets[i].value >= buckets[i - 1].value, 'buckets are cumulative');
  const inf = buckets.find((b) => b.labels.le === '+Inf');
  const count = find('safehub_http_request_duration_seconds_count')[0];
  assert.ok(inf && count, 'a +Inf bucket and a count');
  assert.equal(inf.value, count.value);
  assert.ok(count.value >= 5);
  assert.ok(find('safehub_http_request_duration_seconds_sum')[0].value > 0);

  assert.equal(types.safehub_db_pool_size, 'gauge');
  assert.equal(find('safehub_db_pool_size')[0].value, 5, 'pool size from SAFEHUB_DB_POOL_SIZE');
  assert.equal(types.safehub_db_pool_in_use, 'gauge');
  assert.ok(find('safehub_db_pool_in_use')[0].value >= 0);
  assert.equal(types.safehub_audit_queue_entries, 'gauge');
  assert.equal(find('safehub_audit_queue_entries').length, 1);
  assert.ok(find('safehub_audit_entries_total')[0].value >= 1, 'the sign-in above was audited');
});

const CACHEABLE_ASSET = '/assets/govuk-frontend.min.css';

/** Asserts the headers every Safehub response carries, whatever its kind. */
function assertSecurityHeaders(r, what, { cacheable = false } = {}) {
  const csp = r.headers['content-security-policy'];
  assert.ok(csp, `${what}: Content-Security-Policy present`);
  assert.ok(!csp.includes('unsafe-inline'), `${what}: CSP without 'unsafe-inline': ${csp}`);
  assert.ok(!csp.includes('unsafe-eval'), `${what}: CSP without 'unsafe-eval'`);
  assert.match(csp, /frame-ancestors 'none'/, `${what}: frame-ancestors 'none'`);
  assert.match(csp, /default-src 'self'/, `${what}: default-src 'self'`);
  assert.equal(r.headers['x-content-type-options'], 'nosniff', `${what}: nosniff`);
  assert.ok(r.headers['referrer-policy'], `${what}: Referrer-Policy present`);
  assert.match(r.headers['referrer-policy'], /no-referrer|same-origin|strict-origin/, `${what}: Referrer-Policy`);
  if (cacheable) assert.doesNotMatch(r.headers['cache-control'] || '', /no-store/, `${what}: assets may be cached`);
  else assert.match(r.headers['cache-control'] || '', /no-store/, `${what}: Cache-Control no-store`);
}

test('security headers are on every kind of response', async () => {
  const anon = sh.client();
  const sw = await sh.login(users.social_worker);
  const created = await sw.post('/api/v1/children', childBody());
  assert.equal(created.status, 201, created.describe());
  const kinds = [
    ['JSON 200 with personal data', () => sw.get(`/api/v1/children/${created.json.id}`), 200],
    ['JSON 201', () => sw.post('/api/v1/children', childBody()), 201],
    ['JSON 401', () => anon.get('/api/v1/session'), 401],
    ['JSON 403', () => sw.get('/api/v1/users'), 403],
    ['JSON 404 unmatched', () => anon.get('/api/v1/nothing-here'), 404],
    ['JSON 405', () => anon.request('PUT', '/healthz'), 405],
    ['JSON 400', () => sw.post('/api/v1/children', undefined, { body: '{', contentType: 'application/json' }), 400],
    ['JSON 415', () => sw.post('/api/v1/children', undefined, { body: '{}', contentType: 'text/plain' }), 415],
    ['JSON 422', () => sw.post('/api/v1/children', {}), 422],
    ['HTML page', () => anon.get('/sign-in'), 200],
    ['HTML page signed in', () => sw.get('/'), 200],
    ['HTML 404 page', () => sw.get('/children/ch_doesnotexist'), 404],
    ['redirect to sign-in', () => anon.get('/'), 303],
    ['health text', () => anon.get('/healthz'), 200],
    ['metrics text', () => anon.get('/metrics'), 200],
    [
      '413 before the body',
      () => rawRequest(`${sh.url}/api/v1/session`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Content-Length': String(2 * 1024 * 1024) },
      }),
      413,
    ],
    ['204 sign-out', () => sh.login(users.social_worker).then((c) => c.delete('/api/v1/session')), 204],
  ];
  for (const [what, send, status] of kinds) {
    const r = await send();
    assert.equal(r.status, status, `${what}: ${r.describe()}`);
    assertSecurityHeaders(r, what);
    if (r.status === 303) assert.equal(r.headers.location, '/sign-in');
  }
  const asset = await anon.get(CACHEABLE_ASSET);
  assert.equal(asset.status, 200, 'the GOV.UK stylesheet is served (build/assets)');
  assertSecurityHeaders(asset, 'asset', { cacheable: true });
  assert.ok(asset.headers.etag, 'assets carry an ETag');
  const notModified = await anon.get(CACHEABLE_ASSET, { headers: { 'If-None-Match': asset.headers.etag } });
  assert.equal(notModified.status, 304);
  assertSecurityHeaders(notModified, '304', { cacheable: true });
  assert.equal(notModified.body.length, 0);
});

test('the 413 for an oversized Content-Length comes before the body is read', async () => {
  // Only headers are sent: the answer must not wait for a body that never comes.
  const { req, response } = streamingRequest(`${sh.url}/api/v1/children`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'Content-Length': String(1024 * 1024 + 1) },
  });
  const r = await response;
  req.destroy();
  assert.equal(r.status, 413);
  assert.equal(r.json.error.code, 'too_large');
});

test('over TLS: HSTS on every response and a Secure, HttpOnly, SameSite=Strict __Host- cookie', async () => {
  const tls = await Safehub.create();
  try {
    await tls.addAgency('HFCSC', 'social_care');
    const sw = await tls.addUser({ username: 'tls.sw', role: 'social_worker', agency: 'HFCSC' });
    const { cert, key } = makeSelfSignedCert(tls.dir);
    await tls.start({ env: { SAFEHUB_TLS_CERT: cert, SAFEHUB_TLS_KEY: key } });
    assert.match(tls.url, /^https:\/\//, 'the server says it listens for https');
    const anon = tls.client();
    for (const path of ['/healthz', '/sign-in', '/api/v1/session']) {
      const r = await anon.get(path);
      assert.match(r.headers['strict-transport-security'] || '', /max-age=\d{7,}/, `HSTS on ${path}`);
      assertSecurityHeaders(r, `TLS ${path}`);
    }
    const c = tls.client();
    const login = await c.signIn(sw.username, sw.password);
    assert.equal(login.status, 200, login.describe());
    const cookie = login.cookies.find((k) => k.name.startsWith('__Host-'));
    assert.ok(cookie, `a __Host- cookie: ${JSON.stringify(login.cookies)}`);
    assert.equal(cookie.attrs.secure, true, 'Secure');
    assert.equal(cookie.attrs.httponly, true, 'HttpOnly');
    assert.equal(cookie.attrs.samesite, 'Strict');
    assert.equal(cookie.attrs.path, '/', '__Host- needs Path=/');
    assert.equal(cookie.attrs.domain, undefined, '__Host- forbids Domain');
    const me = await c.get('/api/v1/session');
    assert.equal(me.status, 200, 'the cookie signs requests in over TLS');
    assert.equal(me.json.user.username, 'tls.sw');
    // Plain HTTP to the TLS port gets no answer a browser could use.
    await assert.rejects(rawRequest(`http://127.0.0.1:${tls.port}/healthz`, { timeout: 5000 }));
    await tls.stop();
  } finally {
    await tls.destroy();
  }
});

test('behind a TLS proxy (public_url https://...) cookies are Secure and __Host- too', async () => {
  const proxied = await Safehub.create();
  try {
    await proxied.addAgency('HFCSC', 'social_care');
    const sw = await proxied.addUser({ username: 'px.sw', role: 'social_worker', agency: 'HFCSC' });
    await proxied.start({ env: { SAFEHUB_PUBLIC_URL: 'https://safehub.example.org' } });
    const c = proxied.client();
    const login = await c.signIn(sw.username, sw.password);
    assert.equal(login.status, 200);
    const cookie = login.cookies[0];
    assert.match(cookie.name, /^__Host-/);
    assert.equal(cookie.attrs.secure, true);
    assert.ok(login.headers['strict-transport-security']);
    await proxied.stop();
  } finally {
    await proxied.destroy();
  }
});

test('settings come from --config FILE, and SAFEHUB_* variables override the file', async () => {
  const cfg = await Safehub.create();
  try {
    await cfg.addAgency('HFCSC', 'social_care');
    const mgr = await cfg.addUser({ username: 'cfg.mgr', role: 'manager', agency: 'HFCSC' });
    const file = join(cfg.dir, 'safehub.conf');
    writeFileSync(file, '# test settings\nmax_body = 2048\n\ntotp_roles =   # nobody needs a second factor\ndb_pool_size = 3\n');
    // From the file: a 3000-byte body is too large, managers sign in with a password alone.
    await cfg.start({ args: ['--config', file] });
    const c = cfg.client();
    const login = await c.signIn(mgr.username, mgr.password);
    assert.equal(login.status, 200);
    assert.ok(!login.json.second_factor, 'totp_roles empty in the file: no second factor');
    const big = childBody({ address: 'x'.repeat(2900) });
    // Chunked, so the refusal cannot race the upload (a declared length is refused before the body).
    let r = await c.post('/api/v1/children', big, { chunked: true });
    assert.equal(r.status, 413, `max_body 2048 from the file: ${r.describe()}`);
    const metrics = await c.get('/metrics');
    assert.match(metrics.text, /^safehub_db_pool_size 3$/m);
    await cfg.stop();
    // The environment wins over the file.
    await cfg.start({ args: ['--config', file], env: { SAFEHUB_MAX_BODY: '8192', SAFEHUB_DB_POOL_SIZE: '4' } });
    const c2 = cfg.client();
    assert.equal((await c2.signIn(mgr.username, mgr.password)).status, 200);
    r = await c2.post('/api/v1/children', big, { chunked: true });
    assert.equal(r.status, 422, `SAFEHUB_MAX_BODY 8192 beats the file; the long address is then refused by name: ${r.describe()}`);
    assert.ok(r.json.error.fields.address);
    assert.match((await c2.get('/metrics')).text, /^safehub_db_pool_size 4$/m);
    await cfg.stop();
  } finally {
    await cfg.destroy();
  }
});

test('a bad setting stops start-up with exit 2 and names the setting', async () => {
  const bad = await Safehub.create();
  try {
    let r = await bad.cli(['serve', '--listen', '127.0.0.1:0'], { env: { SAFEHUB_MAX_BODY: 'lots' } });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /^safehub: config: SAFEHUB_MAX_BODY: max_body must be a whole number/m);
    const file = join(bad.dir, 'bad.conf');
    writeFileSync(file, 'listen = 127.0.0.1:0\nno_such_setting = 1\n');
    r = await bad.cli(['serve', '--config', file]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /^safehub: config: .*bad\.conf:2: unknown setting 'no_such_setting'$/m);
    r = await bad.cli(['serve', '--config', join(bad.dir, 'missing.conf')]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^safehub: config: .*missing\.conf: No such file or directory$/m);
  } finally {
    await bad.destroy();
  }
});
