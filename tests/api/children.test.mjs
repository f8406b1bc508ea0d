// Children's records through the API: create, read, patch (with If-Match) and search as the
// contract describes; validation that names each bad field; the bad-input
// statuses (400 malformed or not UTF-8, 413 too large, 415 wrong type, 422
// invalid, duplicate and undeclared query parameters) with nothing written on
// any refusal; and need-to-know access (404 and counted-only search results
// for agencies not involved).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  Safehub,
  rawRequest,
  streamingRequest,
  addPartnership,
  childBody,
  nhsNumber,
  badNhsNumber,
  uniqueName,
} from '../lib/index.mjs';

let sh;
let users;
const as = {};

before(async () => {
  sh = await Safehub.create();
  users = await addPartnership(sh, ['social_worker', 'police', 'cse_worker', 'referrer', 'mash', 'manager', 'director']);
  await sh.start();
  for (const role of Object.keys(users)) as[role] = await sh.login(users[role]);
});

after(async () => {
  await sh?.destroy();
});

/** Row counts of every table a child's record touches (nothing may change on a refusal). */
async function childTables() {
  const rows = await sh.query(
    'SELECT (SELECT count(*) FROM children) AS children, (SELECT count(*) FROM child_search) AS search_keys, ' +
      '(SELECT count(*) FROM child_involvement) AS involvement, (SELECT coalesce(sum(version), 0) FROM children) AS versions',
  );
  return Object.fromEntries(Object.entries(rows[0]).map(([k, v]) => [k, Number(v)]));
}

/** D as YYYY-MM-DD (UTC). */
function isoDate(d) {
  return d.toISOString().slice(0, 10);
}

