// Missing episodes and return-home interviews through the API, on the real
// server: the contract's POST, the interview falling due 72 hours after the
// return on the lead worker's list, adding the return later, recording the
// interview (held, or declined by the child) once, bad input refused with 422
// naming each field and nothing written (a return before the child went
// missing among it), overdue interviews escalating up the management chain
// with `safehub sla run --as-of` (never by waiting), three episodes in 90
// days flagging the child and asking for a risk review, the chronology, and
// need-to-know access with every refusal audited.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Safehub, addAgencies, childBody } from '../lib/index.mjs';

const H = 3600;
const DAY = 86400;
let sh;
const u = {};
const as = {};

/** The instant SECONDS from now (negative: in the past) as ISO 8601 UTC to the second. */
function iso(seconds) {
  return new Date((Math.floor(Date.now() / 1000) + seconds) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
/** Epoch seconds of an ISO instant. */
const epoch = (s) => Date.parse(s) / 1000;
const q = (s) => s.replace(/'/g, "''");

before(async () => {
  // The server's own deadline pass runs once at start only: the tests move the clock with `sla run --as-of`.
  // A requested risk review falls due in 15 working days here (5 by default): the setting is honoured.
  sh = await Safehub.create({ env: { SAFEHUB_SLA_INTERVAL: '86400', SAFEHUB_RISK_REVIEW_REQUEST_WORKING_DAYS: '15' } });
  await addAgencies(sh);
  u.director = await sh.addUser({ username: 'm.dir', role: 'director', agency: 'HFCSC' });
  u.manager = await sh.addUser({ username: 'm.mgr', role: 'manager', agency: 'HFCSC', manager: 'm.dir' });
  u.sw = await sh.addUser({ username: 'm.sw', role: 'social_worker', agency: 'HFCSC', manager: 'm.mgr', name: 'Sam Worker' });
  u.cse = await sh.addUser({ username: 'm.cse', role: 'cse_worker', agency: 'HFYPP', manager: 'm.mgr' });
  u.police = await sh.addUser({ username: 'm.police', role: 'police', agency: 'HFP' });
  u.mash = await sh.addUser({ username: 'm.mash', role: 'mash', agency: 'HFCSC', manager: 'm.mgr' });
  u.referrer = await sh.addUser({ username: 'm.teacher', role: 'referrer', agency: 'HFEDU' });
  await sh.start();
  for (const k of Object.keys(u)) as[k] = await sh.login(u[k]);
});

after(async () => {
  await sh?.destroy();
});

/** A new child recorded by the social worker (so children's social care is involved). */
async function newChild(overrides = {}) {
  const r = await as.sw.post('/api/v1/children', childBody(overrides));
  assert.equal(r.status, 201, r.describe());
  return r.json;
}

/** Row counts of everything recording an episode touches. */
async function counts() {
  const row = (
    await sh.query(
      'SELECT (SELECT count(*) FROM missing_episodes) AS episodes, (SELECT count(*) FROM chronology) AS chronology, ' +
        '(SELECT count(*) FROM deadlines) AS deadlines, (SELECT count(*) FROM child_involvement) AS involvement, ' +
        "(SELECT count(*) FROM audit_log WHERE action LIKE 'missing_episode.%' AND outcome = 'ok') AS audited",
    )
  )[0];
  return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, Number(v)]));
}

