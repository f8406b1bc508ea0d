// Web forms accept only the fields their route declares.  Every POST page
// route that `safehub routes --json` lists is sent, by a user of a role it
// admits (signed out for the public sign-in form), a form with a valid
// csrf_token and one undeclared field, `surprise`: each answers 422 on an
// error page naming the field, and nothing is written (no table's row count
// changes, and the audit log gains no entry but refusals).  Ordinary
// submissions of representative forms, with the CSRF token in the form as a
// browser sends it, still work: recording a child, adding a case note and
// recording a missing episode.
//
// The table is read from the binary, so form routes added later are covered
// without editing this file.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Safehub, addPartnership, childBody, ROLES } from '../lib/index.mjs';

let sh;
let users;
let formRoutes;
let child;
const sessions = {};

before(async () => {
  sh = await Safehub.create({ env: { SAFEHUB_SLA_INTERVAL: '86400' } });
  users = await addPartnership(sh, ROLES);
  await sh.start();
  const routes = JSON.parse(await sh.cliOk(['routes', '--json']));
  formRoutes = routes.filter((r) => r.html && r.method === 'POST');
  for (const role of ROLES) sessions[role] = await sh.login(users[role]);
  const created = await sessions.social_worker.post('/api/v1/children', childBody());
  assert.equal(created.status, 201);
  child = created.json;
});

after(async () => {
  await sh?.destroy();
});

/** An id for the {param} after SEGMENT: a real record where the resource is known. */
function idFor(segment) {
  if (segment === 'children') return child.id;
  if (segment === 'bank-holidays') return '2099-01-01';
  return 'xx_notarealrecord0001';
}

/** The path of ROUTE with every {param} filled in. */
function concretePath(route) {
  const parts = route.path.split('/');
  return parts.map((p, i) => (/^\{.+\}$/.test(p) ? idFor(parts[i - 1]) : p)).join('/');
}

/** Every table's row count (but the audit log's and the sessions', which the server keeps itself), name -> count. */
async function rowCounts() {
  const tables =
    sh.kind === 'postgres'
      ? await sh.query("SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'")
      : await sh.query("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'");
  const names = tables.map((t) => t.name).filter((n) => !n.startsWith('audit_') && n !== 'sessions');
  const sql = names.map((n) => `SELECT '${n}' AS t, count(*) AS n FROM ${n}`).join(' UNION ALL ');
  const rows = await sh.query(sql);
  return Object.fromEntries(rows.map((r) => [r.t, Number(r.n)]));
}

/** The highest audit sequence number so far. */
async function lastSeq() {
  return sh.scalar('SELECT coalesce(max(seq), 0) AS s FROM audit_log');
}

test('the binary lists the web form routes', () => {
  assert.ok(formRoutes.length >= 30, `${formRoutes.length} web form routes`);
  for (const r of formRoutes) assert.ok(r.public || r.roles.length > 0, `${r.path} admits nobody`);
});

test('every web form refuses an undeclared field with 422 naming it, and writes nothing', async () => {
  const problems = [];
  const before = await rowCounts();
  const seq = await lastSeq();
  for (const route of formRoutes) {
    const role = route.public ? null : ROLES.find((x) => route.roles.includes(x));
    const client = role ? sessions[role] : sh.client();
    const what = `${route.method} ${route.path} as ${role ?? 'signed out'}`;
    const form = { surprise: '1' };
    if (client.csrf) form.csrf_token = client.csrf;
    const r = await client.request('POST', concretePath(route), { form, csrf: false });
    if (r.status !== 422) {
      problems.push(`${what}: expected 422, got ${r.describe()}`);
      continue;
    }
    if (!/does not expect: surprise</.test(r.text)) problems.push(`${what}: the page does not name the field`);
  }
  assert.deepEqual(problems, []);
  assert.deepEqual(await rowCounts(), before, 'no table changed');
  const added = await sh.query(`SELECT action, outcome, object_id FROM audit_log WHERE seq > ${seq} ORDER BY seq`);
  const written = added.filter((a) => a.outcome !== 'denied');
  assert.deepEqual(written, [], 'the audit log gained only refusals');
});

