// Intelligence through the API, on the real server: people, vehicles,
// phones, places and online accounts recorded (normalised, labelled, the
// same vehicle, phone or account recorded by two agencies kept as one
// record), refused with 422 naming each field; graded intelligence (3x5x2
// and the older 5x5x5) with handling conditions required, refused, and shown
// in every answer that shows an item; links to records that do not exist
// and to children the recorder may not open refused alike, writing nothing;
// a child linked: the recorder's agency involved and a chronology entry that
// gives the grade, never the text; a child not open to the reader shown as
// restricted without a name; reads, searches and writes audited without
// summaries or names; and the roles that may record, read, or neither.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Safehub, addAgencies, childBody } from '../lib/index.mjs';

let sh;
const u = {};
const as = {};
const RESTRICTED = 'A child (record not open to you)';

before(async () => {
  sh = await Safehub.create({ env: { SAFEHUB_TOTP_ROLES: '' } });
  await addAgencies(sh);
  const people = {
    police: ['i.police', 'police', 'HFP'],
    police2: ['i.police2', 'police', 'HFP'],
    cse: ['i.cse', 'cse_worker', 'HFYPP'],
    analyst: ['i.analyst', 'analyst', 'HFP'],
    mash: ['i.mash', 'mash', 'HFCSC'],
    mashPolice: ['i.mash-police', 'mash', 'HFP'],
    manager: ['i.manager', 'manager', 'HFCSC'],
    director: ['i.director', 'director', 'HFCSC'],
    sw: ['i.sw', 'social_worker', 'HFCSC'],
    referrer: ['i.referrer', 'referrer', 'HFEDU'],
    strategic: ['i.strategic', 'strategic', 'HFCSC'],
    auditor: ['i.auditor', 'auditor', 'HFCSC'],
    admin: ['i.admin', 'admin', 'HFCSC'],
  };
  for (const [k, [username, role, agency]] of Object.entries(people)) u[k] = await sh.addUser({ username, role, agency });
  await sh.start();
  for (const k of Object.keys(u)) as[k] = await sh.login(u[k]);
});

after(async () => {
  await sh?.destroy();
});

const q = (s) => String(s).replace(/'/g, "''");

/** A person's body with every required field, OVERRIDES applied. */
const person = (overrides = {}) => ({
  type: 'person',
  first_name: 'Tariq',
  last_name: 'Holloway',
  ethnicity_self: 'W1',
  ethnicity_observed: 'IC1',
  nationality: 'GB',
  ...overrides,
});

/** Records entity BODY as CLIENT; asserts 201 and returns it. */
async function entity(client, body) {
  const r = await client.post('/api/v1/entities', body);
  assert.equal(r.status, 201, r.describe());
  return r.json;
}

/** A new child recorded by the social worker (children's social care involved, nobody else). */
async function newChild() {
  const r = await as.sw.post('/api/v1/children', childBody());
  assert.equal(r.status, 201, r.describe());
  return r.json;
}

/** Row counts of everything recording intelligence writes. */
async function counts() {
  const row = (
    await sh.query(
      'SELECT (SELECT count(*) FROM entities) AS entities, (SELECT count(*) FROM intelligence) AS intelligence, ' +
        '(SELECT count(*) FROM intel_links) AS links, (SELECT count(*) FROM chronology) AS chronology, ' +
        '(SELECT count(*) FROM child_involvement) AS involvement',
    )
  )[0];
  return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, Number(v)]));
}

/** The audit entries after sequence SEQ with ACTION, oldest first. */
async function auditSince(seq, action) {
  return sh.query(`SELECT actor, action, object_type, object_id, outcome, details FROM audit_log WHERE seq > ${seq} AND action = '${action}' ORDER BY seq`);
}

const lastSeq = () => sh.scalar('SELECT coalesce(max(seq), 0) AS s FROM audit_log');