test('an episode is recorded; the return-home interview falls due 72 hours after the return, on the lead worker\'s list', async () => {
  const child = await newChild({ first_name: 'Wrenna', last_name: 'Oxleyhurst' });
  const alloc = await as.manager.post(`/api/v1/children/${child.id}/allocation`, { worker: 'm.sw', team: 'Holmford CSE Team' });
  assert.equal(alloc.status, 201, alloc.describe());
  const body = {
    went_missing_at: iso(-30 * H),
    returned_at: iso(-6 * H),
    reported_to_police: true,
    where_found: '  Holmford bus station ',
    with_whom: 'Two older males',
  };
  const r = await as.sw.post(`/api/v1/children/${child.id}/missing-episodes`, body);
  assert.equal(r.status, 201, r.describe());
  const ep = r.json;
  assert.match(ep.id, /^me_[A-Za-z0-9_-]+$/);
  assert.equal(ep.child_id, child.id);
  assert.equal(ep.went_missing_at, body.went_missing_at);
  assert.equal(ep.returned_at, body.returned_at);
  assert.equal(ep.reported_to_police, true);
  assert.equal(ep.where_found, 'Holmford bus station', 'text is trimmed');
  assert.equal(ep.with_whom, 'Two older males');
  assert.equal(ep.agency.code, 'HFCSC');
  assert.equal(ep.recorded_by, 'm.sw');
  assert.equal(ep.return_interview.status, 'due');
  assert.equal(epoch(ep.return_interview.due_at), epoch(body.returned_at) + 72 * H, '72 hours after the return');

  // On the clock: owned by the lead worker, titled without the child's details.
  const dl = await sh.query(`SELECT item_type, kind, title, link, owner_id, due_at, child_id FROM deadlines WHERE item_id = '${ep.id}'`);
  assert.equal(dl.length, 1);
  assert.equal(dl[0].item_type, 'missing_episode');
  assert.equal(dl[0].kind, 'return_interview');
  assert.equal(dl[0].owner_id, u.sw.id);
  assert.equal(Number(dl[0].due_at), epoch(body.returned_at) + 72 * H);
  assert.match(dl[0].title, /^Return-home interview due \(episode of \d{4}-\d\d-\d\d\)$/);
  for (const secret of ['Wrenna', 'Oxleyhurst', child.nhs_number, child.postcode]) assert.ok(!dl[0].title.includes(secret));
  const work = await as.sw.get('/api/v1/work');
  const item = work.json.items.find((i) => i.item_id === ep.id);
  assert.ok(item, 'on the lead worker\'s work list');
  assert.equal(item.state, 'upcoming', 'due in 66 hours');

  // Read back: one episode, and the chronology across agencies shows it.
  const list = await as.sw.get(`/api/v1/children/${child.id}/missing-episodes`);
  assert.equal(list.status, 200);
  assert.equal(list.json.episodes.length, 1);
  assert.deepEqual(list.json.episodes[0], ep);
  assert.deepEqual(list.json.flag, { flagged: false, episodes_in_period: 1, period_days: 90, threshold: 3 });
  const one = await as.manager.get(`/api/v1/missing-episodes/${ep.id}`);
  assert.equal(one.status, 200);
  assert.deepEqual(one.json, ep);
  const chron = await as.sw.get(`/api/v1/children/${child.id}/chronology?type=missing_episode`);
  assert.equal(chron.json.length, 1);
  assert.equal(chron.json[0].at, body.went_missing_at);
  assert.match(chron.json[0].summary, /reported to the police/);
  assert.match(chron.json[0].summary, /Found: Holmford bus station/);

  // Audited: the change in its transaction, the reads as reads of the child.
  const audit = await sh.query(`SELECT action, outcome FROM audit_log WHERE object_id = '${child.id}' AND action LIKE 'missing_episode.%' ORDER BY seq`);
  assert.deepEqual(audit.map((a) => `${a.action} ${a.outcome}`), [
    'missing_episode.create ok',
    'missing_episode.list ok',
    'missing_episode.read ok',
  ]);
});