test('POST creates a child (201, normalised), GET reads it back, and the creator\'s agency is involved', async () => {
  const nhs = nhsNumber();
  const body = childBody({
    first_name: '  Ava  ',
    aliases: ['  Avi '],
    postcode: 'hf5 2ab',
    nhs_number: `${nhs.slice(0, 3)} ${nhs.slice(3, 6)} ${nhs.slice(6)}`,
    looked_after: true,
    placement: { legal_status: 'C2', type: 'U4', start_date: '2024-02-01', placing_authority: 'Holmford', host_authority: 'Elsewhere', out_of_area: true },
  });
  const r = await as.police.post('/api/v1/children', body);
  assert.equal(r.status, 201, r.describe());
  const c = r.json;
  assert.match(c.id, /^[A-Za-z0-9_-]+$/);
  assert.equal(c.first_name, 'Ava', 'names trimmed');
  assert.deepEqual(c.aliases, ['Avi']);
  assert.equal(c.postcode, 'HF5 2AB', 'postcode upper-cased and spaced');
  assert.equal(c.nhs_number, nhs, 'NHS number reduced to digits');
  assert.equal(c.ethnicity, 'WBRI');
  assert.equal(c.looked_after, true);
  assert.equal(c.placement.type, 'U4');
  assert.match(c.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  const g = await as.police.get(`/api/v1/children/${c.id}`);
  assert.equal(g.status, 200);
  assert.deepEqual(g.json, c);
  const inv = await sh.query(
    `SELECT a.code FROM child_involvement i JOIN agencies a ON a.id = i.agency_id WHERE i.child_id = '${c.id}'`,
  );
  assert.deepEqual(inv.map((x) => x.code), ['HFP'], "the creator's agency is involved");
  // ...so the police see it, and an agency not involved does not.
  assert.equal((await as.social_worker.get(`/api/v1/children/${c.id}`)).status, 404);
});

test('PATCH with If-Match changes only the version named: 412 and nothing written when the record has moved on', async () => {
  const c = (await as.social_worker.post('/api/v1/children', childBody())).json;
  const patch = (body, ifMatch) =>
    as.social_worker.patch(`/api/v1/children/${c.id}`, body, ifMatch === undefined ? {} : { headers: { 'If-Match': ifMatch } });
  let r = await patch({ school: 'Holmford High' }, `"${c.version}"`);
  assert.equal(r.status, 200, r.describe());
  assert.equal(r.json.version, c.version + 1);
  assert.equal(r.headers.etag, `"${c.version + 1}"`, 'the new version as the ETag');
  const before = await childTables();
  const seq = await sh.scalar('SELECT coalesce(max(seq), 0) AS s FROM audit_log');
  r = await patch({ school: 'Another School' }, `"${c.version}"`);
  assert.equal(r.status, 412, r.describe());
  assert.equal(r.errorCode, 'precondition_failed');
  assert.deepEqual(await childTables(), before, 'nothing written from an old version');
  const refused = await sh.query(`SELECT outcome FROM audit_log WHERE seq > ${seq} AND action = 'child.update' AND object_id = '${c.id}'`);
  assert.deepEqual(refused.map((x) => x.outcome), ['conflict'], 'the refusal audited');
  for (const bad of ['W/"2"', '2', '"two"', '"0"', '""']) {
    r = await patch({ school: 'Another School' }, bad);
    assert.equal(r.status, 400, `${bad}: ${r.describe()}`);
  }
  assert.deepEqual(await childTables(), before, 'nothing written by malformed preconditions');
  r = await patch({ school: 'Any Version School' }, '*');
  assert.equal(r.status, 200, 'any version');
  r = await patch({ school: 'No Precondition' });
  assert.equal(r.status, 200, 'without If-Match, as before');
  assert.equal(r.json.version, c.version + 3);
});

test('PATCH changes only the fields given, null clears an optional one, and the version counts', async () => {
  const c = (await as.social_worker.post('/api/v1/children', childBody())).json;
  let r = await as.social_worker.patch(`/api/v1/children/${c.id}`, { school: 'Holmford High', postcode: 'hf1 1aa' });
  assert.equal(r.status, 200, r.describe());
  assert.equal(r.json.school, 'Holmford High');
  assert.equal(r.json.postcode, 'HF1 1AA');
  assert.equal(r.json.first_name, c.first_name, 'untouched fields stay');
  assert.equal(r.json.nhs_number, c.nhs_number);
  assert.equal(r.json.version, c.version + 1);
  r = await as.social_worker.patch(`/api/v1/children/${c.id}`, { school: null, aliases: ['Ally'] });
  assert.equal(r.status, 200);
  assert.equal(r.json.school, null);
  assert.deepEqual(r.json.aliases, ['Ally']);
  const before = await childTables();
  for (const [patch, field] of [
    [{ first_name: null }, 'first_name'],
    [{ ethnicity: '' }, 'ethnicity'],
    [{ postcode: 'nowhere' }, 'postcode'],
    [{ id: 'ch_other' }, 'id'],
    [{ placement: { type: 'U4' } }, 'placement'],
    [{ looked_after: 'yes' }, 'looked_after'],
  ]) {
    const bad = await as.social_worker.patch(`/api/v1/children/${c.id}`, patch);
    assert.equal(bad.status, 422, `${JSON.stringify(patch)}: ${bad.describe()}`);
    assert.ok(bad.json.error.fields[field], `${field} named: ${bad.text}`);
  }
  assert.deepEqual(await childTables(), before, 'nothing written by refused patches');
  const now = await as.social_worker.get(`/api/v1/children/${c.id}`);
  assert.equal(now.json.version, c.version + 2);
  const absent = await as.manager.patch('/api/v1/children/ch_doesnotexist', { school: 'X' });
  assert.equal(absent.status, 404);
});

test('validation answers 422 naming each bad field, all at once', async () => {
  const before = await childTables();
  const future = new Date(Date.now() + 3 * 86400000);
  const bad = childBody({
    favourite_colour: 'red',
    nhs_number: badNhsNumber(nhsNumber()),
    postcode: 'HF5 2CI',
    date_of_birth: isoDate(future),
    ethnicity: 'XXXX',
    gender: 'robot',
    looked_after: 'yes',
    aliases: 'Ally',
    school: 42,
  });
  delete bad.last_name;
  const r = await as.social_worker.post('/api/v1/children', bad);
  assert.equal(r.status, 422, r.describe());
  assert.equal(r.json.error.code, 'invalid_fields');
  const fields = r.json.error.fields;
  for (const f of ['favourite_colour', 'nhs_number', 'postcode', 'date_of_birth', 'ethnicity', 'gender', 'looked_after', 'aliases', 'school', 'last_name']) {
    assert.equal(typeof fields[f], 'string', `${f} is named: ${JSON.stringify(fields)}`);
    assert.ok(fields[f].length > 3, `${f} says why`);
  }
  assert.match(fields.date_of_birth, /future/);
  assert.match(fields.favourite_colour, /not a recognised field/);
  assert.equal(Object.keys(fields).length, 10, `no other field blamed: ${JSON.stringify(fields)}`);
  assert.deepEqual(await childTables(), before);
});

test('single bad values are each refused by name', async () => {
  const before = await childTables();
  const cases = [
    [{ nhs_number: badNhsNumber(nhsNumber()) }, 'nhs_number'],
    [{ nhs_number: '99912345' }, 'nhs_number'],
    [{ postcode: 'SW1A 1AAA' }, 'postcode'],
    [{ postcode: 'QQ1 1AA' }, 'postcode'],
    [{ date_of_birth: isoDate(new Date(Date.now() + 400 * 86400000)) }, 'date_of_birth'],
    [{ date_of_birth: '2015-02-30' }, 'date_of_birth'],
    [{ date_of_birth: '17/05/2011' }, 'date_of_birth'],
    [{ ethnicity: '' }, 'ethnicity'],
    [{ ethnicity: '   ' }, 'ethnicity'],
    [{ ethnicity: null }, 'ethnicity'],
    [{ ethnicity: 'White British' }, 'ethnicity'],
    [{ ethnicity: 'wbri' }, 'ethnicity'],
    [{ first_name: '' }, 'first_name'],
    [{ first_name: 'A\u0007B' }, 'first_name'],
    [{ first_name: 'x'.repeat(101) }, 'first_name'],
    [{ placement: { type: 'U4' } }, 'placement'],
    [{ looked_after: true, placement: { type: 'ZZ' } }, 'placement.type'],
    [{ looked_after: true, placement: { colour: 'blue' } }, 'placement.colour'],
  ];
  for (const [override, field] of cases) {
    const r = await as.social_worker.post('/api/v1/children', childBody(override));
    assert.equal(r.status, 422, `${JSON.stringify(override)}: ${r.describe()}`);
    assert.ok(r.json.error.fields[field], `${JSON.stringify(override)} names ${field}: ${r.text}`);
  }
  // A placement needs looked_after: true, whether looked_after is false or left out.
  const noFlag = childBody({ placement: { type: 'U4' } });
  delete noFlag.looked_after;
  const pl = await as.social_worker.post('/api/v1/children', noFlag);
  assert.equal(pl.status, 422, `placement without looked_after: ${pl.describe()}`);
  assert.ok(pl.json.error.fields.placement);
  const missing = childBody();
  delete missing.ethnicity;
  const r = await as.social_worker.post('/api/v1/children', missing);
  assert.equal(r.status, 422);
  assert.match(r.json.error.fields.ethnicity, /required/, 'ethnicity may not be left out');
  assert.deepEqual(await childTables(), before);
});

test('ethnicity NOBT (not yet obtained) and REFU (refused) are accepted, and every census code', async () => {
  for (const code of ['NOBT', 'REFU', 'WBRI', 'WIRT', 'MWBC', 'APKN', 'BAFR', 'CHNE', 'OOTH']) {
    const r = await as.social_worker.post('/api/v1/children', childBody({ ethnicity: code }));
    assert.equal(r.status, 201, `${code}: ${r.describe()}`);
    assert.equal(r.json.ethnicity, code);
  }
});

test('malformed JSON, non-object JSON, duplicate keys and invalid UTF-8 are 400 and write nothing', async () => {
  const before = await childTables();
  const good = JSON.stringify(childBody());
  const bodies = [
    ['truncated', Buffer.from(good.slice(0, -5))],
    ['not JSON', Buffer.from('first_name=Ava')],
    ['trailing garbage', Buffer.from(`${good} x`)],
    ['array', Buffer.from(`[${good}]`)],
    ['string', Buffer.from('"Ava"')],
    ['number', Buffer.from('42')],
    ['null', Buffer.from('null')],
    ['duplicate key', Buffer.from(good.replace('{', '{"first_name":"Eve",'))],
    ['invalid UTF-8 in a value', Buffer.concat([Buffer.from(good.slice(0, 15)), Buffer.from([0xc3, 0x28]), Buffer.from(good.slice(15))])],
    ['overlong UTF-8', Buffer.from(good.replace('Holmford Academy', 'Holmford \u0001Academy')).map((b) => (b === 1 ? 0xc0 : b))],
    ['UTF-8 surrogate', Buffer.concat([Buffer.from('{"first_name":"'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('","last_name":"X","ethnicity":"WBRI"}')])],
    ['bare continuation byte', Buffer.concat([Buffer.from('{"first_name":"A'), Buffer.from([0x80]), Buffer.from('","last_name":"X","ethnicity":"WBRI"}')])],
    ['empty body', Buffer.alloc(0)],
  ];
  for (const [what, body] of bodies) {
    const r = await as.social_worker.post('/api/v1/children', undefined, { body, contentType: 'application/json' });
    assert.equal(r.status, 400, `${what}: ${r.describe()}`);
    assert.ok(['malformed_json', 'invalid_encoding'].includes(r.json.error.code), `${what}: ${r.json.error.code}`);
    if (what.includes('UTF-8') || what.includes('continuation')) assert.equal(r.json.error.code, 'invalid_encoding', what);
  }
  const patch = await as.social_worker.patch('/api/v1/children/ch_whatever', undefined, { body: '{"school":', contentType: 'application/json' });
  assert.equal(patch.status, 400);
  assert.deepEqual(await childTables(), before);
});

test('a body in the wrong media type is 415 and writes nothing', async () => {
  const before = await childTables();
  const json = JSON.stringify(childBody());
  for (const ct of ['text/plain', 'application/x-www-form-urlencoded', 'application/jsonx', 'multipart/form-data; boundary=x']) {
    const r = await as.social_worker.post('/api/v1/children', undefined, { body: json, contentType: ct });
    assert.equal(r.status, 415, `${ct}: ${r.describe()}`);
  }
  const none = await as.social_worker.post('/api/v1/children', undefined, { body: json });
  assert.equal(none.status, 415, 'no Content-Type at all');
  const charset = await as.social_worker.post('/api/v1/children', undefined, { body: json, contentType: 'application/json; charset=utf-8' });
  assert.equal(charset.status, 201, 'a charset parameter is fine');
  const after = await childTables();
  assert.equal(after.children, before.children + 1);
});

/** Sends BODY chunked (no Content-Length), as a client that does not know the size would. */
async function sendChunked(client, path, body) {
  const { req, response } = streamingRequest(`${client.baseUrl}${path}`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      ...(client.cookies.size ? { Cookie: client.cookieHeader(), 'X-CSRF-Token': client.csrf } : {}),
    },
  });
  for (let i = 0; i < body.length; i += 65536) req.write(body.subarray(i, i + 65536));
  req.end();
  return response;
}

