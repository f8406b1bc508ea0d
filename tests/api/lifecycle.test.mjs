// The server's life and its logs: SIGTERM while a slow upload is still
// arriving lets that request finish with its response before the process
// exits 0, and nothing new is accepted meanwhile; the access log is one JSON
// line per request naming the route pattern, and neither it nor the
// operational log holds personal data.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Safehub, rawRequest, streamingRequest, addPartnership, childBody } from '../lib/index.mjs';

test('SIGTERM during a slow chunked upload: the request finishes with its response, then the process exits 0', async () => {
  const sh = await Safehub.create();
  try {
    const users = await addPartnership(sh, ['social_worker']);
    await sh.start();
    const c = await sh.login(users.social_worker);
    const body = Buffer.from(JSON.stringify(childBody()));
    const { req, response, continued } = streamingRequest(`${sh.url}/api/v1/children`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        Cookie: c.cookieHeader(),
        'X-CSRF-Token': c.csrf,
        Expect: '100-continue',
      },
    });
    await continued; // the server holds the request: it is in flight
    req.write(body.subarray(0, 40));
    const exited = sh.stop(); // SIGTERM now, with the upload unfinished
    await sh.waitForLog(/"msg":"stopping: finishing requests in flight"/, 20000);
    // The listener is closed: nobody new gets in while the old request finishes.
    await assert.rejects(rawRequest(`${sh.url}/healthz`, { timeout: 5000 }), /ECONNREFUSED|ECONNRESET|socket hang up/);
    req.write(body.subarray(40, 80));
    req.end(body.subarray(80));
    const r = await response;
    assert.equal(r.status, 201, `the in-flight upload is answered: ${r.describe()}`);
    const stopped = await exited;
    assert.equal(stopped.code, 0);
    assert.match(stopped.stderr, /"msg":"stopped"/);
    const rows = await sh.query(`SELECT count(*) AS n FROM children WHERE id = '${r.json.id}'`);
    assert.equal(Number(rows[0].n), 1, 'and what it wrote is committed');
    const verify = await sh.cli(['audit', 'verify']);
    assert.equal(verify.code, 0, verify.stderr);
  } finally {
    await sh.destroy();
  }
});

test('SIGTERM in the middle of a burst of requests always stops the server cleanly', async () => {
  const sh = await Safehub.create();
  try {
    const users = await addPartnership(sh, ['social_worker']);
    for (let round = 0; round < 5; round++) {
      await sh.start();
      const c = await sh.login(users.social_worker);
      const burst = Array.from({ length: 12 }, (_, i) =>
        (i % 3 ? c.get('/api/v1/children?q=quill') : c.post('/api/v1/children', childBody())).catch((e) => e),
      );
      const stopped = sh.stop();
      const answers = await Promise.all(burst);
      const r = await stopped;
      assert.equal(r.code, 0, `round ${round}: exit ${JSON.stringify(r)}`);
      for (const a of answers) {
        if (a instanceof Error) assert.match(a.message, /ECONNREFUSED|ECONNRESET|socket hang up/, `round ${round}`);
        else assert.ok([200, 201].includes(a.status), `round ${round}: a request that was answered is answered fully: ${a.describe()}`);
      }
    }
    const v = await sh.cli(['audit', 'verify']);
    assert.equal(v.code, 0, v.stderr);
  } finally {
    await sh.destroy();
  }
});

test('SIGINT stops the server cleanly too', async () => {
  const sh = await Safehub.create();
  try {
    await sh.start();
    assert.equal((await sh.client().get('/healthz')).status, 200);
    const r = await sh.stop({ signal: 'SIGINT' });
    assert.equal(r.code, 0);
  } finally {
    await sh.destroy();
  }
});

test('the access log is JSON lines with the route pattern, and no log line holds personal data', async () => {
  const sh = await Safehub.create();
  try {
    const users = await addPartnership(sh, ['social_worker', 'police']);
    await sh.start();
    const c = await sh.login(users.social_worker);
    const child = (await c.post('/api/v1/children', childBody({ aliases: ['Twinkle Starbright'] }))).json;
    const sensitive = [child.id, child.first_name, child.last_name, child.nhs_number, 'Twinkle', 'Tannery Lane', users.social_worker.password, c.csrf, c.cookies.get('safehub_session')];
    assert.equal((await c.get(`/api/v1/children/${child.id}`)).status, 200);
    assert.equal((await c.get(`/api/v1/children?q=${child.last_name}`)).status, 200);
    assert.equal((await c.get(`/children?q=${encodeURIComponent(child.first_name)}`)).status, 200);
    assert.equal((await c.get(`/children/${child.id}`)).status, 200);
    assert.equal((await c.patch(`/api/v1/children/${child.id}`, { school: 'Holmford High' })).status, 200);
    const police = await sh.login(users.police);
    assert.equal((await police.get(`/api/v1/children/${child.id}`)).status, 404);
    assert.equal((await police.get(`/api/v1/children?q=${child.first_name}`)).status, 200);
    await sh.client().signIn(child.first_name, 'wrong-password-given');
    assert.equal((await c.post('/api/v1/children', undefined, { body: `{"first_name":"${child.first_name}"`, contentType: 'application/json' })).status, 400);
    const { stderr } = await sh.stop();

    const lines = stderr.trim().split('\n');
    const parsed = lines.map((l) => {
      try {
        return JSON.parse(l);
      } catch {
        assert.fail(`not a JSON line: ${l}`);
      }
    });
    const access = parsed.filter((o) => 'request_id' in o);
    const ops = parsed.filter((o) => 'level' in o);
    assert.equal(access.length + ops.length, parsed.length, 'every line is an access or an operational record');
    assert.ok(access.length >= 10);
    for (const a of access) {
      assert.match(a.at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      assert.match(a.request_id, /^[0-9a-f]{16}$/);
      assert.equal(typeof a.status, 'number');
      assert.equal(typeof a.ms, 'number');
      assert.equal(typeof a.bytes, 'number');
      assert.ok(!a.route.includes('?'), 'no query string in the route');
    }
    const routes = access.map((a) => `${a.method} ${a.route} ${a.status}`);
    for (const want of [
      'GET /api/v1/children/{id} 200',
      'GET /api/v1/children/{id} 404',
      'GET /api/v1/children 200',
      'GET /children 200',
      'GET /children/{id} 200',
      'PATCH /api/v1/children/{id} 200',
      'POST /api/v1/session 401',
      'POST /api/v1/children 400',
    ]) {
      assert.ok(routes.includes(want), `access log has ${want}: ${routes.join(', ')}`);
    }
    for (const value of sensitive) {
      assert.ok(value && !stderr.includes(value), `the logs do not contain ${String(value).slice(0, 12)}...`);
    }
  } finally {
    await sh.destroy();
  }
});

test('the access log can go to a file of its own, or be turned off', async () => {
  const sh = await Safehub.create();
  try {
    const file = join(sh.dir, 'access.log');
    await sh.start({ env: { SAFEHUB_ACCESS_LOG: file } });
    await sh.client().get('/healthz');
    await sh.client().get('/metrics');
    const { stderr } = await sh.stop();
    const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    // A line is written as its request completes, which may be after the next request has begun.
    assert.deepEqual(lines.map((l) => l.route).sort(), ['/healthz', '/metrics']);
    assert.ok(!stderr.includes('request_id'), 'not on stderr as well');
    await sh.start({ env: { SAFEHUB_ACCESS_LOG: 'off' } });
    await sh.client().get('/healthz');
    const off = await sh.stop();
    assert.ok(!off.stderr.includes('request_id'));
  } finally {
    await sh.destroy();
  }
});