test('bad input is refused with 422 naming each field, and nothing is written', async () => {
  const child = await newChild({ date_of_birth: '2012-03-04' });
  const ok = await as.sw.post(`/api/v1/children/${child.id}/missing-episodes`, {
    went_missing_at: iso(-10 * DAY),
    returned_at: iso(-9 * DAY),
    reported_to_police: false,
  });
  assert.equal(ok.status, 201, ok.describe());
  const before = await counts();
  const cases = [
    [{ went_missing_at: iso(-5 * H), returned_at: iso(-6 * H), reported_to_police: true }, ['returned_at']],
    [{ went_missing_at: iso(2 * H), reported_to_police: true }, ['went_missing_at']],
    [{ went_missing_at: iso(-5 * H), returned_at: iso(3 * H), reported_to_police: true }, ['returned_at']],
    [{ returned_at: iso(-1 * H) }, ['went_missing_at', 'reported_to_police']],
    [{ went_missing_at: '2026-13-01T10:00:00Z', reported_to_police: 'yes', mood: 'sad' }, ['went_missing_at', 'reported_to_police', 'mood']],
    [{ went_missing_at: '2026-11-20 10:00', reported_to_police: true }, ['went_missing_at']],
    [{ went_missing_at: iso(-5 * H), reported_to_police: true, where_found: 'Park' }, ['where_found']],
    [{ went_missing_at: '2012-03-03T10:00:00Z', reported_to_police: true }, ['went_missing_at']],
    [{ went_missing_at: iso(-9 * DAY - H), returned_at: iso(-8 * DAY), reported_to_police: true }, ['went_missing_at']],
    [{ went_missing_at: iso(-5 * H), reported_to_police: true, with_whom: 'x'.repeat(1001) }, ['with_whom']],
    [{ went_missing_at: iso(-5 * H), reported_to_police: true, where_found: 'a\u0007b' }, ['where_found']],
  ];
  for (const [body, fields] of cases) {
    const r = await as.sw.post(`/api/v1/children/${child.id}/missing-episodes`, body);
    assert.equal(r.status, 422, `${JSON.stringify(body)}: ${r.describe()}`);
    assert.equal(r.errorCode, 'invalid_fields');
    assert.deepEqual(Object.keys(r.json.error.fields).sort(), [...fields].sort(), `${JSON.stringify(body)}: ${r.text}`);
  }
  const first = await as.sw.post(`/api/v1/children/${child.id}/missing-episodes`, cases[0][0]);
  assert.match(first.json.error.fields.returned_at, /before the child went missing/);
  const overlap = await as.sw.post(`/api/v1/children/${child.id}/missing-episodes`, cases[8][0]);
  assert.match(overlap.json.error.fields.went_missing_at, /overlaps/);
  // Not JSON, or not an object: 400.
  const raw = await as.sw.request('POST', `/api/v1/children/${child.id}/missing-episodes`, { body: '{"went_missing_at":', contentType: 'application/json' });
  assert.equal(raw.status, 400);
  assert.deepEqual(await counts(), before, 'nothing written by any refusal');
  const refusals = await sh.scalar(`SELECT count(*) FROM audit_log WHERE object_id = '${child.id}' AND action = 'missing_episode.create' AND outcome = 'invalid'`);
  assert.equal(refusals, cases.length + 2, 'each refusal audited');
});