/** A valid child as JSON padded with spaces to exactly SIZE bytes. */
function paddedChild(size) {
  const json = JSON.stringify(childBody());
  return Buffer.from(json.slice(0, -1) + ' '.repeat(size - json.length) + '}');
}

test('bodies over max_body (1 MiB by default) are 413, at the limit they are read, and nothing is written', async () => {
  const before = await childTables();
  const limit = 1024 * 1024;
  const over = await sendChunked(as.social_worker, '/api/v1/children', paddedChild(limit + 1));
  assert.equal(over.status, 413, over.describe());
  assert.equal(over.json.error.code, 'too_large');
  // With its length declared up front, the body is refused before it is sent.
  const declared = streamingRequest(`${sh.url}/api/v1/children`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      'Content-Length': String(limit + 1),
      Expect: '100-continue',
      Cookie: as.social_worker.cookieHeader(),
      'X-CSRF-Token': as.social_worker.csrf,
    },
  });
  const withLength = await declared.response;
  declared.req.destroy();
  assert.equal(withLength.status, 413);
  assert.deepEqual(await childTables(), before);
  const at = await sendChunked(as.social_worker, '/api/v1/children', paddedChild(limit));
  assert.equal(at.status, 201, `exactly 1 MiB is allowed: ${at.describe()}`);
  const big = await sendChunked(sh.client(), '/api/v1/session', paddedChild(limit + 4096));
  assert.equal(big.status, 413, 'the limit holds before sign-in too');
});

