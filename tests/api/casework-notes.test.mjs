// Case notes, allocation of a lead worker and team, and caseloads through the
// API: notes by any involved agency with the child's words kept verbatim and
// risk-tool indicators checked against the tool in force; a note with
// indicators asking the lead worker for a risk review; allocation by managers
// (the worker's agency involved, the child's open interview and review work
// following the lead worker, history kept, ending it); caseloads per worker
// and team for managers and "mine" for workers; bad input refused with 422 and
// nothing written; every read and refusal audited.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Safehub, addAgencies, childBody } from '../lib/index.mjs';

const H = 3600;
let sh;
const u = {};
const as = {};

/** The instant SECONDS from now as ISO 8601 UTC to the second. */
function iso(seconds) {
  return new Date((Math.floor(Date.now() / 1000) + seconds) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

before(async () => {
  // The server's own deadline pass runs once at start only: the tests move the clock with `sla run --as-of`.
  sh = await Safehub.create({ env: { SAFEHUB_SLA_INTERVAL: '86400' } });
  await addAgencies(sh);
  u.director = await sh.addUser({ username: 'n.dir', role: 'director', agency: 'HFCSC' });
  u.manager = await sh.addUser({ username: 'n.mgr', role: 'manager', agency: 'HFCSC', manager: 'n.dir' });
  u.sw = await sh.addUser({ username: 'n.sw', role: 'social_worker', agency: 'HFCSC', manager: 'n.mgr', name: 'Sam Whitaker' });
  u.sw2 = await sh.addUser({ username: 'n.sw2', role: 'social_worker', agency: 'HFCSC', manager: 'n.mgr', name: 'Sue Ng' });
  u.cse = await sh.addUser({ username: 'n.cse', role: 'cse_worker', agency: 'HFYPP', manager: 'n.mgr', name: 'Ruth Adeyemi' });
  u.police = await sh.addUser({ username: 'n.police', role: 'police', agency: 'HFP' });
  u.referrer = await sh.addUser({ username: 'n.teacher', role: 'referrer', agency: 'HFEDU' });
  u.analyst = await sh.addUser({ username: 'n.analyst', role: 'analyst', agency: 'HFP' });
  await sh.start();
  for (const k of Object.keys(u)) as[k] = await sh.login(u[k]);
});

after(async () => {
  await sh?.destroy();
});

/** A new child recorded by CLIENT (default the social worker). */
async function newChild(client = as.sw) {
  const r = await client.post('/api/v1/children', childBody());
  assert.equal(r.status, 201, r.describe());
  return r.json;
}

async function noteCounts() {
  const row = (await sh.query('SELECT (SELECT count(*) FROM case_notes) AS notes, (SELECT count(*) FROM chronology) AS chronology, (SELECT count(*) FROM deadlines) AS deadlines'))[0];
  return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, Number(v)]));
}