test('a field is refused even alongside valid ones, and a field name is shown escaped', async () => {
  const sw = sessions.social_worker;
  const before = await rowCounts();
  const r = await sw.request('POST', `/children/${child.id}/notes/new`, {
    form: { csrf_token: sw.csrf, text: 'Seen at school, well.', 'at-day': '', '<b>x</b>': '1' },
    csrf: false,
  });
  assert.equal(r.status, 422);
  assert.ok(r.text.includes('does not expect: &lt;b&gt;x&lt;/b&gt;'), 'named, escaped');
  assert.ok(!r.text.includes('<b>x</b>'));
  assert.deepEqual(await rowCounts(), before);
});

test('recording a child through /children/new still works', async () => {
  const sw = sessions.social_worker;
  const before = await sh.scalar('SELECT count(*) AS n FROM children');
  const r = await sw.request('POST', '/children/new', {
    form: {
      csrf_token: sw.csrf,
      first_name: 'Nia',
      last_name: 'Formfield',
      aliases: '',
      'date_of_birth-day': '3',
      'date_of_birth-month': '4',
      'date_of_birth-year': '2012',
      gender: 'female',
      ethnicity: 'WBRI',
      address: '',
      postcode: '',
      nhs_number: '',
      school: '',
      looked_after: 'no',
      'placement.legal_status': '',
      'placement.type': '',
      'placement.start_date-day': '',
      'placement.start_date-month': '',
      'placement.start_date-year': '',
      'placement.placing_authority': '',
      'placement.host_authority': '',
    },
    csrf: false,
  });
  assert.equal(r.status, 303, r.describe());
  assert.match(r.headers.location, /^\/children\/[^/?]+\?created=1$/);
  assert.equal(await sh.scalar('SELECT count(*) AS n FROM children'), before + 1);
});

test('adding a case note, with indicators ticked, still works', async () => {
  const sw = sessions.social_worker;
  const before = await sh.scalar('SELECT count(*) AS n FROM case_notes');
  const body = new URLSearchParams([
    ['csrf_token', sw.csrf],
    ['childs_words', ''],
    ['text', 'Met at school; talked about the weekend.'],
    ['at-day', ''],
    ['at-month', ''],
    ['at-year', ''],
    ['at-time', ''],
    ['indicators', 'V01'],
    ['indicators', 'V02'],
  ]).toString();
  const r = await sw.request('POST', `/children/${child.id}/notes/new`, {
    body,
    contentType: 'application/x-www-form-urlencoded',
    csrf: false,
  });
  assert.equal(r.status, 303, r.describe());
  assert.equal(r.headers.location, `/children/${child.id}/notes?done=note`);
  assert.equal(await sh.scalar('SELECT count(*) AS n FROM case_notes'), before + 1);
});

test('recording a missing episode still works', async () => {
  const sw = sessions.social_worker;
  const r = await sw.request('POST', `/children/${child.id}/missing-episodes/new`, {
    form: {
      csrf_token: sw.csrf,
      'went_missing_at-day': '2',
      'went_missing_at-month': '3',
      'went_missing_at-year': '2024',
      'went_missing_at-time': '18:30',
      reported_to_police: 'yes',
      'returned_at-day': '',
      'returned_at-month': '',
      'returned_at-year': '',
      'returned_at-time': '',
      where_found: '',
      with_whom: '',
    },
    csrf: false,
  });
  assert.equal(r.status, 303, r.describe());
  assert.equal(r.headers.location, `/children/${child.id}/missing-episodes?done=recorded`);
});

test('the server stops cleanly', async () => {
  assert.equal((await sh.stop()).code, 0);
});