test('the return is added later; the interview is recorded once, held or declined', async () => {
  const child = await newChild();
  const open = await as.police.post(`/api/v1/children/${child.id}/missing-episodes`, { went_missing_at: iso(-2 * H), reported_to_police: true });
  assert.equal(open.status, 404, 'the police are not involved with this child yet');
  const created = await as.mash.post(`/api/v1/children/${child.id}/missing-episodes`, { went_missing_at: iso(-50 * H), reported_to_police: true });
  assert.equal(created.status, 201, created.describe());
  const ep = created.json;
  assert.equal(ep.returned_at, null);
  assert.equal(ep.return_interview.status, 'awaiting_return');
  assert.equal(ep.return_interview.due_at, null);
  assert.equal(await sh.scalar(`SELECT count(*) FROM deadlines WHERE item_id = '${ep.id}'`), 0, 'nothing due before the return');

  // No interview before the child is back.
  const early = await as.sw.post(`/api/v1/missing-episodes/${ep.id}/return-interview`, { conducted_by: 'A', independent: true, childs_account: 'x' });
  assert.equal(early.status, 409);
  assert.ok(early.json.error.fields.returned_at);

  const before = await counts();
  const bad = await as.sw.patch(`/api/v1/missing-episodes/${ep.id}`, { returned_at: iso(-51 * H) });
  assert.equal(bad.status, 422);
  assert.match(bad.json.error.fields.returned_at, /before the child went missing/);
  assert.deepEqual(await counts(), before);

  const back = iso(-2 * H);
  const patched = await as.sw.patch(`/api/v1/missing-episodes/${ep.id}`, { returned_at: back, where_found: 'A flat on Wharf Street', with_whom: 'Adult male, about 30' });
  assert.equal(patched.status, 200, patched.describe());
  assert.equal(patched.json.returned_at, back);
  assert.equal(patched.json.version, 2);
  assert.equal(patched.json.reported_to_police, true, 'untouched fields stay');
  assert.equal(patched.json.return_interview.status, 'due');
  assert.equal(epoch(patched.json.return_interview.due_at), epoch(back) + 72 * H);
  const dl = await sh.query(`SELECT owner_id, due_at, met_at FROM deadlines WHERE item_id = '${ep.id}'`);
  assert.equal(dl.length, 1);
  assert.equal(dl[0].owner_id, null, 'no lead worker: the MASH queue');
  assert.equal(Number(dl[0].due_at), epoch(back) + 72 * H);
  assert.equal((await as.sw.patch(`/api/v1/missing-episodes/${ep.id}`, { returned_at: null })).status, 422, 'a return cannot be removed');

  // The interview: every missing field named at once; then recorded, once.
  const missing = await as.cse.post(`/api/v1/missing-episodes/${ep.id}/return-interview`, {});
  assert.equal(missing.status, 404, 'the CSE project is not involved');
  const empty = await as.sw.post(`/api/v1/missing-episodes/${ep.id}/return-interview`, {});
  assert.equal(empty.status, 422);
  assert.deepEqual(Object.keys(empty.json.error.fields).sort(), ['childs_account', 'conducted_by', 'independent']);
  const mixed = await as.sw.post(`/api/v1/missing-episodes/${ep.id}/return-interview`, { declined: true, childs_account: 'x', independent: false });
  assert.deepEqual(Object.keys(mixed.json.error.fields).sort(), ['childs_account', 'independent', 'reason']);
  const beforeIv = await as.sw.post(`/api/v1/missing-episodes/${ep.id}/return-interview`, {
    conducted_by: 'R. Adeyemi', independent: true, childs_account: 'x', conducted_at: iso(-3 * H),
  });
  assert.equal(beforeIv.status, 422);
  assert.match(beforeIv.json.error.fields.conducted_at, /before the child returned/);
  const account = 'He said I could stay at his flat.\nHe gave me a phone.';
  const iv = await as.sw.post(`/api/v1/missing-episodes/${ep.id}/return-interview`, {
    conducted_by: ' R. Adeyemi, Young People\'s Project ', independent: true, childs_account: account,
  });
  assert.equal(iv.status, 201, iv.describe());
  const ri = iv.json.return_interview;
  assert.equal(ri.status, 'completed');
  assert.equal(ri.conducted_by, 'R. Adeyemi, Young People\'s Project');
  assert.equal(ri.independent, true);
  assert.equal(ri.childs_account, account, 'the child\'s words kept verbatim');
  assert.equal(ri.declined, false);
  assert.equal(ri.recorded_by, 'm.sw');
  assert.equal(ri.agency.code, 'HFCSC');
  assert.ok((await sh.query(`SELECT met_at FROM deadlines WHERE item_id = '${ep.id}'`))[0].met_at, 'the deadline is met');
  const again = await as.sw.post(`/api/v1/missing-episodes/${ep.id}/return-interview`, { declined: true, reason: 'x' });
  assert.equal(again.status, 409);
  const moved = await as.sw.patch(`/api/v1/missing-episodes/${ep.id}`, { returned_at: iso(-1 * H) });
  assert.equal(moved.status, 409, 'times are fixed once the interview is recorded');
  const detail = await as.sw.patch(`/api/v1/missing-episodes/${ep.id}`, { with_whom: 'Adult male, about 35' });
  assert.equal(detail.status, 200, 'details can still be corrected');

  // A child may decline.
  const ep2 = (await as.sw.post(`/api/v1/children/${child.id}/missing-episodes`, {
    went_missing_at: iso(-30 * DAY), returned_at: iso(-29 * DAY), reported_to_police: false,
  })).json;
  const declined = await as.sw.post(`/api/v1/missing-episodes/${ep2.id}/return-interview`, { declined: true, reason: 'Did not want to talk to anyone', conducted_by: 'S. Worker' });
  assert.equal(declined.status, 201, declined.describe());
  assert.equal(declined.json.return_interview.status, 'declined');
  assert.equal(declined.json.return_interview.declined, true);
  assert.equal(declined.json.return_interview.reason, 'Did not want to talk to anyone');
  assert.equal(declined.json.return_interview.childs_account, null);
  assert.equal(declined.json.return_interview.independent, null);

  const chron = await as.sw.get(`/api/v1/children/${child.id}/chronology?type=return_interview`);
  assert.equal(chron.json.length, 2);
  assert.ok(chron.json.some((e) => /In the child's words: .He said I could stay at his flat. He gave me a phone./.test(e.summary)));
  assert.ok(chron.json.some((e) => /declined by the child/.test(e.summary)));
});

test('an overdue return-home interview escalates to the manager and then the director', async () => {
  const child = await newChild();
  await as.manager.post(`/api/v1/children/${child.id}/allocation`, { worker: 'm.sw', team: 'Holmford CSE Team' });
  const back = iso(-100 * H);
  const ep = (await as.sw.post(`/api/v1/children/${child.id}/missing-episodes`, {
    went_missing_at: iso(-110 * H), returned_at: back, reported_to_police: true,
  })).json;
  const due = epoch(back) + 72 * H;
  assert.equal(epoch(ep.return_interview.due_at), due);
  assert.equal(ep.return_interview.status, 'overdue', 'already past its 72 hours');
  const steps = async () =>
    (await sh.query(
      `SELECT e.level, u.username FROM escalations e JOIN deadlines d ON d.id = e.deadline_id JOIN users u ON u.id = e.to_user_id WHERE d.item_id = '${ep.id}' ORDER BY e.level`,
    )).map((r) => `${r.level} ${r.username}`);
  const at = (t) => new Date(t * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  await sh.cliOk(['sla', 'run', '--as-of', at(due - 60)]);
  assert.deepEqual(await steps(), [], 'not before it falls due');
  await sh.cliOk(['sla', 'run', '--as-of', at(due)]);
  assert.deepEqual(await steps(), ['1 m.mgr'], 'to the lead worker\'s manager as it falls due');
  const mgrWork = await as.manager.get('/api/v1/work');
  const mine = mgrWork.json.items.find((i) => i.item_id === ep.id);
  assert.equal(mine.escalated_to_me, 1);
  assert.equal(mine.state, 'overdue');
  const team = await as.manager.get('/api/v1/work/team');
  assert.ok(team.json.items.some((i) => i.item_id === ep.id && i.owner === 'm.sw'));
  await sh.cliOk(['sla', 'run', '--as-of', at(due + 30 * DAY)]);
  assert.deepEqual(await steps(), ['1 m.mgr', '2 m.dir'], 'then to the director');
  const notes = await sh.query(`SELECT message FROM notifications WHERE item_id = '${ep.id}'`);
  assert.equal(notes.length, 2);
  for (const n of notes) {
    assert.match(n.message, /Return-home interview due/);
    for (const secret of [child.first_name, child.last_name, child.nhs_number]) assert.ok(!n.message.includes(secret));
  }
  // Recording the interview ends the escalation.
  const iv = await as.sw.post(`/api/v1/missing-episodes/${ep.id}/return-interview`, { conducted_by: 'S. Worker', independent: false, childs_account: 'Not much.' });
  assert.equal(iv.status, 201);
  assert.ok(!(await as.manager.get('/api/v1/work')).json.items.some((i) => i.item_id === ep.id));
});

test('three episodes in 90 days flag the child and ask for a risk review; spread wider, they do not', async () => {
  const child = await newChild();
  const post = (went, ret) =>
    as.sw.post(`/api/v1/children/${child.id}/missing-episodes`, { went_missing_at: iso(-went * DAY), returned_at: iso(-ret * DAY), reported_to_police: true });
  assert.equal((await post(85, 84)).status, 201);
  assert.equal((await post(50, 49)).status, 201);
  const review = () => sh.query(`SELECT owner_id, title, met_at, due_at FROM deadlines WHERE item_type = 'child' AND item_id = '${child.id}' AND kind = 'risk_review_request'`);
  assert.deepEqual(await review(), [], 'two episodes, no lead worker: nothing asked yet');
  assert.equal((await as.sw.get(`/api/v1/children/${child.id}/chronology?type=flag`)).json.length, 0);
  const third = await post(10, 9);
  assert.equal(third.status, 201);
  const flags = (await as.sw.get(`/api/v1/children/${child.id}/chronology?type=flag`)).json;
  assert.equal(flags.length, 1);
  assert.match(flags[0].summary, /3 missing episodes within 90 days/);
  const rr = await review();
  assert.equal(rr.length, 1);
  assert.equal(rr[0].title, 'Risk review requested: repeated missing episodes');
  assert.equal(rr[0].owner_id, null, 'no lead worker: the MASH queue');
  const dueDays = (Number(rr[0].due_at) - Date.now() / 1000) / DAY;
  assert.ok(dueDays > 18 && dueDays < 28, `15 working days is about three weeks (from a weekend a little less), not ${dueDays.toFixed(1)} days`);
  const list = (await as.sw.get(`/api/v1/children/${child.id}/missing-episodes`)).json;
  assert.deepEqual(list.flag, { flagged: true, episodes_in_period: 3, period_days: 90, threshold: 3 });
  const starts = list.episodes.map((e) => epoch(e.went_missing_at));
  assert.deepEqual(starts, [...starts].sort((a, b) => b - a), 'the latest to go missing first');

  // Allocating a lead worker hands the open interviews and the review to them.
  await as.manager.post(`/api/v1/children/${child.id}/allocation`, { worker: 'm.sw', team: 'Holmford CSE Team' });
  assert.equal((await review())[0].owner_id, u.sw.id);
  const owners = await sh.query(`SELECT DISTINCT owner_id FROM deadlines WHERE child_id = '${child.id}' AND kind = 'return_interview' AND met_at IS NULL`);
  assert.deepEqual(owners.map((o) => o.owner_id), [u.sw.id]);

  // Spread over more than 90 days: no flag.
  const wide = await newChild();
  for (const [w, r] of [[200, 199], [150, 149], [105, 104]]) {
    const x = await as.sw.post(`/api/v1/children/${wide.id}/missing-episodes`, { went_missing_at: iso(-w * DAY), returned_at: iso(-r * DAY), reported_to_police: true });
    assert.equal(x.status, 201);
  }
  assert.equal((await as.sw.get(`/api/v1/children/${wide.id}/chronology?type=flag`)).json.length, 0);
  assert.equal((await as.sw.get(`/api/v1/children/${wide.id}/missing-episodes`)).json.flag.flagged, false);
});

test('with a lead worker, a new episode puts a risk review on the worker\'s list', async () => {
  const child = await newChild();
  await as.manager.post(`/api/v1/children/${child.id}/allocation`, { worker: 'm.cse', team: 'Young People\'s Project' });
  const r = await as.police.post(`/api/v1/children/${child.id}/missing-episodes`, { went_missing_at: iso(-3 * H), reported_to_police: true });
  assert.equal(r.status, 404, 'the police are not involved');
  const ok = await as.cse.post(`/api/v1/children/${child.id}/missing-episodes`, { went_missing_at: iso(-3 * H), reported_to_police: true });
  assert.equal(ok.status, 201, ok.describe());
  const rr = await sh.query(`SELECT owner_id, title FROM deadlines WHERE item_id = '${child.id}' AND kind = 'risk_review_request'`);
  assert.deepEqual(rr, [{ owner_id: u.cse.id, title: 'Risk review requested: new information recorded' }]);
  const work = await as.cse.get('/api/v1/work');
  assert.ok(work.json.items.some((i) => i.kind === 'risk_review_request' && i.item_id === child.id));
});

test('a child the user may not see does not exist for them, and each refusal is audited', async () => {
  const child = await newChild();
  const ep = (await as.sw.post(`/api/v1/children/${child.id}/missing-episodes`, {
    went_missing_at: iso(-20 * H), returned_at: iso(-19 * H), reported_to_police: true,
  })).json;
  const before = await counts();
  for (const [client, method, path, body] of [
    [as.referrer, 'GET', `/api/v1/children/${child.id}/missing-episodes`],
    [as.police, 'GET', `/api/v1/missing-episodes/${ep.id}`],
    [as.police, 'PATCH', `/api/v1/missing-episodes/${ep.id}`, { where_found: 'x' }],
    [as.cse, 'POST', `/api/v1/missing-episodes/${ep.id}/return-interview`, { declined: true, reason: 'x' }],
    [as.sw, 'GET', '/api/v1/missing-episodes/me_doesnotexist'],
    [as.sw, 'GET', '/api/v1/children/ch_doesnotexist/missing-episodes'],
  ]) {
    const r = await client.request(method, path, body ? { json: body } : {});
    assert.equal(r.status, 404, `${method} ${path}: ${r.describe()}`);
    assert.equal(r.errorCode, 'not_found');
    assert.ok(!r.text.includes(child.last_name));
  }
  assert.deepEqual(await counts(), before);
  const denied = await sh.query(`SELECT actor, action FROM audit_log WHERE object_id = '${child.id}' AND outcome = 'denied' ORDER BY seq`);
  assert.deepEqual(denied.map((d) => `${d.actor} ${d.action}`), [
    'm.teacher missing_episode.list',
    'm.police missing_episode.read',
    'm.police missing_episode.update',
    'm.cse return_interview.record',
  ]);
  assert.equal(await sh.scalar("SELECT count(*) FROM audit_log WHERE object_id = 'me_doesnotexist' AND outcome = 'not_found'"), 1);
  // The admin role is refused by the route itself.
  const admin = await sh.addUser({ username: 'm.admin', role: 'admin', agency: 'HFCSC' });
  const a = await sh.login(admin);
  assert.equal((await a.get(`/api/v1/children/${child.id}/missing-episodes`)).status, 403);
  assert.equal((await a.get(`/api/v1/missing-episodes/${q(ep.id)}`)).status, 403);
});

test('a child with no lead worker: the interview is on the MASH list until someone is allocated, then it follows the lead worker', async () => {
  const child = await newChild({ first_name: 'Ottilie', last_name: 'Brackenridge' });
  const r = await as.sw.post(`/api/v1/children/${child.id}/missing-episodes`, {
    went_missing_at: iso(-20 * H), returned_at: iso(-2 * H), reported_to_police: true,
  });
  assert.equal(r.status, 201, r.describe());
  const item = async (who) => (await as[who].get('/api/v1/work')).json.items
    .find((i) => i.kind === 'return_interview' && i.item_id === r.json.id);
  const unowned = await item('mash');
  assert.ok(unowned, 'nobody owns it yet, so the MASH sees it');
  assert.equal(unowned.owner, null);
  assert.equal(await item('sw'), undefined, 'not on a worker\'s list who does not own it');
  const alloc = await as.manager.post(`/api/v1/children/${child.id}/allocation`, { worker: 'm.cse', team: 'Holmford CSE Team' });
  assert.equal(alloc.status, 201, alloc.describe());
  assert.equal((await item('cse')).owner, 'm.cse', 'allocation hands it to the lead worker');
  assert.equal(await item('mash'), undefined, 'and it leaves the MASH list');
});

test('the server stops cleanly', async () => {
  assert.equal((await sh.stop()).code, 0);
});
