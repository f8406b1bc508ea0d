// Identity resolution inside Safehub: POST /api/v1/people/match offers the
// children a person may be, best first, with the levels each field hit and
// their weights; decisions on suggestions are kept; a child recorded twice
// lands on the duplicates queue; a person decides (never the machine);
// merging keeps every event and its source, is audited, and can be undone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Safehub, addPartnership, childBody, uniqueName } from '../lib/index.mjs';

let sh;
let users;
let mash;
let manager;
let first;
let second;

const q = (s) => s.replace(/'/g, "''");

before(async () => {
  sh = await Safehub.create();
  users = await addPartnership(sh);
  await sh.start();
  mash = await sh.login(users.mash);
  manager = await sh.login(users.manager);
});

after(async () => {
  await sh?.destroy();
});

test('a person is matched to the child already recorded, best first, with an explanation per field', async () => {
  const last = uniqueName('Okonkwo');
  first = (await mash.post('/api/v1/children', childBody({ first_name: 'Precious', last_name: last, date_of_birth: '2012-04-09', postcode: 'HF3 7QT' }))).json;
  const other = await mash.post('/api/v1/children', childBody({ first_name: 'Grace', last_name: uniqueName('Hall'), date_of_birth: '2012-04-09', postcode: 'HF3 7QT' }));
  assert.equal(other.status, 201);
  // A typing error in the surname and a different way of writing the date still find her first.
  const r = await mash.post('/api/v1/people/match', {
    first_name: 'Precious',
    last_name: `${last.slice(0, -1)}`,
    date_of_birth: '09/04/2012',
    postcode: 'hf3 7qt',
  });
  assert.equal(r.status, 200, r.describe());
  const c = r.json.candidates;
  assert.ok(c.length >= 1);
  assert.equal(c[0].child_id, first.id);
  assert.ok(c[0].probability > 0.9, `probability ${c[0].probability}`);
  for (let i = 1; i < c.length; i++) assert.ok(c[i - 1].probability >= c[i].probability, 'best first');
  const fields = Object.fromEntries(c[0].explanation.map((f) => [f.field, f]));
  assert.equal(fields.date_of_birth.level, 'exact');
  assert.equal(fields.postcode.level, 'exact');
  // Which near level depends on the random letters (a dropped doubled letter is a spelling variant): any near one.
  assert.match(fields.last_name.level, /jaro-winkler|metaphone|variant|exact/);
  assert.ok(fields.date_of_birth.weight > 0 && typeof c[0].match_weight === 'number');
  assert.equal(c[0].child.first_name, 'Precious');
  const seen = await sh.scalar(`SELECT count(*) AS n FROM audit_log WHERE action = 'child.match_candidate' AND object_id = '${q(first.id)}'`);
  assert.ok(seen >= 1, 'each candidate shown is audited as a read');
});

test('bad input is refused by field and nothing is searched', async () => {
  const r = await mash.post('/api/v1/people/match', { last_name: 'Okonkwo', nhs_number: '1234567890', shoe_size: 5 });
  assert.equal(r.status, 422);
  assert.ok(r.json.error.fields.nhs_number && r.json.error.fields.shoe_size);
  const thin = await mash.post('/api/v1/people/match', { last_name: 'Okonkwo' });
  assert.equal(thin.status, 422);
  assert.ok(thin.json.error.fields.person);
});

test('children the user may not see are counted, never described', async () => {
  const teacher = await sh.login(users.referrer);
  const r = await teacher.post('/api/v1/people/match', {
    first_name: 'Precious',
    last_name: first.last_name,
    date_of_birth: '2012-04-09',
  });
  assert.equal(r.status, 200);
  assert.ok(!r.json.candidates.some((x) => x.child_id === first.id));
  assert.ok(r.json.restricted_matches >= 1);
});

test('a decision on a suggested match is kept and audited', async () => {
  const d = await mash.post('/api/v1/people/match/decisions', {
    subject_type: 'enquiry',
    subject_id: 'enq_1',
    child_id: first.id,
    decision: 'confirmed',
    probability: 0.999,
    reason: 'Same school and carer',
  });
  assert.equal(d.status, 201, d.describe());
  assert.equal(d.json.decided_by, users.mash.username);
  assert.equal(await sh.scalar("SELECT count(*) AS n FROM match_decisions WHERE subject_id = 'enq_1' AND decision = 'confirmed'"), 1);
  assert.equal((await mash.post('/api/v1/people/match/decisions', { subject_type: 'enquiry', subject_id: 'x', child_id: first.id, decision: 'maybe' })).status, 422);
  const bad = await mash.post('/api/v1/people/match/decisions', { subject_type: 'enquiry', subject_id: 'x', child_id: first.id, decision: 'rejected', probability: '0.5' });
  assert.equal(bad.status, 422);
  assert.ok(bad.json.error.fields.probability, 'a probability given as text is refused by name');
  const over = await mash.post('/api/v1/people/match/decisions', { subject_type: 'enquiry', subject_id: 'x', child_id: first.id, decision: 'rejected', probability: 1.5 });
  assert.equal(over.status, 422);
  assert.match(over.json.error.fields.probability, /from 0 to 1/);
  assert.equal(Number(await sh.scalar("SELECT probability FROM match_decisions WHERE subject_id = 'enq_1'")), 0.999);
});

test('a child recorded twice goes on the duplicates queue; merging keeps every event, and undo puts it all back', async () => {
  // The police record the same girl again, with her name misspelt.
  const police = await sh.login(users.police);
  const r = await police.post('/api/v1/children', childBody({
    first_name: 'Precius',
    last_name: first.last_name,
    date_of_birth: '2012-04-09',
    postcode: 'HF3 7QT',
    nhs_number: first.nhs_number,
  }));
  assert.equal(r.status, 201);
  second = r.json;
  const queue = await mash.get('/api/v1/duplicates');
  assert.equal(queue.status, 200);
  const pair = queue.json.duplicates.find((p) => [p.child_a, p.child_b].includes(second.id));
  assert.ok(pair, 'the new record and the old one are on the queue');
  assert.ok([pair.child_a, pair.child_b].includes(first.id));
  assert.ok(pair.probability >= 0.9);
  assert.ok(pair.explanation.length > 0);
  // Nothing merged by itself.
  assert.equal(await sh.scalar(`SELECT count(*) AS n FROM children WHERE merged_into IS NOT NULL`), 0);

  // Events on the second record, from the police.
  await sh.exec(
    `INSERT INTO chronology (id, child_id, at, type, agency_id, summary, recorded_at)
     SELECT 'cv_police', '${q(second.id)}', 1796032800, 'note', id, 'Seen in a car with two adults', 1796032800 FROM agencies WHERE code = 'HFP'`,
  );
  const keepFirst = pair.child_a === first.id ? 'a' : 'b';
  assert.equal((await mash.post(`/api/v1/duplicates/${pair.id}/decision`, { decision: 'merge', reason: 'Same NHS number' })).status, 422, 'which to keep must be said');
  assert.equal((await mash.post(`/api/v1/duplicates/${pair.id}/decision`, { decision: 'merge', keep: keepFirst })).status, 422, 'a reason is required');
  const m = await mash.post(`/api/v1/duplicates/${pair.id}/decision`, { decision: 'merge', keep: keepFirst, reason: 'Same NHS number and date of birth' });
  assert.equal(m.status, 200, m.describe());
  assert.equal(m.json.kept_id, first.id);
  assert.equal(m.json.merged_id, second.id);
  assert.equal((await mash.post(`/api/v1/duplicates/${pair.id}/decision`, { decision: 'not_duplicate', reason: 'x' })).status, 409);

  // The police's event now sits in the kept child's chronology, still the police's.
  const chron = await mash.get(`/api/v1/children/${first.id}/chronology`);
  const ev = chron.json.find((e) => e.summary === 'Seen in a car with two adults');
  assert.ok(ev, 'the event moved with its source');
  assert.equal(ev.agency, 'HFP');
  assert.ok(chron.json.some((e) => e.type === 'merge'));
  // The police, involved with the merged record, are now involved with the kept one.
  assert.equal((await police.get(`/api/v1/children/${first.id}`)).status, 200);
  // The merged record points at the kept one and is no longer found by search.
  const merged = await mash.get(`/api/v1/children/${second.id}`);
  assert.equal(merged.json.merged_into, first.id);
  const found = await mash.get(`/api/v1/children?q=${encodeURIComponent(first.last_name)}`);
  assert.ok(!found.json.children.some((c) => c.id === second.id));
  const kept = await mash.get(`/api/v1/children/${first.id}`);
  assert.ok(kept.json.aliases.includes(`Precius ${first.last_name}`), 'the other spelling is kept as an alias');
  const audit = await sh.scalar(`SELECT count(*) AS n FROM audit_log WHERE action = 'child.merge'`);
  assert.equal(audit, 2, 'audited on both records');
  // The merged record is kept to be undone, not to be worked on: a change is refused by name, nothing written.
  const patch = await mash.patch(`/api/v1/children/${second.id}`, { school: 'Holmford Academy' });
  assert.equal(patch.status, 422);
  assert.match(patch.json.error.fields.merged_into, new RegExp(`merged into ${first.id}`));
  assert.equal((await mash.get(`/api/v1/children/${second.id}`)).json.school, merged.json.school);
  // The pair is decided in the merge itself.
  assert.equal((await mash.get('/api/v1/duplicates?status=merged')).json.duplicates.some((p) => p.id === pair.id), true);

  // Undo: only managers and the director; everything goes back.
  const merges = await mash.get(`/api/v1/children/${first.id}/merges`);
  const mergeId = merges.json.merges[0].id;
  assert.equal((await mash.post(`/api/v1/merges/${mergeId}/undo`)).status, 403);
  const undo = await manager.post(`/api/v1/merges/${mergeId}/undo`);
  assert.equal(undo.status, 200, undo.describe());
  assert.equal((await manager.post(`/api/v1/merges/${mergeId}/undo`)).status, 409);
  const back = await mash.get(`/api/v1/children/${second.id}/chronology`);
  assert.ok(back.json.some((e) => e.summary === 'Seen in a car with two adults'), 'the event is back on its record');
  assert.equal((await mash.get(`/api/v1/children/${second.id}`)).json.merged_into, undefined);
  const again = await mash.get(`/api/v1/children?q=${encodeURIComponent(first.last_name)}`);
  assert.ok(again.json.children.some((c) => c.id === second.id), 'found by search again');
  assert.ok(!(await mash.get(`/api/v1/children/${first.id}`)).json.aliases.includes(`Precius ${first.last_name}`));
  const reopened = await mash.get('/api/v1/duplicates');
  assert.ok(reopened.json.duplicates.some((p) => p.id === pair.id), 'the pair waits for a decision again');
  assert.equal(await sh.scalar(`SELECT count(*) AS n FROM audit_log WHERE action = 'child.unmerge'`), 2);
  const nd = await mash.post(`/api/v1/duplicates/${pair.id}/decision`, { decision: 'not_duplicate', reason: 'Twins' });
  assert.equal(nd.status, 200);
  assert.equal((await mash.get('/api/v1/duplicates?status=not_duplicate')).json.duplicates.length, 1);
});

test('`safehub duplicates scan` puts records never checked on the queue, once, and merges nothing', async () => {
  // A record loaded straight into the database (as an import would), never checked when recorded.
  const last = uniqueName('Brannigan');
  const orig = await mash.post('/api/v1/children', childBody({ first_name: 'Kayleigh', last_name: last, date_of_birth: '2011-02-17', postcode: 'HF7 2LD' }));
  assert.equal(orig.status, 201);
  await sh.exec(
    `INSERT INTO children (id, first_name, last_name, aliases, date_of_birth, gender, ethnicity, address, postcode,
       created_at, created_by, updated_at, version)
     SELECT 'ch_imported1', 'Kayleigh', '${q(last)}', '[]', '2011-02-17', gender, ethnicity, address, 'HF7 2LD',
       created_at, created_by, updated_at, 1 FROM children WHERE id = '${q(orig.json.id)}'`,
  );
  const onQueue = async () => (await mash.get('/api/v1/duplicates')).json.duplicates
    .filter((p) => [p.child_a, p.child_b].includes('ch_imported1'));
  assert.deepEqual(await onQueue(), [], 'not on the queue before the scan');
  const out = await sh.cliOk(['duplicates', 'scan']);
  assert.match(out, /scanned \d+ children: \d+ pairs at or above probability 0\.\d\d, [1-9]\d* new on the duplicates queue/);
  const pairs = await onQueue();
  assert.equal(pairs.length, 1);
  assert.ok([pairs[0].child_a, pairs[0].child_b].includes(orig.json.id));
  assert.ok(pairs[0].probability >= 0.9, `probability ${pairs[0].probability}`);
  assert.ok(pairs[0].explanation.some((f) => f.field === 'last_name'), 'explained field by field');
  assert.match(await sh.cliOk(['duplicates', 'scan']), / 0 new on the duplicates queue/, 'a second scan adds nothing');
  assert.equal(await sh.scalar("SELECT count(*) AS n FROM children WHERE id = 'ch_imported1' AND merged_into IS NULL"), 1);
  assert.equal(await sh.scalar("SELECT count(*) AS n FROM audit_log WHERE action = 'duplicates.scan'"), 2);
  const bad = await sh.cli(['duplicates', 'scan', '--threshold', '2']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--threshold must be a probability/);
});