test('each type of entity is recorded, normalised and labelled, and read back', async () => {
  const seq = await lastSeq();
  const p = await entity(as.police, person({ aliases: ['Taz'], approximate_age: 34, gender: 'male', description: 'Tall, scar on left hand', postcode: 'hf5 2ab' }));
  assert.match(p.id, /^en_[a-z0-9]{20}$/);
  assert.equal(p.type, 'person');
  assert.equal(p.label, 'Tariq Holloway');
  assert.equal(p.ethnicity_self, 'W1');
  assert.equal(p.ethnicity_observed, 'IC1');
  assert.equal(p.nationality, 'GB');
  assert.equal(p.postcode, 'HF5 2AB');
  assert.deepEqual(p.aliases, ['Taz']);
  assert.equal(p.created_by, 'i.police');
  assert.equal(p.agency, 'HFP');
  assert.equal(p.existing, false);
  assert.match(p.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  const v = await entity(as.police, { type: 'vehicle', registration: 'ab12 cde', make: 'Ford', model: 'Focus', colour: 'Silver' });
  assert.equal(v.registration, 'AB12CDE');
  assert.equal(v.label, 'Ford Focus AB12 CDE');
  const ph = await entity(as.cse, { type: 'phone', number: '+44 7700 900123' });
  assert.equal(ph.number, '07700900123');
  assert.equal(ph.label, '07700900123');
  assert.equal(ph.agency, 'HFYPP');
  const loc = await entity(as.analyst, { type: 'location', name: 'Kebab Palace', kind: 'takeaway', postcode: 'hf1 1aa', address: '3 Market Street' });
  assert.equal(loc.kind, 'takeaway');
  assert.equal(loc.postcode, 'HF1 1AA');
  assert.equal(loc.label, 'Kebab Palace, HF1 1AA');
  const acc = await entity(as.mash, { type: 'online_account', platform: ' SnapChat ', handle: '@tazz_h' });
  assert.equal(acc.platform, 'snapchat');
  assert.equal(acc.label, '@tazz_h (snapchat)');
  // Only the person carries the fields the problem profile counts.
  const rows = await sh.query(`SELECT id, type, key, ethnicity_self, ethnicity_observed, nationality, location_kind FROM entities WHERE id IN ('${p.id}', '${v.id}', '${ph.id}', '${loc.id}', '${acc.id}') ORDER BY type`);
  const byType = Object.fromEntries(rows.map((r) => [r.type, r]));
  assert.equal(byType.person.key, null, 'people are never merged by a key');
  assert.equal(byType.person.ethnicity_self, 'W1');
  assert.equal(byType.person.nationality, 'GB');
  assert.equal(byType.vehicle.key, 'VRM:AB12CDE');
  assert.equal(byType.phone.key, 'TEL:07700900123');
  assert.equal(byType.online_account.key, 'ACC:snapchat:tazz_h');
  assert.equal(byType.location.location_kind, 'takeaway');
  assert.equal(byType.vehicle.ethnicity_self, null);
  // Read back by every reading role, with (so far) no intelligence and no links.
  for (const role of ['mash', 'cse', 'police', 'analyst', 'manager', 'director']) {
    const r = await as[role].get(`/api/v1/entities/${v.id}`);
    assert.equal(r.status, 200, `${role}: ${r.describe()}`);
    assert.equal(r.json.label, 'Ford Focus AB12 CDE');
    assert.deepEqual(r.json.intelligence, []);
    assert.deepEqual(r.json.links, []);
  }
  assert.equal((await as.police.get('/api/v1/entities/en_doesnotexist00000000')).status, 404);
  const created = await auditSince(seq, 'entity.create');
  assert.deepEqual(created.map((a) => [a.object_id, a.outcome]), [p.id, v.id, ph.id, loc.id, acc.id].map((id) => [id, 'ok']));
  for (const a of created) assert.doesNotMatch(a.details, /Tariq|Holloway|AB12|7700|Kebab|tazz/);
  const reads = await auditSince(seq, 'entity.read');
  assert.equal(reads.filter((a) => a.object_id === v.id && a.outcome === 'ok').length, 6);
  assert.equal(reads.filter((a) => a.outcome === 'not_found').length, 1);
});

test('refused with 422 naming each field, audited, and nothing written', async () => {
  const before = await counts();
  const seq = await lastSeq();
  const cases = [
    [person({ shoe_size: 9 }), 'shoe_size', /not a recognised field/],
    [person({ ethnicity_self: undefined }), 'ethnicity_self', /is required/],
    [person({ ethnicity_observed: undefined }), 'ethnicity_observed', /is required/],
    [person({ nationality: undefined }), 'nationality', /is required/],
    [person({ ethnicity_self: 'WBRI' }), 'ethnicity_self', /ONS 2021/],
    [person({ ethnicity_observed: 'IC9' }), 'ethnicity_observed', /IC1\.\.IC6/],
    [person({ nationality: 'gb' }), 'nationality', /ISO 3166-1/],
    [person({ nationality: 'British' }), 'nationality', /ISO 3166-1/],
    [person({ first_name: undefined, last_name: undefined }), 'first_name', /is required unless/],
    [person({ date_of_birth: '2999-01-01' }), 'date_of_birth', /future/],
    [person({ gender: 'm' }), 'gender', /one of/],
    [{ type: 'vehicle', registration: 'A' }, 'registration', /2 to 8 letters and digits/],
    [{ type: 'vehicle', registration: 'AB12-CDE!' }, 'registration', /letters and digits/],
    [{ type: 'vehicle' }, 'registration', /is required/],
    [{ type: 'phone', number: '12345' }, 'number', /UK number/],
    [{ type: 'phone', number: '07700900123', colour: 'red' }, 'colour', /not a recognised field/],
    [{ type: 'location', name: 'Park', kind: 'forest' }, 'kind', /one of/],
    [{ type: 'location', name: 'Park', kind: 'park', postcode: 'NOT A CODE' }, 'postcode', /UK postcode/],
    [{ type: 'online_account', platform: 'snapchat' }, 'handle', /is required/],
    [{ type: 'boat', name: 'Lady Jane' }, 'type', /one of: person, vehicle, phone, location, online_account/],
    [{ registration: 'AB12CDE' }, 'type', /is required/],
  ];
  for (const [body, field, why] of cases) {
    for (const k of Object.keys(body)) if (body[k] === undefined) delete body[k];
    const r = await as.police.post('/api/v1/entities', body);
    assert.equal(r.status, 422, `${JSON.stringify(body)}: ${r.describe()}`);
    assert.equal(r.errorCode, 'invalid_fields');
    assert.match(r.json.error.fields[field] || '', why, `${field} for ${JSON.stringify(body)}: ${r.describe()}`);
  }
  // Every problem at once.
  const all = await as.police.post('/api/v1/entities', { type: 'person', first_name: 'X', nickname: 'Y', ethnicity_observed: 'IC7' });
  assert.equal(all.status, 422);
  assert.deepEqual(Object.keys(all.json.error.fields).sort(), ['ethnicity_observed', 'ethnicity_self', 'nationality', 'nickname']);
  assert.deepEqual(await counts(), before, 'nothing written');
  const refused = await auditSince(seq, 'entity.create');
  assert.equal(refused.length, cases.length + 1);
  assert.ok(refused.every((a) => a.outcome === 'invalid'), 'each refusal audited as invalid');
  assert.match(refused[0].details, /shoe_size/, 'the fields are named');
});

test('the same vehicle, phone or account recorded again, by any agency, is the one record', async () => {
  const seq = await lastSeq();
  const v = await entity(as.police, { type: 'vehicle', registration: 'HF09 XYZ', make: 'Vauxhall', model: 'Astra' });
  const again = await as.cse.post('/api/v1/entities', { type: 'vehicle', registration: 'hf09xyz', colour: 'Blue' });
  assert.equal(again.status, 200, again.describe());
  assert.equal(again.json.existing, true);
  assert.equal(again.json.id, v.id);
  assert.equal(again.json.make, 'Vauxhall', 'the record as first made');
  assert.equal(again.json.colour, undefined, 'nothing new written');
  assert.equal(again.headers.location, `/api/v1/entities/${v.id}`);
  assert.equal(await sh.scalar("SELECT count(*) FROM entities WHERE key = 'VRM:HF09XYZ'"), 1);
  const ph = await entity(as.police, { type: 'phone', number: '07700 900456' });
  for (const number of ['+447700900456', '0044 7700 900456', '+44 (0)7700 900456']) {
    const r = await as.analyst.post('/api/v1/entities', { type: 'phone', number });
    assert.equal(r.status, 200, `${number}: ${r.describe()}`);
    assert.equal(r.json.id, ph.id);
    assert.equal(r.json.existing, true);
  }
  assert.equal(await sh.scalar("SELECT count(*) FROM entities WHERE key = 'TEL:07700900456'"), 1);
  const acc = await entity(as.police, { type: 'online_account', platform: 'Instagram', handle: 'Dan.K' });
  const r = await as.mash.post('/api/v1/entities', { type: 'online_account', platform: 'instagram', handle: '@dan.k' });
  assert.equal(r.status, 200, r.describe());
  assert.equal(r.json.id, acc.id);
  assert.equal(await sh.scalar("SELECT count(*) FROM entities WHERE key = 'ACC:instagram:dan.k'"), 1);
  // Two people of the same name are two people.
  const a = await entity(as.police, person({ first_name: 'Sam', last_name: 'Same' }));
  const b = await entity(as.police, person({ first_name: 'Sam', last_name: 'Same' }));
  assert.notEqual(a.id, b.id);
  const existing = (await auditSince(seq, 'entity.create')).filter((x) => x.outcome === 'existing');
  assert.deepEqual(existing.map((x) => x.object_id), [v.id, ph.id, ph.id, ph.id, acc.id], 'audited as existing');
});

test('search by label (any case) or by a registration or number however written; type filter; bad queries 422', async () => {
  const v = await entity(as.police, { type: 'vehicle', registration: 'LM64 QRS', make: 'Seat', model: 'Leon' });
  const ph = await entity(as.police, { type: 'phone', number: '07700 900789' });
  const p = await entity(as.police, person({ first_name: 'Leonora', last_name: 'Quist' }));
  const seq = await lastSeq();
  let r = await as.manager.get('/api/v1/entities?q=leon');
  assert.equal(r.status, 200, r.describe());
  const ids = r.json.results.map((x) => x.id);
  assert.ok(ids.includes(v.id) && ids.includes(p.id), JSON.stringify(r.json));
  assert.deepEqual(Object.keys(r.json.results[0]).sort(), ['id', 'label', 'type']);
  r = await as.manager.get('/api/v1/entities?q=leon&type=person');
  assert.deepEqual(r.json.results.map((x) => x.id), [p.id]);
  r = await as.police.get(`/api/v1/entities?q=${encodeURIComponent('lm64qrs')}`);
  assert.deepEqual(r.json.results.map((x) => x.id), [v.id], 'the registration without its space');
  r = await as.police.get(`/api/v1/entities?q=${encodeURIComponent('+44 7700 900789')}`);
  assert.deepEqual(r.json.results.map((x) => x.id), [ph.id], 'the number written another way');
  r = await as.police.get('/api/v1/entities?q=zzzznothing');
  assert.deepEqual(r.json.results, []);
  r = await as.police.get(`/api/v1/entities?q=${encodeURIComponent('%_')}`);
  assert.equal(r.status, 200, 'LIKE characters are searched for as themselves');
  assert.deepEqual(r.json.results, [], 'not as wildcards matching every label');
  for (const [path, field] of [['/api/v1/entities?q=a', 'q'], ['/api/v1/entities', 'q'], ['/api/v1/entities?q=leon&type=boat', 'type']]) {
    const bad = await as.police.get(path);
    assert.equal(bad.status, 422, `${path}: ${bad.describe()}`);
    assert.ok(bad.json.error.fields[field], `${path} names ${field}`);
  }
  const searches = await auditSince(seq, 'entity.search');
  assert.equal(searches.length, 6, 'each search audited');
  for (const s of searches) assert.doesNotMatch(s.details, /leon|lm64|7700/i, 'never the search text');
});

test('search ignores case and accents of Latin letters alike on both databases, and finds other scripts as typed', async () => {
  const pl = await entity(as.police, person({ first_name: 'Łukasz', last_name: 'Wójcik' }));
  const ar = await entity(as.police, person({ first_name: 'خالد', last_name: 'ميرزا' }));
  for (const q of ['lukasz', 'ŁUKASZ', 'WOJCIK', 'łukasz wójcik', 'Lukasz Wojcik']) {
    const r = await as.police.get(`/api/v1/entities?q=${encodeURIComponent(q)}&type=person`);
    assert.equal(r.status, 200, r.describe());
    assert.ok(r.json.results.some((x) => x.id === pl.id), `${q} finds ${pl.label}`);
  }
  const r = await as.police.get(`/api/v1/entities?q=${encodeURIComponent('ميرزا')}&type=person`);
  assert.deepEqual(r.json.results.map((x) => x.id), [ar.id], 'a name in Arabic script, as typed');
});

test('places at one postcode: the same name however written is one place; names in other scripts stay apart', async () => {
  const place = (name) => ({ type: 'location', name, kind: 'takeaway', postcode: 'HF9 9ZZ' });
  const a = await as.police.post('/api/v1/entities', place('Café Rose'));
  assert.equal(a.status, 201, a.describe());
  const again = await as.cse.post('/api/v1/entities', place('CAFE  ROSE'));
  assert.equal(again.status, 200, again.describe());
  assert.equal(again.json.id, a.json.id, 'case, accents and spaces aside, the same place');
  const ar1 = await as.police.post('/api/v1/entities', place('مطعم الوردة'));
  assert.equal(ar1.status, 201, ar1.describe());
  const ar2 = await as.police.post('/api/v1/entities', place('مطعم النخلة'));
  assert.equal(ar2.status, 201, 'another name in the same script is another place');
  assert.notEqual(ar2.json.id, ar1.json.id);
  const ar3 = await as.cse.post('/api/v1/entities', place('مطعم الوردة'));
  assert.equal(ar3.status, 200, 'the same name in Arabic script is the one place');
  assert.equal(ar3.json.id, ar1.json.id);
});

test('a form refused before the use case can run is audited as the use case audits its refusals', async () => {
  const seq = await lastSeq();
  const before = await counts();
  let r = await as.police.request('POST', '/entities/new', {
    form: {
      type: 'person', first_name: 'Datey', last_name: 'Mistake', 'date_of_birth-day': '31', 'date_of_birth-month': '2',
      'date_of_birth-year': '1990', gender: 'male', ethnicity_self: 'not_known', ethnicity_observed: 'not_known',
      nationality: 'not_known',
    },
  });
  assert.equal(r.status, 422, r.describe());
  let rows = await auditSince(seq, 'entity.create');
  assert.equal(rows.length, 1, 'the refusal audited');
  assert.equal(rows[0].outcome, 'invalid');
  assert.match(rows[0].details, /date_of_birth/);
  assert.doesNotMatch(rows[0].details, /Datey|Mistake/, 'never the values');
  r = await as.police.request('POST', '/intelligence/new', {
    form: { summary: 'Seen at the park', source_evaluation: '1', intelligence_assessment: 'B', handling_code: 'P', 'occurred_at-day': '40', 'occurred_at-month': '1', 'occurred_at-year': '2026' },
  });
  assert.equal(r.status, 422, r.describe());
  rows = await auditSince(seq, 'intel.create');
  assert.equal(rows.length, 1, 'the refusal audited');
  assert.equal(rows[0].outcome, 'invalid');
  assert.match(rows[0].details, /occurred_at/);
  assert.doesNotMatch(rows[0].details, /park/, 'never the summary');
  assert.deepEqual(await counts(), before, 'nothing written');
});

/** An item body graded 1B P (3x5x2) with LINKS. */
const item = (links = [], extra = {}) => ({
  summary: 'Seen together outside the takeaway at 23:00.\nDriver gave the girl a phone.',
  source_evaluation: '1',
  intelligence_assessment: 'B',
  handling_code: 'P',
  links,
  ...extra,
});

test('3x5x2 and 5x5x5 gradings, the grade in words, and handling conditions required, refused and shown everywhere', async () => {
  const p = await entity(as.police, person({ first_name: 'Grady', last_name: 'Norris' }));
  const v = await entity(as.police, { type: 'vehicle', registration: 'GR14 DED' });
  const seq = await lastSeq();
  const r1 = await as.police.post('/api/v1/intelligence', item([{ from: p.id, to: v.id, relation: 'drives' }]));
  assert.equal(r1.status, 201, r1.describe());
  const a = r1.json;
  assert.match(a.id, /^in_[a-z0-9]{20}$/);
  assert.equal(r1.headers.location, `/api/v1/intelligence/${a.id}`);
  assert.equal(a.grading, '3x5x2', '3x5x2 when not said');
  assert.equal(a.grade, '1B P');
  assert.deepEqual(a.grade_explained, {
    source: 'Reliable',
    intelligence: 'Known indirectly to the source but corroborated',
    handling: 'Lawful sharing permitted',
  });
  assert.equal(a.handling_conditions, null);
  assert.equal(a.summary, item().summary, 'multi-line text kept');
  assert.equal(a.recorded_by, 'i.police');
  assert.equal(a.agency, 'HFP');
  assert.equal(a.occurred_at, null);
  assert.deepEqual(a.links, [{ from: p.id, to: v.id, relation: 'drives', relation_label: 'drives', from_label: 'Grady Norris', to_label: 'GR14 DED', from_restricted: false, to_restricted: false }]);
  const conditions = 'Not to be shared with the family; police disclosure officer to be consulted first.';
  const r2 = await as.analyst.post('/api/v1/intelligence', item([{ from: p.id, to: v.id, relation: 'owns' }], {
    grading: '3x5x2', source_evaluation: '2', intelligence_assessment: 'C', handling_code: 'C', handling_conditions: `  ${conditions} `, occurred_at: '2026-01-15',
  }));
  assert.equal(r2.status, 201, r2.describe());
  assert.equal(r2.json.grade, '2C C');
  assert.equal(r2.json.handling_conditions, conditions, 'kept, trimmed');
  assert.equal(r2.json.grade_explained.handling, 'Lawful sharing permitted with conditions');
  assert.equal(r2.json.occurred_at, '2026-01-15T00:00:00Z');
  const r3 = await as.cse.post('/api/v1/intelligence', item([{ from: v.id, to: p.id, relation: 'transported' }], {
    grading: '5x5x5', source_evaluation: 'B', intelligence_assessment: '2', handling_code: '4', handling_conditions: 'Originator only.', occurred_at: '2024-03-02T21:15:00Z',
  }));
  assert.equal(r3.status, 201, r3.describe());
  assert.equal(r3.json.grading, '5x5x5');
  assert.equal(r3.json.grade, 'B2 4');
  assert.equal(r3.json.grade_explained.source, 'Mostly reliable');
  assert.equal(r3.json.handling_conditions, 'Originator only.');
  assert.equal(r3.json.occurred_at, '2024-03-02T21:15:00Z');
  const r4 = await as.mash.post('/api/v1/intelligence', item([], { grading: '5x5x5', source_evaluation: 'E', intelligence_assessment: '5', handling_code: '1' }));
  assert.equal(r4.status, 201, r4.describe());
  assert.equal(r4.json.grade, 'E5 1');
  assert.deepEqual(r4.json.links, []);
  // Conditions required with C (3x5x2) and 4 or 5 (5x5x5); refused otherwise; codes of the scheme only.
  const refusals = [
    [item([], { handling_code: 'C' }), 'handling_conditions', /is required/],
    [item([], { handling_code: 'C', handling_conditions: '   ' }), 'handling_conditions', /is required/],
    [item([], { handling_conditions: 'Do not share' }), 'handling_conditions', /must be left empty/],
    [item([], { grading: '5x5x5', source_evaluation: 'A', intelligence_assessment: '1', handling_code: '5' }), 'handling_conditions', /is required/],
    [item([], { grading: '5x5x5', source_evaluation: 'A', intelligence_assessment: '1', handling_code: '2', handling_conditions: 'x' }), 'handling_conditions', /must be left empty/],
    [item([], { source_evaluation: '4' }), 'source_evaluation', /1, 2 or 3/],
    [item([], { intelligence_assessment: 'F' }), 'intelligence_assessment', /A, B, C, D or E/],
    [item([], { handling_code: '4' }), 'handling_code', /P or C/],
    [item([], { grading: '5x5x5' }), 'source_evaluation', /A, B, C, D or E/],
    [item([], { grading: '4x4' }), 'grading', /3x5x2 or 5x5x5/],
    [item([], { summary: '   ' }), 'summary', /is required/],
    [item([], { summary: 'x'.repeat(8001) }), 'summary', /at most 8000/],
    [item([], { occurred_at: '2999-01-01' }), 'occurred_at', /future/],
    [item([], { occurred_at: '2999-01-01T00:00:00Z' }), 'occurred_at', /future/],
    [item([], { occurred_at: 'last Tuesday' }), 'occurred_at', /date/],
    [item([], { colour: 'red' }), 'colour', /not a recognised field/],
    [item([{ from: p.id, to: v.id, relation: 'knows' }]), 'links[0].relation', /one of the relations/],
    [item([{ from: p.id, to: p.id, relation: 'associates_with' }]), 'links[0].to', /another record/],
    [item([{ from: p.id, relation: 'drives' }]), 'links[0].to', /is required/],
  ];
  const before = await counts();
  for (const [body, field, why] of refusals) {
    const r = await as.police.post('/api/v1/intelligence', body);
    assert.equal(r.status, 422, `${field}: ${r.describe()}`);
    assert.match(r.json.error.fields[field] || '', why, `${field}: ${r.describe()}`);
  }
  assert.deepEqual(await counts(), before, 'nothing written');
  // Shown with its conditions in every answer: one, the list, the list about the person, the person's record.
  const one = await as.director.get(`/api/v1/intelligence/${r2.json.id}`);
  assert.equal(one.status, 200, one.describe());
  assert.equal(one.json.handling_conditions, conditions);
  assert.equal(one.json.grade, '2C C');
  const list = await as.manager.get('/api/v1/intelligence');
  assert.equal(list.status, 200);
  const inList = list.json.items.find((x) => x.id === r2.json.id);
  assert.equal(inList.handling_conditions, conditions);
  assert.equal(inList.grade_explained.handling, 'Lawful sharing permitted with conditions');
  const times = list.json.items.map((x) => x.recorded_at);
  assert.deepEqual(times, [...times].sort().reverse(), 'newest first');
  const about = await as.cse.get(`/api/v1/intelligence?about=${p.id}`);
  assert.equal(about.status, 200, about.describe());
  assert.deepEqual(about.json.items.map((x) => x.id).sort(), [a.id, r2.json.id, r3.json.id].sort());
  assert.equal(about.json.items.find((x) => x.id === r3.json.id).handling_conditions, 'Originator only.');
  const rec = await as.analyst.get(`/api/v1/entities/${p.id}`);
  assert.equal(rec.status, 200);
  assert.deepEqual(rec.json.intelligence.map((x) => x.id).sort(), [a.id, r2.json.id, r3.json.id].sort());
  const mine = Object.fromEntries(rec.json.intelligence.map((x) => [x.id, x]));
  assert.equal(mine[r2.json.id].handling_conditions, conditions);
  assert.equal(mine[r2.json.id].grade, '2C C');
  assert.equal(mine[r3.json.id].grade, 'B2 4');
  assert.equal(mine[a.id].handling_conditions, null);
  assert.equal(rec.json.links.length, 3);
  assert.ok(rec.json.links.every((l) => l.intelligence_id && l.from_label && l.to_label));
  const net = await as.analyst.get(`/api/v1/network?around=${p.id}&depth=1`);
  assert.equal(net.status, 200, net.describe());
  assert.deepEqual(net.json.edges[0].handling_conditions.sort(), [conditions, 'Originator only.'].sort());
  // Audited: each write with ids and the grade, never the text.
  const made = await auditSince(seq, 'intel.create');
  const ok = made.filter((x) => x.outcome === 'ok');
  assert.deepEqual(ok.map((x) => x.object_id), [a.id, r2.json.id, r3.json.id, r4.json.id]);
  assert.match(ok[0].details, new RegExp(p.id));
  for (const x of made) assert.doesNotMatch(x.details, /takeaway|Seen together|disclosure|Originator/);
  assert.equal(made.filter((x) => x.outcome === 'invalid').length, refusals.length);
  assert.equal((await auditSince(seq, 'intel.read')).filter((x) => x.object_id === r2.json.id).length, 1);
  const lists = await auditSince(seq, 'intel.list');
  assert.deepEqual(lists.map((x) => [x.object_type, x.object_id]), [['intelligence', null], ['entity', p.id]]);
});

test('a link to a record that does not exist, or to a child the recorder may not open, is the same 422; nothing written', async () => {
  const p = await entity(as.police, person({ first_name: 'Lenny', last_name: 'Linkless' }));
  const hidden = await newChild();
  const v = await entity(as.police, { type: 'vehicle', registration: 'LK11 NKS' });
  const before = await counts();
  const seq = await lastSeq();
  const missing = await as.police.post('/api/v1/intelligence', item([{ from: p.id, to: 'ch_doesnotexist00000000', relation: 'contacted' }]));
  const notOpen = await as.police.post('/api/v1/intelligence', item([{ from: p.id, to: hidden.id, relation: 'contacted' }]));
  const noEntity = await as.police.post('/api/v1/intelligence', item([{ from: 'en_doesnotexist00000000', to: p.id, relation: 'contacted' }]));
  for (const r of [missing, notOpen]) {
    assert.equal(r.status, 422, r.describe());
    assert.deepEqual(r.json.error.fields, { 'links[0].to': 'no such record' });
  }
  assert.equal(missing.text, notOpen.text, 'the two refusals cannot be told apart');
  assert.deepEqual(noEntity.json.error.fields, { 'links[0].from': 'no such record' });
  const bad = await as.police.post('/api/v1/intelligence', item([{ from: 'not an id!', to: p.id, relation: 'contacted' }]));
  assert.equal(bad.status, 422);
  assert.ok(bad.json.error.fields['links[0].from']);
  // Several links: each bad end named, the good ones not.
  const several = await as.police.post('/api/v1/intelligence', item([
    { from: p.id, to: v.id, relation: 'drives' },
    { from: hidden.id, to: v.id, relation: 'transported' },
  ]));
  assert.deepEqual(several.json.error.fields, { 'links[1].from': 'no such record' });
  assert.deepEqual(await counts(), before, 'nothing written');
  assert.equal(await sh.scalar(`SELECT count(*) FROM chronology WHERE child_id = '${hidden.id}' AND type = 'intelligence'`), 0);
  const refused = await auditSince(seq, 'intel.create');
  assert.equal(refused.length, 5);
  assert.ok(refused.every((x) => x.outcome === 'invalid'));
  for (const x of refused) assert.doesNotMatch(x.details, new RegExp(hidden.id), 'the audit entry does not say which');
  // A child that the MASH (who see every child) may open can be linked by them.
  const ok = await as.mash.post('/api/v1/intelligence', item([{ from: p.id, to: hidden.id, relation: 'contacted' }]));
  assert.equal(ok.status, 201, ok.describe());
});

test("linking a child involves the recorder's agency and puts the grade, not the text, on the child's chronology", async () => {
  const child = await newChild();
  const p = await entity(as.mashPolice, person({ first_name: 'Carl', last_name: 'Chronos' }));
  // The police officer's agency is not involved yet: the record does not exist for them.
  assert.equal((await as.police.get(`/api/v1/children/${child.id}`)).status, 404);
  const before = await counts();
  const conditions = 'Share with the social worker only.';
  const r = await as.mashPolice.post('/api/v1/intelligence', item([{ from: p.id, to: child.id, relation: 'gave_gifts_to' }, { from: p.id, to: child.id, relation: 'contacted' }], {
    source_evaluation: '2', intelligence_assessment: 'A', handling_code: 'C', handling_conditions: conditions,
  }));
  assert.equal(r.status, 201, r.describe());
  assert.equal(r.json.links[0].to_label, `${child.first_name} ${child.last_name}`, 'named to a recorder who may open the child');
  const after = await counts();
  assert.equal(after.intelligence, before.intelligence + 1);
  assert.equal(after.links, before.links + 2);
  assert.equal(after.chronology, before.chronology + 1, 'one entry however many links name the child');
  assert.equal(after.involvement, before.involvement + 1);
  const inv = await sh.query(`SELECT a.code, i.reason FROM child_involvement i JOIN agencies a ON a.id = i.agency_id WHERE i.child_id = '${child.id}' ORDER BY a.code`);
  assert.deepEqual(inv.map((x) => x.code), ['HFCSC', 'HFP']);
  assert.match(inv.find((x) => x.code === 'HFP').reason, /intelligence/);
  // Now open to the police officer of the same agency, with the entry on the chronology.
  assert.equal((await as.police.get(`/api/v1/children/${child.id}`)).status, 200);
  const chron = await as.police.get(`/api/v1/children/${child.id}/chronology?type=intelligence`);
  assert.equal(chron.status, 200, chron.describe());
  assert.equal(chron.json.length, 1);
  assert.equal(chron.json[0].type, 'intelligence');
  assert.equal(chron.json[0].summary, 'Intelligence recorded, graded 2A C (handling conditions apply)');
  assert.equal(chron.json[0].agency, 'HFP');
  assert.deepEqual(chron.json[0].ref, { type: 'intelligence', id: r.json.id });
  // The social worker, who does not read intelligence, is told only that it exists.
  const swChron = await as.sw.get(`/api/v1/children/${child.id}/chronology?type=intelligence`);
  assert.equal(swChron.status, 200, swChron.describe());
  assert.equal(swChron.json.length, 1);
  assert.match(swChron.json[0].summary, /^Intelligence recorded/);
  assert.equal(swChron.json[0].ref, null);
  for (const c of [chron, swChron]) assert.doesNotMatch(c.text, /Seen together|takeaway|social worker only/);
  const plain = await as.mash.post('/api/v1/intelligence', item([{ from: child.id, to: p.id, relation: 'associates_with' }]));
  assert.equal(plain.status, 201);
  const rows = await sh.query(`SELECT summary FROM chronology WHERE child_id = '${child.id}' AND type = 'intelligence' ORDER BY recorded_at, id`);
  assert.ok(rows.some((x) => x.summary === 'Intelligence recorded, graded 1B P'), JSON.stringify(rows));
  // The list about the child: open to those who may open the child, 404 for others (as for a child never recorded).
  const about = await as.police.get(`/api/v1/intelligence?about=${child.id}`);
  assert.equal(about.status, 200, about.describe());
  assert.deepEqual(about.json.items.map((x) => x.id).sort(), [r.json.id, plain.json.id].sort());
  assert.equal((await as.cse.get(`/api/v1/intelligence?about=${child.id}`)).status, 404);
  assert.equal((await as.cse.get('/api/v1/intelligence?about=ch_doesnotexist00000000')).status, 404);
  const badAbout = await as.cse.get('/api/v1/intelligence?about=not%20an%20id');
  assert.equal(badAbout.status, 422);
  assert.ok(badAbout.json.error.fields.about);
});

test('a child the reader may not open is shown restricted, without a name, wherever the item is shown', async () => {
  const child = await newChild();
  const p = await entity(as.mash, person({ first_name: 'Rex', last_name: 'Restrict' }));
  const it = await as.mash.post('/api/v1/intelligence', item([{ from: p.id, to: child.id, relation: 'contacted' }]));
  assert.equal(it.status, 201, it.describe());
  // The youth project's CSE worker is not involved with the child.
  const answers = [
    await as.cse.get(`/api/v1/intelligence/${it.json.id}`),
    await as.cse.get('/api/v1/intelligence'),
    await as.cse.get(`/api/v1/intelligence?about=${p.id}`),
    await as.cse.get(`/api/v1/entities/${p.id}`),
  ];
  for (const r of answers) {
    assert.equal(r.status, 200, r.describe());
    assert.ok(!r.text.includes(child.first_name) && !r.text.includes(child.last_name), `no name in ${r.text.slice(0, 200)}`);
    assert.ok(r.text.includes(RESTRICTED));
  }
  const link = answers[0].json.links[0];
  assert.equal(link.to, child.id);
  assert.equal(link.to_label, RESTRICTED);
  assert.equal(link.to_restricted, true);
  assert.equal(link.from_label, 'Rex Restrict');
  const entityLink = answers[3].json.links[0];
  assert.equal(entityLink.to_label, RESTRICTED);
  // The manager (who sees every child) reads the name.
  const mgr = await as.manager.get(`/api/v1/intelligence/${it.json.id}`);
  assert.equal(mgr.json.links[0].to_label, `${child.first_name} ${child.last_name}`);
  assert.equal(mgr.json.links[0].to_restricted, false);
  assert.equal((await as.cse.get('/api/v1/intelligence/in_doesnotexist00000000')).status, 404);
});

test('who may record and who may read: everyone else is refused 403 and audited, and nothing is written', async () => {
  const p = await entity(as.police, person({ first_name: 'Ronan', last_name: 'Roles' }));
  const it = await as.police.post('/api/v1/intelligence', item([]));
  assert.equal(it.status, 201);
  const before = await counts();
  const seq = await lastSeq();
  const reads = ['/api/v1/entities?q=ronan', `/api/v1/entities/${p.id}`, '/api/v1/intelligence', `/api/v1/intelligence/${it.json.id}`, `/api/v1/intelligence?about=${p.id}`];
  for (const role of ['referrer', 'sw', 'strategic', 'auditor', 'admin']) {
    for (const path of reads) {
      const r = await as[role].get(path);
      assert.equal(r.status, 403, `${role} GET ${path}: ${r.describe()}`);
      assert.equal(r.errorCode, 'forbidden');
      assert.ok(!r.text.includes('Ronan'));
    }
    assert.equal((await as[role].post('/api/v1/entities', person())).status, 403, role);
    assert.equal((await as[role].post('/api/v1/intelligence', item([]))).status, 403, role);
  }
  // Managers and the director read but do not record.
  for (const role of ['manager', 'director']) {
    for (const path of reads) assert.equal((await as[role].get(path)).status, 200, `${role} GET ${path}`);
    assert.equal((await as[role].post('/api/v1/entities', person())).status, 403, role);
    assert.equal((await as[role].post('/api/v1/intelligence', item([]))).status, 403, role);
  }
  // The recorders record.
  for (const role of ['mash', 'cse', 'police', 'analyst']) {
    assert.equal((await as[role].post('/api/v1/intelligence', item([{ from: p.id, to: p.id, relation: 'uses' }]))).status, 422, role);
  }
  const after = await counts();
  assert.deepEqual(after, before, 'nothing written by a refused role');
  const denied = await sh.query(`SELECT actor, count(*) AS n FROM audit_log WHERE seq > ${seq} AND action = 'access.denied' GROUP BY actor ORDER BY actor`);
  assert.deepEqual(denied.map((x) => [x.actor, Number(x.n)]), [
    ['i.admin', 7], ['i.auditor', 7], ['i.director', 2], ['i.manager', 2], ['i.referrer', 7], ['i.strategic', 7], ['i.sw', 7],
  ]);
});