test('a smaller SAFEHUB_MAX_BODY is enforced the same way', async () => {
  const small = await Safehub.create();
  try {
    await small.addAgency('HFCSC', 'social_care');
    const u = await small.addUser({ username: 'small.sw', role: 'social_worker', agency: 'HFCSC' });
    await small.start({ env: { SAFEHUB_MAX_BODY: '1024' } });
    const c = await small.login(u);
    const r1 = await sendChunked(c, '/api/v1/children', paddedChild(1025));
    assert.equal(r1.status, 413);
    const r2 = await sendChunked(c, '/api/v1/children', paddedChild(1024));
    assert.equal(r2.status, 201, r2.describe());
    assert.equal(await small.scalar('SELECT count(*) AS n FROM children'), 1);
    await small.stop();
  } finally {
    await small.destroy();
  }
});

test('query parameters: a repeated one is 400, an undeclared one 422 by name, and nothing is searched', async () => {
  const before = await sh.scalar("SELECT count(*) AS n FROM audit_log WHERE action = 'child.search'");
  const dup = await as.manager.get('/api/v1/children?q=ava&q=quill');
  assert.equal(dup.status, 400, dup.describe());
  assert.equal(dup.json.error.code, 'duplicate_parameter');
  const undeclared = await as.manager.get('/api/v1/children?q=ava&sort=name');
  assert.equal(undeclared.status, 422);
  assert.ok(undeclared.json.error.fields.sort);
  assert.equal(Object.keys(undeclared.json.error.fields).length, 1);
  const onRecord = await as.manager.get('/api/v1/children/ch_anything?expand=all');
  assert.equal(onRecord.status, 422);
  assert.ok(onRecord.json.error.fields.expand);
  const badUtf8 = await as.manager.get('/api/v1/children?q=%C3%28');
  assert.equal(badUtf8.status, 400);
  const tooShort = await as.manager.get('/api/v1/children?q=a');
  assert.equal(tooShort.status, 422);
  assert.ok(tooShort.json.error.fields.q);
  const unsafeWithQuery = await as.social_worker.post('/api/v1/children?draft=1', childBody());
  assert.equal(unsafeWithQuery.status, 422, 'unsafe routes take no undeclared parameters either');
  const after = await sh.scalar("SELECT count(*) AS n FROM audit_log WHERE action = 'child.search'");
  assert.equal(after, before, 'no search ran');
});