test('a case note keeps the child\'s words verbatim and its indicators, newest first, on the chronology', async () => {
  const child = await newChild(as.referrer);
  const at = iso(-2 * H);
  const words = '  He buys me things. I don\'t want him to get in trouble.\nPlease don\'t tell mum.  ';
  const r = await as.referrer.post(`/api/v1/children/${child.id}/notes`, {
    text: 'Came to school in new trainers and with a new phone; left at lunch in a car.',
    childs_words: words,
    indicators: ['S04', 'S03'],
    at,
  });
  assert.equal(r.status, 201, r.describe());
  const note = r.json;
  assert.match(note.id, /^nt_/);
  assert.equal(note.childs_words, words.trim(), 'only the surrounding space is trimmed');
  assert.deepEqual(note.indicators, ['S04', 'S03']);
  assert.equal(note.author, 'n.teacher');
  assert.equal(note.agency.code, 'HFEDU');
  assert.equal(note.at, at);
  const plain = await as.referrer.post(`/api/v1/children/${child.id}/notes`, { text: 'Attendance back to normal this week.' });
  assert.equal(plain.status, 201);
  assert.deepEqual(plain.json.indicators, []);
  assert.equal(plain.json.childs_words, null);

  const list = await as.referrer.get(`/api/v1/children/${child.id}/notes`);
  assert.equal(list.status, 200);
  assert.deepEqual(list.json.notes.map((n) => n.id), [plain.json.id, note.id], 'newest first');
  assert.equal(list.json.notes[1].childs_words, words.trim());
  assert.equal(list.json.notes[1].author_name, 'Test referrer');

  // What the risk assessment reads: child, time, agency, indicators as a JSON array.
  const rows = await sh.query(`SELECT n.child_id, n.at, a.code, n.indicators FROM case_notes n JOIN agencies a ON a.id = n.agency_id WHERE n.id = '${note.id}'`);
  assert.equal(rows[0].child_id, child.id);
  assert.equal(rows[0].code, 'HFEDU');
  assert.deepEqual(JSON.parse(rows[0].indicators), ['S04', 'S03']);
  assert.equal((await sh.query(`SELECT indicators FROM case_notes WHERE id = '${plain.json.id}'`))[0].indicators, '[]');

  const chron = (await as.referrer.get(`/api/v1/children/${child.id}/chronology?type=note`)).json;
  assert.equal(chron.length, 2);
  assert.match(chron.find((e) => /new phone/.test(e.summary)).summary, /^In the child's words: .He buys me things\. I don't want him to get in trouble\. Please don't tell mum\.. Came to school/);

  // Another agency that is not involved sees nothing; the analyst may read but not write.
  assert.equal((await as.police.post(`/api/v1/children/${child.id}/notes`, { text: 'x' })).status, 404);
  assert.equal((await as.police.get(`/api/v1/children/${child.id}/notes`)).status, 404);
  assert.equal((await as.analyst.post(`/api/v1/children/${child.id}/notes`, { text: 'x' })).status, 403);
  const audit = await sh.query(`SELECT actor, action, outcome FROM audit_log WHERE object_id = '${child.id}' AND action LIKE 'note.%' ORDER BY seq`);
  assert.deepEqual(audit.map((a) => `${a.actor} ${a.action} ${a.outcome}`), [
    'n.teacher note.create ok',
    'n.teacher note.create ok',
    'n.teacher note.list ok',
    'n.police note.create denied',
    'n.police note.list denied',
  ]);
});

test('bad notes are refused with 422 naming each field, and nothing is written', async () => {
  const child = await newChild();
  const before = await noteCounts();
  for (const [body, fields] of [
    [{}, ['text']],
    [{ text: '   ' }, ['text']],
    [{ text: 'x', indicators: ['S01', 'Z99', 'S01'] }, ['indicators', 'indicators[1]']],
    [{ text: 'x', indicators: 'S01' }, ['indicators']],
    [{ text: 'x', at: iso(3 * H), colour: 'red' }, ['at', 'colour']],
    [{ text: 'x'.repeat(20001), childs_words: 5 }, ['text', 'childs_words']],
  ]) {
    const r = await as.sw.post(`/api/v1/children/${child.id}/notes`, body);
    assert.equal(r.status, 422, `${JSON.stringify(body).slice(0, 80)}: ${r.describe()}`);
    assert.deepEqual(Object.keys(r.json.error.fields).sort(), [...fields].sort(), r.text);
  }
  assert.deepEqual(await noteCounts(), before);
});

test('managers allocate a lead worker and team; the worker\'s agency is involved and the child\'s work follows the lead', async () => {
  const child = await newChild();
  // An interview falls due before anyone is allocated: the MASH queue holds it.
  const ep = (await as.sw.post(`/api/v1/children/${child.id}/missing-episodes`, { went_missing_at: iso(-10 * H), returned_at: iso(-5 * H), reported_to_police: true })).json;
  const owner = async () => (await sh.query(`SELECT owner_id FROM deadlines WHERE item_id = '${ep.id}'`))[0].owner_id;
  assert.equal(await owner(), null);

  assert.equal((await as.sw.post(`/api/v1/children/${child.id}/allocation`, { worker: 'n.sw', team: 'A' })).status, 403, 'managers allocate');
  const before = await sh.scalar('SELECT count(*) FROM allocations');
  for (const [body, field, why] of [
    [{ worker: 'nobody', team: 'Holmford CSE Team' }, 'worker', /not the username/],
    [{ worker: 'n.teacher', team: 'Holmford CSE Team' }, 'worker', /social worker, CSE worker or manager/],
    [{ worker: 'n.sw' }, 'team', /required/],
    [{ worker: 'n.sw', team: '  ' }, 'team', /required/],
    [{ worker: 'n.sw', team: 'T', since: 'today' }, 'since', /not a recognised field/],
  ]) {
    const r = await as.manager.post(`/api/v1/children/${child.id}/allocation`, body);
    assert.equal(r.status, 422, r.describe());
    assert.match(r.json.error.fields[field], why);
  }
  assert.equal(await sh.scalar('SELECT count(*) FROM allocations'), before);

  const first = await as.manager.post(`/api/v1/children/${child.id}/allocation`, { worker: 'n.sw', team: 'Holmford CSE Team' });
  assert.equal(first.status, 201, first.describe());
  assert.equal(first.json.current.worker.username, 'n.sw');
  assert.equal(first.json.current.worker.name, 'Sam Whitaker');
  assert.equal(first.json.current.team, 'Holmford CSE Team');
  assert.equal(first.json.current.allocated_by, 'n.mgr');
  assert.equal(first.json.current.ended_at, null);
  assert.equal(await owner(), u.sw.id, 'the open interview goes to the lead worker');
  const same = await as.manager.post(`/api/v1/children/${child.id}/allocation`, { worker: 'n.sw', team: 'Holmford CSE Team' });
  assert.equal(same.status, 200, 'allocating again changes nothing');
  assert.equal(same.json.history.length, 1);

  // To the CSE worker of another agency: that agency becomes involved and can see the child.
  assert.equal((await as.cse.get(`/api/v1/children/${child.id}`)).status, 404);
  const second = await as.director.post(`/api/v1/children/${child.id}/allocation`, { worker: 'n.cse', team: 'Young People\'s Project' });
  assert.equal(second.status, 201);
  assert.equal(second.json.history.length, 2);
  assert.equal(second.json.history[0].worker.username, 'n.cse');
  assert.equal(second.json.history[0].worker.agency.code, 'HFYPP');
  assert.equal(second.json.history[1].worker.username, 'n.sw');
  assert.ok(second.json.history[1].ended_at, 'the earlier allocation ended');
  assert.equal((await as.cse.get(`/api/v1/children/${child.id}`)).status, 200);
  assert.equal(await owner(), u.cse.id);
  const got = await as.cse.get(`/api/v1/children/${child.id}/allocation`);
  assert.equal(got.status, 200);
  assert.equal(got.json.current.worker.username, 'n.cse');
  const chron = (await as.cse.get(`/api/v1/children/${child.id}/chronology?type=allocation`)).json;
  assert.equal(chron.length, 2);
  assert.ok(chron.some((e) => /^Allocated to Ruth Adeyemi \(cse_worker\), team: Young People's Project\.$/.test(e.summary)), JSON.stringify(chron));
  assert.ok(chron.some((e) => /^Allocated to Sam Whitaker \(social_worker\), team: Holmford CSE Team\.$/.test(e.summary)));

  // Ending it sends the child's work back to the MASH queue.
  assert.equal((await as.manager.delete(`/api/v1/children/${child.id}/allocation`)).status, 204);
  assert.equal((await as.manager.get(`/api/v1/children/${child.id}/allocation`)).json.current, null);
  assert.equal((await as.manager.delete(`/api/v1/children/${child.id}/allocation`)).status, 404);
  assert.equal(await owner(), null);
  const audit = await sh.query(`SELECT action, outcome FROM audit_log WHERE object_id = '${child.id}' AND action LIKE 'allocation.%' AND outcome <> 'invalid' ORDER BY seq`);
  assert.deepEqual(audit.map((a) => `${a.action} ${a.outcome}`), [
    'allocation.create ok', 'allocation.read ok', 'allocation.create ok', 'allocation.read ok', 'allocation.end ok',
    'allocation.read ok', 'allocation.end not_found',
  ]);
});

test('a note with indicators asks the lead worker for a risk review; one without does not', async () => {
  const child = await newChild();
  await as.manager.post(`/api/v1/children/${child.id}/allocation`, { worker: 'n.sw2', team: 'Holmford CSE Team' });
  const review = () => sh.query(`SELECT owner_id, title FROM deadlines WHERE item_id = '${child.id}' AND kind = 'risk_review_request'`);
  assert.equal((await as.sw.post(`/api/v1/children/${child.id}/notes`, { text: 'Home visit: all well.' })).status, 201);
  assert.deepEqual(await review(), []);
  assert.equal((await as.sw.post(`/api/v1/children/${child.id}/notes`, { text: 'Seen getting into a car.', indicators: ['S03'] })).status, 201);
  assert.deepEqual(await review(), [{ owner_id: u.sw2.id, title: 'Risk review requested: new information recorded' }]);
  const work = (await as.sw2.get('/api/v1/work')).json.items;
  const item = work.find((i) => i.item_id === child.id && i.kind === 'risk_review_request');
  assert.ok(item);
  assert.equal(item.link, `/children/${child.id}/risk`);
});

test('caseloads per worker and team for managers, and each worker\'s own', async () => {
  const kids = [];
  for (let i = 0; i < 3; i++) kids.push(await newChild());
  await as.manager.post(`/api/v1/children/${kids[0].id}/allocation`, { worker: 'n.sw', team: 'East Team' });
  await as.manager.post(`/api/v1/children/${kids[1].id}/allocation`, { worker: 'n.sw', team: 'East Team' });
  await as.manager.post(`/api/v1/children/${kids[2].id}/allocation`, { worker: 'n.sw2', team: 'West Team' });

  const all = await as.manager.get('/api/v1/caseloads');
  assert.equal(all.status, 200, all.describe());
  const east = all.json.teams.find((t) => t.team === 'East Team');
  assert.deepEqual(east, { team: 'East Team', children: 2, workers: 1 });
  const swEast = all.json.workers.find((w) => w.username === 'n.sw' && w.team === 'East Team');
  assert.equal(swEast.children, 2);
  assert.equal(swEast.name, 'Sam Whitaker');
  assert.equal(typeof swEast.overdue_work, 'number');
  assert.equal(all.json.children, all.json.workers.reduce((s, w) => s + w.children, 0));
  for (const k of kids) assert.ok(!all.text.includes(k.last_name), 'the counts name no child');

  const west = await as.manager.get('/api/v1/caseloads?team=West%20Team');
  assert.equal(west.status, 200);
  assert.equal(west.json.team, 'West Team');
  assert.deepEqual(west.json.workers.map((w) => [w.username, w.children]), [['n.sw2', 1]]);
  assert.deepEqual(west.json.teams, [{ team: 'West Team', children: 1, workers: 1 }]);

  const one = await as.director.get('/api/v1/caseloads?worker=n.sw');
  assert.equal(one.status, 200);
  assert.equal(one.json.worker.username, 'n.sw');
  const ids = one.json.children.map((c) => c.child_id);
  assert.ok(ids.includes(kids[0].id) && ids.includes(kids[1].id) && !ids.includes(kids[2].id));
  assert.equal(one.json.children.find((c) => c.child_id === kids[0].id).last_name, kids[0].last_name);
  const listed = await sh.query(`SELECT object_id FROM audit_log WHERE action = 'caseload.read' AND actor = 'n.dir' AND object_type = 'child'`);
  for (const k of [kids[0], kids[1]]) assert.ok(listed.some((l) => l.object_id === k.id), 'each child listed is audited');

  for (const path of ['/api/v1/caseloads?worker=nobody', '/api/v1/caseloads?team=']) {
    const bad = await as.manager.get(path);
    assert.equal(bad.status, 422, `${path}: ${bad.describe()}`);
  }
  assert.equal((await as.manager.get('/api/v1/caseloads?colour=red')).status, 422);
  assert.equal((await as.sw.get('/api/v1/caseloads')).status, 403);

  const mine = await as.sw2.get('/api/v1/caseloads/mine');
  assert.equal(mine.status, 200);
  assert.ok(mine.json.children.some((c) => c.child_id === kids[2].id));
  assert.ok(!mine.json.children.some((c) => c.child_id === kids[0].id));
  assert.equal((await as.referrer.get('/api/v1/caseloads/mine')).status, 403);
});

test('the server stops cleanly', async () => {
  assert.equal((await sh.stop()).code, 0);
});
