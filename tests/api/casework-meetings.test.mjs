// Strategy discussions, multi-agency CSE meetings and their actions, and
// referrals to support services, through the API: a meeting about one or more
// children with attendees by agency, decisions and actions (each on its
// owner's clock, due at the end of its due date), the child's meeting
// deadline met, every attending agency involved; overdue actions escalating
// with `safehub sla run --as-of`; completing actions (owner or manager only,
// once); a multi-child meeting naming to each user only the children they may
// see; support referrals with status, engagement and outcome; bad input
// refused with 422 naming each field and nothing written.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Safehub, addAgencies, childBody } from '../lib/index.mjs';

const H = 3600;
const DAY = 86400;
let sh;
const u = {};
const as = {};

/** The instant SECONDS from now as ISO 8601 UTC to the second. */
function iso(seconds) {
  return new Date((Math.floor(Date.now() / 1000) + seconds) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
/** The UK calendar date DAYS from today, YYYY-MM-DD. */
function ukDate(days) {
  const d = new Date(Date.now() + days * DAY * 1000);
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London' }).format(d);
}
/** Epoch seconds of the last second of UK date D. */
function endOfUkDay(d) {
  const [y, m, day] = d.split('-').map(Number);
  // Midnight UTC of the next day, less the UK offset then, less one second.
  const next = Date.UTC(y, m - 1, day + 1) / 1000;
  const offset = new Date(next * 1000).toLocaleString('en-GB', { timeZone: 'Europe/London', timeZoneName: 'short' }).includes('BST') ? H : 0;
  return next - offset - 1;
}
const at = (t) => new Date(t * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');

before(async () => {
  // The server's own deadline pass runs once at start only: the tests move the clock with `sla run --as-of`.
  sh = await Safehub.create({ env: { SAFEHUB_SLA_INTERVAL: '86400' } });
  await addAgencies(sh);
  u.director = await sh.addUser({ username: 'g.dir', role: 'director', agency: 'HFCSC' });
  u.manager = await sh.addUser({ username: 'g.mgr', role: 'manager', agency: 'HFCSC', manager: 'g.dir' });
  u.sw = await sh.addUser({ username: 'g.sw', role: 'social_worker', agency: 'HFCSC', manager: 'g.mgr' });
  u.cse = await sh.addUser({ username: 'g.cse', role: 'cse_worker', agency: 'HFYPP', manager: 'g.mgr' });
  u.police = await sh.addUser({ username: 'g.police', role: 'police', agency: 'HFP', name: 'DC Lee Barker' });
  u.referrer = await sh.addUser({ username: 'g.teacher', role: 'referrer', agency: 'HFEDU' });
  u.nurse = await sh.addUser({ username: 'g.nurse', role: 'referrer', agency: 'HFNHS' });
  await sh.start();
  for (const k of Object.keys(u)) as[k] = await sh.login(u[k]);
});

after(async () => {
  await sh?.destroy();
});

async function newChild(client = as.sw) {
  const r = await client.post('/api/v1/children', childBody());
  assert.equal(r.status, 201, r.describe());
  return r.json;
}

/** A deadline of KIND on CHILD, as the risk or referrals feature would open it. */
async function childDeadline(child, kind) {
  const now = Math.floor(Date.now() / 1000);
  await sh.exec(
    `INSERT INTO deadlines (id, item_type, item_id, kind, child_id, title, link, owner_id, due_at, created_at, level)
     VALUES ('dl_${kind}_${child.id}', 'child', '${child.id}', '${kind}', '${child.id}', 'Meeting due', '/x', NULL, ${now + 10 * DAY}, ${now}, 0)`,
  );
}

const meetingBody = (childIds, extra = {}) => ({
  type: 'cse_meeting',
  child_ids: childIds,
  held_at: iso(-2 * DAY),
  attendees: [
    { name: 'Sam Whitaker', agency: 'HFCSC', role: 'Social worker' },
    { name: 'DC Lee Barker', agency: 'HFP', role: 'CSE team' },
    { name: 'Ruth Adeyemi', agency: 'HFYPP' },
  ],
  decisions: 'Disruption of the address on Wharf Street.\nSafety plan agreed with the child.',
  actions: [
    { description: 'Visit the address and serve a notice', owner: 'g.police', due: ukDate(7) },
    { description: 'Weekly sessions with the child', owner: 'g.cse', due: ukDate(-1) },
  ],
  ...extra,
});

let meeting;
let kids;

test('a multi-agency CSE meeting records attendees by agency, decisions and actions on their owners\' clocks', async () => {
  kids = [await newChild(), await newChild()];
  await childDeadline(kids[0], 'cse_meeting');
  assert.equal((await as.police.get(`/api/v1/children/${kids[0].id}`)).status, 404, 'the police are not involved yet');
  const body = meetingBody(kids.map((k) => k.id));
  const r = await as.sw.post('/api/v1/meetings', body);
  assert.equal(r.status, 201, r.describe());
  meeting = r.json;
  assert.match(meeting.id, /^mt_/);
  assert.equal(meeting.type, 'cse_meeting');
  assert.equal(meeting.held_at, body.held_at);
  assert.equal(meeting.decisions, body.decisions);
  assert.deepEqual([...meeting.child_ids].sort(), kids.map((k) => k.id).sort());
  assert.equal(meeting.other_children, 0);
  assert.deepEqual(meeting.attendees.map((a) => [a.name, a.agency.code, a.role]), [
    ['Sam Whitaker', 'HFCSC', 'Social worker'], ['DC Lee Barker', 'HFP', 'CSE team'], ['Ruth Adeyemi', 'HFYPP', null]]);
  assert.equal(meeting.actions.length, 2);
  const [a0, a1] = meeting.actions;
  assert.equal(a0.owner.username, 'g.police');
  assert.equal(a0.owner.name, 'DC Lee Barker');
  assert.equal(a0.due, body.actions[0].due);
  assert.equal(Date.parse(a0.due_at) / 1000, endOfUkDay(a0.due), 'due at the end of its date, UK time');
  assert.equal(a0.completed_at, null);

  // Each action is on its owner's clock, titled without any child's details.
  const dls = await sh.query(`SELECT item_id, kind, owner_id, due_at, title, link FROM deadlines WHERE item_type = 'action' ORDER BY due_at`);
  assert.equal(dls.length, 2);
  const byId = Object.fromEntries(dls.map((d) => [d.item_id, d]));
  assert.equal(byId[a0.id].owner_id, u.police.id);
  assert.equal(byId[a1.id].owner_id, u.cse.id);
  assert.equal(Number(byId[a0.id].due_at), endOfUkDay(a0.due));
  assert.match(byId[a0.id].title, /^Action from the multi-agency CSE meeting of \d{4}-\d\d-\d\d, due \d{4}-\d\d-\d\d$/);
  assert.equal(byId[a0.id].link, `/meetings/${meeting.id}#action-${a0.id}`);
  for (const k of kids) for (const d of dls) assert.ok(!d.title.includes(k.last_name) && !d.title.includes(k.first_name));
  const policeWork = (await as.police.get('/api/v1/work')).json.items;
  assert.ok(policeWork.some((i) => i.item_id === a0.id));

  // The child's meeting deadline is met; both children's chronologies show it; the attending agencies are involved.
  const dl = await sh.query(`SELECT met_at FROM deadlines WHERE item_id = '${kids[0].id}' AND kind = 'cse_meeting'`);
  assert.ok(dl[0].met_at, 'the cse_meeting deadline is met');
  for (const k of kids) {
    const chron = (await as.sw.get(`/api/v1/children/${k.id}/chronology?type=meeting`)).json;
    assert.equal(chron.length, 1);
    assert.match(chron[0].summary, /^Multi-agency CSE meeting with 3 attendees\. Decisions: Disruption of the address on Wharf Street\. Safety plan agreed with the child\. 2 actions agreed\.$/);
    assert.equal(chron[0].at, body.held_at);
    assert.equal((await as.police.get(`/api/v1/children/${k.id}`)).status, 200, 'the police attended, so are involved');
  }
  const got = await as.police.get(`/api/v1/meetings/${meeting.id}`);
  assert.equal(got.status, 200);
  assert.deepEqual(got.json, meeting);
  const readsOfFirst = () => sh.scalar(`SELECT count(*) FROM audit_log WHERE object_id = '${kids[0].id}' AND action = 'meeting.read' AND actor = '${u.cse.username}'`);
  assert.equal(await readsOfFirst(), 0);
  const list = await as.cse.get(`/api/v1/children/${kids[1].id}/meetings`);
  assert.equal(list.status, 200);
  assert.deepEqual(list.json.meetings.map((m) => m.id), [meeting.id]);
  // The meeting shown is about the other child too: that child's audit trail records the read.
  assert.equal(await readsOfFirst(), 1);
  const entry = (await sh.query(`SELECT details FROM audit_log WHERE object_id = '${kids[0].id}' AND action = 'meeting.read' AND actor = '${u.cse.username}'`))[0];
  assert.equal(JSON.parse(entry.details).meeting, meeting.id);
  assert.equal(await sh.scalar(`SELECT count(*) FROM audit_log WHERE action = 'meeting.create' AND outcome = 'ok'`), 2, 'one entry per child');
});

test('an overdue action escalates; its owner (or a manager) marks it done, once', async () => {
  const [a0, a1] = meeting.actions;
  const due = Date.parse(a1.due_at) / 1000;
  const steps = async (id) => (await sh.query(
    `SELECT e.level, u.username FROM escalations e JOIN deadlines d ON d.id = e.deadline_id JOIN users u ON u.id = e.to_user_id WHERE d.item_id = '${id}' ORDER BY e.level`,
  )).map((r) => `${r.level} ${r.username}`);
  await sh.cliOk(['sla', 'run', '--as-of', at(due - 1)]);
  assert.deepEqual(await steps(a1.id), []);
  await sh.cliOk(['sla', 'run', '--as-of', at(due + 1)]);
  assert.deepEqual(await steps(a1.id), ['1 g.mgr'], 'to the owner\'s manager');
  assert.ok((await as.manager.get('/api/v1/work')).json.items.some((i) => i.item_id === a1.id && i.escalated_to_me === 1));

  // Not the owner's to close: refused and audited.
  const notMine = await as.sw.post(`/api/v1/actions/${a1.id}/complete`, {});
  assert.equal(notMine.status, 403);
  assert.equal(await sh.scalar(`SELECT count(*) FROM audit_log WHERE object_id = '${a1.id}' AND action = 'action.complete' AND outcome = 'denied'`), 1);
  const bad = await as.cse.post(`/api/v1/actions/${a1.id}/complete`, { note: 5, extra: true });
  assert.equal(bad.status, 422);
  assert.deepEqual(Object.keys(bad.json.error.fields).sort(), ['extra', 'note']);
  const done = await as.cse.post(`/api/v1/actions/${a1.id}/complete`, { note: 'First two sessions held.' });
  assert.equal(done.status, 200, done.describe());
  assert.equal(done.json.id, a1.id);
  assert.equal(done.json.completed_by, 'g.cse');
  assert.equal(done.json.note, 'First two sessions held.');
  assert.ok(done.json.completed_at);
  assert.equal(done.json.meeting_id, meeting.id);
  assert.equal((await as.cse.post(`/api/v1/actions/${a1.id}/complete`, {})).status, 409, 'once');
  assert.ok((await sh.query(`SELECT met_at FROM deadlines WHERE item_id = '${a1.id}'`))[0].met_at);
  assert.ok(!(await as.manager.get('/api/v1/work')).json.items.some((i) => i.item_id === a1.id), 'the escalation ends');
  // A manager may close anyone's action.
  assert.equal((await as.manager.post(`/api/v1/actions/${a0.id}/complete`, {})).status, 200);
  const chron = (await as.sw.get(`/api/v1/children/${kids[0].id}/chronology?type=action`)).json;
  assert.equal(chron.length, 2);
  assert.ok(chron.some((e) => /^Action from the multi-agency CSE meeting of .* done: Weekly sessions with the child Note: First two sessions held\.$/.test(e.summary)));
  assert.equal((await as.sw.post('/api/v1/actions/ac_doesnotexist/complete', {})).status, 404);
});

test('a strategy discussion meets the child\'s strategy discussion deadline', async () => {
  const child = await newChild();
  await childDeadline(child, 'strategy_discussion');
  const r = await as.manager.post('/api/v1/meetings', {
    type: 'strategy_discussion', child_ids: [child.id], held_at: iso(-1 * H),
    attendees: [{ name: 'M. Firth', agency: 'HFCSC' }, { name: 'DS Khan', agency: 'HFP' }],
    decisions: 'Section 47 enquiry to begin.',
  });
  assert.equal(r.status, 201, r.describe());
  assert.deepEqual(r.json.actions, []);
  assert.ok((await sh.query(`SELECT met_at FROM deadlines WHERE item_id = '${child.id}' AND kind = 'strategy_discussion'`))[0].met_at);
  assert.match((await as.manager.get(`/api/v1/children/${child.id}/chronology?type=meeting`)).json[0].summary, /^Strategy discussion with 2 attendees/);
});

test('bad meetings are refused with 422 naming each field, and nothing is written', async () => {
  const mine = await newChild();
  const hidden = await newChild(as.referrer);
  const count = () => sh.scalar('SELECT (SELECT count(*) FROM meetings) + (SELECT count(*) FROM actions) + (SELECT count(*) FROM chronology) + (SELECT count(*) FROM deadlines)');
  const before = await count();
  for (const [body, fields] of [
    [{ ...meetingBody([mine.id]), type: 'case_conference' }, ['type']],
    [{ ...meetingBody([]) }, ['child_ids']],
    [{ ...meetingBody([mine.id, mine.id]) }, ['child_ids']],
    [{ ...meetingBody([mine.id, hidden.id, 'ch_doesnotexist']) }, ['child_ids[1]', 'child_ids[2]']],
    [{ ...meetingBody([mine.id]), held_at: iso(3 * H) }, ['held_at', 'actions[1].due']],
    [{ ...meetingBody([mine.id]), attendees: [] }, ['attendees']],
    [{ ...meetingBody([mine.id]), attendees: [{ name: 'X', agency: 'NOPE' }, { agency: 'HFP' }] }, ['attendees[0].agency', 'attendees[1].name']],
    [{ ...meetingBody([mine.id]), actions: [{ description: 'x', owner: 'nobody', due: ukDate(3) }, { description: 'y', owner: 'g.sw', due: ukDate(-5) }] },
      ['actions[0].owner', 'actions[1].due']],
    [{ ...meetingBody([mine.id]), actions: [{ description: 'x', owner: 'g.sw', due: '2026-02-30' }] }, ['actions[0].due']],
    [{ ...meetingBody([mine.id]), decisions: undefined, minutes: 'x' }, ['decisions', 'minutes']],
  ]) {
    const r = await as.sw.post('/api/v1/meetings', body);
    assert.equal(r.status, 422, `${JSON.stringify(body).slice(0, 100)}: ${r.describe()}`);
    assert.deepEqual(Object.keys(r.json.error.fields).sort(), [...fields].sort(), r.text);
    assert.ok(!r.text.includes(hidden.last_name));
  }
  assert.equal(await count(), before);
  assert.equal(await sh.scalar(`SELECT count(*) FROM audit_log WHERE object_id = '${hidden.id}' AND action = 'meeting.create' AND outcome = 'denied'`), 1);
});

test('a meeting about several children names to each user only the children they may see', async () => {
  const theirs = await newChild(as.nurse);
  const other = await newChild();
  const r = await as.manager.post('/api/v1/meetings', {
    type: 'cse_meeting', child_ids: [theirs.id, other.id], held_at: iso(-3 * H),
    attendees: [{ name: 'M. Firth', agency: 'HFCSC' }], decisions: 'Network meeting.',
  });
  assert.equal(r.status, 201, r.describe());
  const seen = await as.nurse.get(`/api/v1/meetings/${r.json.id}`);
  assert.equal(seen.status, 200);
  assert.deepEqual(seen.json.child_ids, [theirs.id]);
  assert.equal(seen.json.other_children, 1);
  assert.ok(!seen.text.includes(other.id));
  assert.equal((await as.referrer.get(`/api/v1/meetings/${r.json.id}`)).status, 404, 'no child of it is theirs');
  assert.equal((await as.nurse.get('/api/v1/meetings/mt_doesnotexist')).status, 404);
});

test('support referrals record the service, status, engagement and outcome; a closed one stays closed', async () => {
  const child = await newChild();
  const before = await sh.scalar('SELECT count(*) FROM support_referrals');
  for (const [body, fields] of [
    [{}, ['service', 'status']],
    [{ service: 'yoga', status: 'maybe', engagement: 'sometimes' }, ['engagement', 'service', 'status']],
    [{ service: 'isva', status: 'closed' }, ['outcome']],
    [{ service: 'isva', status: 'referred', referred_on: ukDate(2), provider: 7 }, ['provider', 'referred_on']],
  ]) {
    const r = await as.sw.post(`/api/v1/children/${child.id}/support`, body);
    assert.equal(r.status, 422, `${JSON.stringify(body)}: ${r.describe()}`);
    assert.deepEqual(Object.keys(r.json.error.fields).sort(), fields.sort(), r.text);
  }
  assert.equal(await sh.scalar('SELECT count(*) FROM support_referrals'), before);
  assert.equal((await as.police.post(`/api/v1/children/${child.id}/support`, { service: 'isva', status: 'referred' })).status, 403);

  const r = await as.sw.post(`/api/v1/children/${child.id}/support`, { service: 'isva', status: 'referred', provider: 'Holmford Rape Crisis' });
  assert.equal(r.status, 201, r.describe());
  const s = r.json;
  assert.match(s.id, /^sp_/);
  assert.equal(s.engagement, 'not_known');
  assert.equal(s.referred_on, ukDate(0));
  assert.equal(s.agency.code, 'HFCSC');
  const camhs = await as.sw.post(`/api/v1/children/${child.id}/support`, { service: 'camhs', status: 'waiting', engagement: 'engaging', referred_on: ukDate(-20) });
  assert.equal(camhs.status, 201);

  const up = await as.sw.patch(`/api/v1/support/${s.id}`, { status: 'active', engagement: 'partly_engaging' });
  assert.equal(up.status, 200, up.describe());
  assert.equal(up.json.status, 'active');
  assert.equal(up.json.version, 2);
  assert.equal((await as.sw.patch(`/api/v1/support/${s.id}`, { service: 'camhs' })).status, 422, 'the service is fixed');
  const noOutcome = await as.sw.patch(`/api/v1/support/${s.id}`, { status: 'closed' });
  assert.equal(noOutcome.status, 422);
  assert.ok(noOutcome.json.error.fields.outcome);
  const closed = await as.sw.patch(`/api/v1/support/${s.id}`, { status: 'closed', outcome: 'Support completed; the child felt heard.' });
  assert.equal(closed.status, 200);
  const reopen = await as.sw.patch(`/api/v1/support/${s.id}`, { status: 'active' });
  assert.equal(reopen.status, 409);
  assert.ok(reopen.json.error.fields.status);

  const list = await as.sw.get(`/api/v1/children/${child.id}/support`);
  assert.equal(list.status, 200);
  assert.deepEqual(list.json.referrals.map((x) => x.service), ['isva', 'camhs'], 'the latest referred first');
  assert.equal((await as.sw.get(`/api/v1/support/${s.id}`)).json.outcome, 'Support completed; the child felt heard.');
  assert.equal((await as.referrer.get(`/api/v1/support/${s.id}`)).status, 404, 'not involved');
  const chron = (await as.sw.get(`/api/v1/children/${child.id}/chronology?type=support`)).json;
  assert.equal(chron.length, 4);
  assert.ok(chron.some((e) => e.summary === 'Referred to Independent sexual violence adviser (ISVA) (Holmford Rape Crisis). Status: Referred; engagement: Not known yet.'));
  assert.ok(chron.some((e) => /^Independent sexual violence adviser \(ISVA\): status now Closed; outcome: Support completed; the child felt heard\.\.?$/.test(e.summary)), JSON.stringify(chron));
});

test('the server stops cleanly', async () => {
  assert.equal((await sh.stop()).code, 0);
});