test('search finds a child by name, alias, date of birth in two formats, postcode (full or partial) and NHS number', async () => {
  const first = uniqueName('Mira');
  const last = uniqueName('Thorn');
  const alias = uniqueName('Bex');
  const nhs = nhsNumber();
  const child = (
    await as.social_worker.post(
      '/api/v1/children',
      childBody({ first_name: first, last_name: last, aliases: [alias], date_of_birth: '2012-03-04', postcode: 'HF7 9QT', nhs_number: nhs }),
    )
  ).json;
  const decoy = (
    await as.social_worker.post(
      '/api/v1/children',
      childBody({ first_name: first, last_name: uniqueName('Other'), date_of_birth: '2013-08-09', postcode: 'HF8 1AA' }),
    )
  ).json;
  const ids = async (q) => {
    const r = await as.social_worker.get(`/api/v1/children?q=${encodeURIComponent(q)}`);
    assert.equal(r.status, 200, `${q}: ${r.describe()}`);
    assert.equal(r.json.restricted_matches, 0);
    return r.json.children.map((c) => c.id).sort();
  };
  const both = [child.id, decoy.id].sort();
  assert.deepEqual(await ids(first), both, 'first name');
  assert.deepEqual(await ids(first.toLowerCase()), both, 'any case');
  assert.deepEqual(await ids(first.slice(0, 6)), both, 'a name prefix');
  assert.deepEqual(await ids(last), [child.id], 'last name');
  assert.deepEqual(await ids(alias), [child.id], 'alias');
  assert.deepEqual(await ids(`${first} ${last}`), [child.id], 'full name: every term must match');
  assert.deepEqual(await ids(`${first} 2012-03-04`), [child.id], 'name and date of birth');
  assert.deepEqual(await ids('2012-03-04').then((l) => l.includes(child.id)), true, 'date of birth YYYY-MM-DD');
  assert.deepEqual(await ids(`${first} 04/03/2012`), [child.id], 'date of birth DD/MM/YYYY');
  assert.ok((await ids('04/03/2012')).includes(child.id));
  assert.ok(!(await ids('03/04/2012')).includes(child.id), 'DD/MM, not MM/DD');
  assert.deepEqual(await ids(`${first} HF7 9QT`), [child.id], 'full postcode');
  assert.deepEqual(await ids(`${first} hf79qt`), [child.id], 'postcode without the space, any case');
  assert.deepEqual(await ids(`${first} HF7`), [child.id], 'partial postcode (outward code)');
  assert.deepEqual(await ids(`${first} HF8`), [decoy.id]);
  assert.ok((await ids('HF7 9')).includes(child.id), 'partial postcode with sector');
  assert.deepEqual(await ids(nhs), [child.id], 'NHS number');
  assert.deepEqual(await ids(`${nhs.slice(0, 3)} ${nhs.slice(3, 6)} ${nhs.slice(6)}`), [child.id], 'NHS number with spaces');
  assert.deepEqual(await ids(uniqueName('Nobody')), [], 'no match');
  const summary = (await as.social_worker.get(`/api/v1/children?q=${last}`)).json.children[0];
  assert.equal(summary.first_name, first);
  assert.equal(summary.date_of_birth, '2012-03-04');
  assert.ok(!('address' in summary) && !('nhs_number' in summary), 'search results are summaries');
});

test('need-to-know: an agency not involved gets 404 and a search that only counts the child', async () => {
  const first = uniqueName('Kit');
  const last = uniqueName('Rowan');
  const c = (await as.social_worker.post('/api/v1/children', childBody({ first_name: first, last_name: last, postcode: 'HF3 4GH' }))).json;
  const absent = await as.police.get('/api/v1/children/ch_doesnotexist000');
  for (const role of ['police', 'cse_worker', 'referrer']) {
    const g = await as[role].get(`/api/v1/children/${c.id}`);
    assert.equal(g.status, 404, `${role} is not involved`);
    assert.deepEqual(g.json, absent.json, `${role}: the same answer as for a child that does not exist`);
    const s = await as[role].get(`/api/v1/children?q=${last}`);
    assert.equal(s.status, 200);
    assert.deepEqual(s.json.children, [], `${role}: no details`);
    assert.equal(s.json.restricted_matches, 1, `${role}: the child is known`);
    for (const secret of [c.id, first, last, c.nhs_number, 'HF3 4GH', c.date_of_birth]) {
      assert.ok(!s.text.includes(secret), `${role}: search reveals nothing of ${secret}`);
    }
    const p = await as[role].patch(`/api/v1/children/${c.id}`, { school: 'Changed' });
    assert.equal(p.status, role === 'referrer' ? 403 : 404, `${role}: PATCH ${p.describe()}`);
  }
  assert.equal((await as.social_worker.get(`/api/v1/children/${c.id}`)).json.version, 1, 'not changed');
  for (const role of ['mash', 'manager', 'director', 'social_worker']) {
    const g = await as[role].get(`/api/v1/children/${c.id}`);
    assert.equal(g.status, 200, `${role} sees the child`);
    const s = await as[role].get(`/api/v1/children?q=${last}`);
    assert.deepEqual(s.json.children.map((x) => x.id), [c.id], role);
    assert.equal(s.json.restricted_matches, 0);
  }
  const denied = await sh.scalar(
    `SELECT count(*) AS n FROM audit_log WHERE action = 'child.read' AND outcome = 'denied' AND object_id = '${c.id}'`,
  );
  assert.equal(denied, 3, 'each refused read is audited');
});

test('the record of a child created by the police is open to the police but not to social care', async () => {
  const c = (await as.police.post('/api/v1/children', childBody())).json;
  assert.equal((await as.police.get(`/api/v1/children/${c.id}`)).status, 200);
  assert.equal((await as.social_worker.get(`/api/v1/children/${c.id}`)).status, 404);
  assert.equal((await as.mash.get(`/api/v1/children/${c.id}`)).status, 200);
});

test('ids that are not plausible never reach a handler', async () => {
  for (const id of ['..%2F..%2Fetc', 'a.b', '%00', 'x'.repeat(200)]) {
    const r = await as.manager.get(`/api/v1/children/${id}`);
    assert.equal(r.status, 404, `${id}: ${r.describe()}`);
  }
});

test('the server stops cleanly', async () => {
  assert.equal((await sh.stop()).code, 0);
});
