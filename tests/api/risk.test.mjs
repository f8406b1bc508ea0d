// CSE risk assessments through the API, on the real server: the tool in
// force; the contract's POST scored from the definition (recency weights,
// bands, the disclosure rule) with the version, level, review date, deadline,
// chronology, involvement and audit entry it records; every refusal (unknown
// or repeated indicator, judgement without a rationale, lowering without a
// countersignature, no child's view, a role that may not assess) with
// nothing written; a lowering countersigned or declined by a manager; reviews
// falling due by level and escalating with `safehub sla run --as-of`; a new
// assessment meeting the last review and any request for one; "out of date"
// and the indicators offered from referrals, missing episodes and case notes
// recorded since; the multi-agency CSE meeting a high level calls for; the
// managers' overview (moved on a fake clock, never by waiting).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Safehub, addAgencies, childBody } from '../lib/index.mjs';

const DAY = 86400;
let sh;
const u = {};
const as = {};

/** Epoch seconds of an ISO instant. */
const epoch = (s) => Date.parse(s) / 1000;
/** Epoch seconds as ISO 8601 UTC to the second. */
const iso = (t) => new Date(t * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
const q = (s) => String(s).replace(/'/g, "''");

before(async () => {
  // The server's own deadline pass runs once at start only: the tests move time with `sla run --as-of` and the fake clock.
  sh = await Safehub.create({ env: { SAFEHUB_SLA_INTERVAL: '86400' } });
  await addAgencies(sh);
  u.director = await sh.addUser({ username: 'r.dir', role: 'director', agency: 'HFCSC', name: 'Dana Director' });
  u.manager = await sh.addUser({ username: 'r.mgr', role: 'manager', agency: 'HFCSC', manager: 'r.dir', name: 'Mia Manager' });
  u.manager2 = await sh.addUser({ username: 'r.mgr2', role: 'manager', agency: 'HFCSC', manager: 'r.dir', name: 'Max Manager' });
  u.sw = await sh.addUser({ username: 'r.sw', role: 'social_worker', agency: 'HFCSC', manager: 'r.mgr', name: 'Sam Worker' });
  u.cse = await sh.addUser({ username: 'r.cse', role: 'cse_worker', agency: 'HFYPP', manager: 'r.mgr', name: 'Cass Worker' });
  u.mash = await sh.addUser({ username: 'r.mash', role: 'mash', agency: 'HFCSC', manager: 'r.mgr' });
  u.police = await sh.addUser({ username: 'r.police', role: 'police', agency: 'HFP' });
  u.referrer = await sh.addUser({ username: 'r.teacher', role: 'referrer', agency: 'HFEDU' });
  u.analyst = await sh.addUser({ username: 'r.analyst', role: 'analyst', agency: 'HFP' });
  u.strategic = await sh.addUser({ username: 'r.strategic', role: 'strategic', agency: 'HFCSC' });
  await sh.start({ faketime: true });
  await loginAll();
});

after(async () => {
  await sh?.destroy();
});

async function loginAll() {
  for (const k of Object.keys(u)) as[k] = await sh.login(u[k]);
}

/** A new child recorded by the social worker (so children's social care is involved). */
async function newChild(overrides = {}) {
  const r = await as.sw.post('/api/v1/children', childBody(overrides));
  assert.equal(r.status, 201, r.describe());
  return r.json;
}

/** Makes USERNAME the child's lead worker (an allocation, as the casework feature records it). */
async function allocate(child, username) {
  const id = `al_${Math.random().toString(36).slice(2, 14)}`;
  await sh.exec(
    `INSERT INTO allocations (id, child_id, worker_id, team, allocated_at) SELECT '${id}', '${child.id}', id, 'CSE team', ${Math.floor(sh.now()) - 60} FROM users WHERE username = '${username}'`,
  );
}

const base = (extra = {}) => ({ childs_words: "He's my boyfriend, he looks after me.", ...extra });
const ind = (code, evidence = `Evidence of ${code}`, more = {}) => ({ code, evidence, ...more });

/** POST an assessment as CLIENT; asserts 201 and returns the body. */
async function assess(client, child, body) {
  const r = await client.post(`/api/v1/children/${child.id}/risk-assessments`, body);
  assert.equal(r.status, 201, r.describe());
  return r.json;
}

/** Row counts of everything an assessment writes. */
async function counts() {
  const row = (
    await sh.query(
      'SELECT (SELECT count(*) FROM risk_assessments) AS assessments, (SELECT count(*) FROM risk_indicators) AS indicators, ' +
        "(SELECT count(*) FROM chronology WHERE type = 'risk_assessment') AS chronology, (SELECT count(*) FROM deadlines) AS deadlines, " +
        "(SELECT count(*) FROM child_involvement) AS involvement, (SELECT count(*) FROM notifications) AS notifications, " +
        "(SELECT count(*) FROM audit_log WHERE action = 'risk.assess' AND outcome = 'ok') AS audited",
    )
  )[0];
  return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, Number(v)]));
}

test('GET /api/v1/risk/tool serves the definition in force, as the contract says', async () => {
  const r = await as.sw.get('/api/v1/risk/tool');
  assert.equal(r.status, 200, r.describe());
  const t = r.json;
  assert.equal(t.version, '2026.1');
  assert.ok(t.indicators.length >= 30, `${t.indicators.length} indicators`);
  for (const i of t.indicators) {
    assert.equal(typeof i.code, 'string');
    assert.ok(i.label.length > 3);
    assert.equal(typeof i.weight, 'number');
    assert.ok(['vulnerability', 'moderate', 'significant'].includes(i.group), i.group);
  }
  assert.deepEqual(t.levels.map((l) => l.code), ['no_apparent_risk', 'low', 'medium', 'high']);
  assert.deepEqual(t.levels.map((l) => l.review_days), [91, 91, 42, 30]);
  assert.deepEqual(t.exploitation_types.map((x) => x.code), ['inappropriate_relationship', 'peer', 'organised', 'online']);
  assert.deepEqual(t.recency.map((x) => x.code), ['current', '6_12_months']);
  // It holds no personal data: even roles that see no child may read it.
  assert.equal((await as.strategic.get('/api/v1/risk/tool')).status, 200);
});

test('an assessment is scored from the definition and recorded with its version, review, chronology and audit', async () => {
  const child = await newChild();
  const before = await counts();
  const r = await as.sw.post(`/api/v1/children/${child.id}/risk-assessments`, {
    indicators: [ind('V05'), ind('M01', 'Out until 2am twice'), ind('M02', 'Calls', { recency: '6_12_months' }), ind('S01', 'Missing three times'), ind('S04', 'New phone', { recency: '6_12_months', source_agency: 'HFP' })],
    childs_words: '  I just go round my mate\'s.  ',
    exploitation_types: ['peer'],
  });
  assert.equal(r.status, 201, r.describe());
  const a = r.json;
  assert.match(a.id, /^ra_[a-z0-9]{20}$/);
  assert.equal(r.headers.location, `/api/v1/children/${child.id}/risk-assessments/${a.id}`);
  // 1 (vulnerability) + 1 (moderate, recent) + 0 (moderate, older) + 5 (significant, recent) + 1 (significant, older).
  assert.equal(a.score, 8);
  assert.equal(a.level, 'low');
  assert.equal(a.computed_level, 'low');
  assert.equal(a.tool_version, '2026.1');
  assert.equal(a.childs_words, "I just go round my mate's.");
  assert.equal(a.assessed_by, 'r.sw');
  assert.equal(a.current, true);
  assert.deepEqual(a.exploitation_types, ['peer']);
  assert.equal(epoch(a.review_due) - epoch(a.assessed_at), 91 * DAY, 'low: reviewed within three months');
  const byCode = Object.fromEntries(a.indicators.map((i) => [i.code, i]));
  assert.equal(byCode.S01.recency, 'current', 'recency defaults to the most recent band');
  assert.equal(byCode.S01.weight, 5);
  assert.equal(byCode.S01.source_agency, 'HFCSC', "the source defaults to the assessor's agency");
  assert.equal(byCode.S04.weight, 1);
  assert.equal(byCode.S04.source_agency, 'HFP');
  assert.equal(byCode.M02.weight, 0);
  assert.equal(byCode.S01.evidence, 'Missing three times');
  const after = await counts();
  assert.equal(after.assessments, before.assessments + 1);
  assert.equal(after.indicators, before.indicators + 5);
  assert.equal(after.chronology, before.chronology + 1);
  assert.equal(after.audited, before.audited + 1);
  // The review is on the clock, titled without the child's details.
  const dl = await sh.query(`SELECT title, link, due_at, owner_id FROM deadlines WHERE item_type = 'child' AND item_id = '${child.id}' AND kind = 'risk_review:${a.id}'`);
  assert.equal(dl.length, 1);
  assert.equal(dl[0].title, 'Risk review due');
  assert.equal(Number(dl[0].due_at), epoch(a.review_due));
  assert.equal(dl[0].link, `/children/${child.id}/risk`);
  // The chronology names the level and score, never the evidence.
  const chron = await as.sw.get(`/api/v1/children/${child.id}/chronology?type=risk_assessment`);
  assert.equal(chron.status, 200);
  assert.match(JSON.stringify(chron.json), /CSE risk assessment: Low risk \(score 8, tool 2026\.1\)/);
  assert.doesNotMatch(JSON.stringify(chron.json), /Missing three times/);
  // Audited without the evidence or the child's words.
  const audit = await sh.query(`SELECT details FROM audit_log WHERE action = 'risk.assess' AND object_id = '${child.id}'`);
  assert.equal(audit.length, 1);
  assert.match(audit[0].details, new RegExp(a.id));
  assert.doesNotMatch(audit[0].details, /mate|Missing three/);
  // Read back: the list and the one.
  const list = await as.sw.get(`/api/v1/children/${child.id}/risk-assessments`);
  assert.equal(list.status, 200, list.describe());
  assert.equal(list.json.assessments.length, 1);
  assert.equal(list.json.current.id, a.id);
  assert.equal(list.json.changes, null);
  assert.equal(list.json.out_of_date.out_of_date, false);
  const one = await as.sw.get(`/api/v1/children/${child.id}/risk-assessments/${a.id}`);
  assert.equal(one.status, 200);
  assert.equal(one.json.score, 8);
  // Reads are audited: the list, the one, and the assessment as the POST answered it.
  const reads = await sh.query(`SELECT action FROM audit_log WHERE object_id = '${child.id}' AND action IN ('risk.list', 'risk.read') AND outcome = 'ok'`);
  assert.deepEqual(reads.map((x) => x.action).sort(), ['risk.list', 'risk.read', 'risk.read']);
});

test('bands at their edges, and any disclosure means high risk at once', async () => {
  const child = await newChild();
  const five = await assess(as.sw, child, base({ indicators: ['V01', 'V02', 'V03', 'V04', 'V05'].map((c) => ind(c)) }));
  assert.equal(five.score, 5);
  assert.equal(five.level, 'no_apparent_risk');
  const sixteen = await assess(as.sw, child, base({ indicators: ['S01', 'S02', 'S03', 'V01'].map((c) => ind(c)) }));
  assert.equal(sixteen.score, 16);
  assert.equal(sixteen.level, 'high');
  assert.equal(epoch(sixteen.review_due) - epoch(sixteen.assessed_at), 30 * DAY, 'high: reviewed monthly');
  const disclosure = await assess(as.sw, child, base({ indicators: [ind('S09', 'She told me', { recency: '6_12_months' })] }));
  assert.equal(disclosure.score, 5);
  assert.equal(disclosure.band_level, 'no_apparent_risk');
  assert.equal(disclosure.computed_level, 'high');
  assert.equal(disclosure.level, 'high');
  assert.equal(disclosure.override.indicator, 'S09');
  assert.match(disclosure.override.reason, /disclosure/);
  // Not even a manager may judge it lower.
  const r = await as.manager.post(`/api/v1/children/${child.id}/risk-assessments`, base({
    indicators: [ind('S09')], professional_judgement: { level: 'medium', rationale: 'Withdrawn' },
  }));
  assert.equal(r.status, 422, r.describe());
  assert.match(r.json.error.fields['professional_judgement.level'], /cannot be below High risk/);
});

test('refused with 422 naming each field, audited, and nothing written', async () => {
  const child = await newChild();
  const before = await counts();
  const cases = [
    [{ indicators: [ind('S99')] }, 'indicators[0].code', /not an indicator/],
    [{ indicators: [ind('S01'), ind('S01', 'again')] }, 'indicators[1].code', /listed twice/],
    [{ indicators: [ind('S01')], professional_judgement: { level: 'high' } }, 'professional_judgement.rationale', /is required/],
    [{ indicators: [ind('S01')], professional_judgement: { level: 'high', rationale: '   ' } }, 'professional_judgement.rationale', /is required/],
    [{ indicators: [ind('S01'), ind('S02'), ind('S03')], professional_judgement: { level: 'low', rationale: 'Resolved' } }, 'professional_judgement.countersign_by', /countersignature/],
    [{ indicators: [ind('S01'), ind('S02'), ind('S03')], professional_judgement: { level: 'low', rationale: 'Resolved', countersign_by: 'r.sw' } }, 'professional_judgement.countersign_by', /manager or director/],
    [{ indicators: [ind('S01'), ind('S02'), ind('S03')], professional_judgement: { level: 'low', rationale: 'Resolved', countersign_by: 'nobody' } }, 'professional_judgement.countersign_by', /manager or director/],
    [{ indicators: [ind('S01')], childs_words: undefined }, 'childs_words', /is required/],
    [{ indicators: [ind('S01')], childs_words: '  ' }, 'childs_words', /is required/],
    [{ indicators: [ind('S01')], childs_view_not_gathered_reason: 'Asleep' }, 'childs_view_not_gathered_reason', /not both/],
    [{ indicators: [ind('S01', '')] }, 'indicators[0].evidence', /is required/],
    [{ indicators: [ind('S01', 'x', { recency: 'last_year' })] }, 'indicators[0].recency', /one of: current, 6_12_months/],
    [{ indicators: [ind('S01', 'x', { source_agency: 'NOPE' })] }, 'indicators[0].source_agency', /not the code of an agency/],
    [{ indicators: [ind('S01')], exploitation_types: ['cars'] }, 'exploitation_types[0]', /one of/],
    [{ indicators: [ind('S01')], risk: 'high' }, 'risk', /not a recognised field/],
    [{ indicators: 'S01' }, 'indicators', /list of objects/],
    [{}, 'indicators', /is required/],
  ];
  for (const [extra, field, why] of cases) {
    const body = base(extra);
    for (const k of Object.keys(body)) if (body[k] === undefined) delete body[k];
    const r = await as.sw.post(`/api/v1/children/${child.id}/risk-assessments`, body);
    assert.equal(r.status, 422, `${JSON.stringify(extra)}: ${r.describe()}`);
    assert.equal(r.errorCode, 'invalid_fields');
    assert.match(r.json.error.fields[field] || '', why, `${field} for ${JSON.stringify(extra)}: ${r.describe()}`);
  }
  // Every problem at once.
  const all = await as.sw.post(`/api/v1/children/${child.id}/risk-assessments`, {
    indicators: [ind('S99'), ind('S01'), ind('S01')], professional_judgement: { level: 'low' }, colour: 'red',
  });
  assert.equal(all.status, 422);
  assert.deepEqual(Object.keys(all.json.error.fields).sort(),
    ['childs_words', 'colour', 'indicators[0].code', 'indicators[2].code', 'professional_judgement.rationale']);
  assert.deepEqual(await counts(), before, 'nothing written');
  const refused = await sh.scalar(`SELECT count(*) FROM audit_log WHERE action = 'risk.assess' AND object_id = '${child.id}' AND outcome = 'invalid'`);
  assert.equal(refused, cases.length + 1, 'each refusal audited');
});

test('roles that may not assess are refused 403; a child not open to the user is 404; nothing written', async () => {
  const child = await newChild();
  const before = await counts();
  const body = base({ indicators: [ind('S01')] });
  for (const role of ['referrer', 'police', 'analyst', 'strategic']) {
    const r = await as[role].post(`/api/v1/children/${child.id}/risk-assessments`, body);
    assert.equal(r.status, 403, `${role}: ${r.describe()}`);
    assert.equal(r.errorCode, 'forbidden');
  }
  // The CSE worker's agency is not involved with this child: the record does not exist for them.
  assert.equal((await as.cse.post(`/api/v1/children/${child.id}/risk-assessments`, body)).status, 404);
  assert.equal((await as.cse.get(`/api/v1/children/${child.id}/risk-assessments`)).status, 404);
  assert.equal((await as.sw.post('/api/v1/children/ch_doesnotexist000000000/risk-assessments', body)).status, 404);
  assert.equal((await as.sw.get(`/api/v1/children/${child.id}/risk-assessments/ra_doesnotexist00000000`)).status, 404);
  // The police may read the assessments of a child they are involved with, but not make one.
  await assess(as.sw, child, body);
  await sh.exec(`INSERT INTO child_involvement (child_id, agency_id, reason, since) SELECT '${child.id}', id, 'police contact', 0 FROM agencies WHERE code = 'HFP'`);
  const pol = await as.police.get(`/api/v1/children/${child.id}/risk-assessments`);
  assert.equal(pol.status, 200, pol.describe());
  assert.equal((await as.referrer.get(`/api/v1/children/${child.id}/risk-assessments`)).status, 403);
  // The chronology tells an involved referrer or analyst that an assessment was made, never its finding.
  await sh.exec(`INSERT INTO child_involvement (child_id, agency_id, reason, since) SELECT '${child.id}', id, 'school', 0 FROM agencies WHERE code = 'HFEDU'`);
  const polChron = await as.police.get(`/api/v1/children/${child.id}/chronology?type=risk_assessment`);
  assert.equal(polChron.status, 200, polChron.describe());
  assert.match(polChron.json[0].summary, /risk/i);
  assert.match(polChron.json[0].summary, /score \d+/);
  assert.notEqual(polChron.json[0].ref, null);
  for (const role of ['referrer', 'analyst']) {
    const chron = await as[role].get(`/api/v1/children/${child.id}/chronology`);
    assert.equal(chron.status, 200, `${role}: ${chron.describe()}`);
    const risk = chron.json.filter((e) => e.type === 'risk_assessment');
    assert.equal(risk.length, 1, role);
    assert.doesNotMatch(risk[0].summary, /score|low|medium|high|significant|tool/i, role);
    assert.equal(risk[0].ref, null, role);
    const page = await as[role].get(`/children/${child.id}/chronology`);
    assert.equal(page.status, 200, role);
    assert.doesNotMatch(page.text, /score \d+/, role);
    assert.doesNotMatch(page.text, new RegExp(`href="/children/${child.id}/risk"`), `${role}: no Risk tab`);
  }
  const swPage = await as.sw.get(`/children/${child.id}/chronology`);
  assert.match(swPage.text, new RegExp(`href="/children/${child.id}/risk"`), 'the Risk tab for those who may open it');
  const after = await counts();
  assert.equal(after.assessments, before.assessments + 1);
  const denied = await sh.scalar(`SELECT count(*) FROM audit_log WHERE action = 'access.denied' AND actor = 'r.police'`);
  assert.ok(denied >= 1, 'refusals by role audited');
});

test("a lowering waits for a manager's countersignature; agreed, the lower level comes into force", async () => {
  const child = await newChild();
  await allocate(child, 'r.sw');
  const a = await assess(as.sw, child, base({
    indicators: [ind('S01'), ind('S02'), ind('S03')],
    professional_judgement: { level: 'low', rationale: 'The older adult is a cousin; police confirmed.', countersign_by: 'r.mgr' },
  }));
  assert.equal(a.computed_level, 'medium');
  assert.equal(a.level, 'medium', "the tool's level stays in force meanwhile");
  assert.equal(a.professional_judgement.level, 'low');
  assert.equal(a.countersignature.status, 'awaiting');
  assert.equal(a.countersignature.requested_from, 'r.mgr');
  assert.equal(a.countersigned_by, null);
  assert.equal(epoch(a.review_due) - epoch(a.assessed_at), 42 * DAY);
  // On the manager's list and in their notifications, naming the assessment, not the child.
  const work = await as.manager.get('/api/v1/work');
  const item = work.json.items.find((i) => i.kind === 'risk_countersign' && i.item_id === a.id);
  assert.ok(item, JSON.stringify(work.json));
  assert.doesNotMatch(item.title, new RegExp(child.first_name));
  const notes = await as.manager.get('/api/v1/notifications');
  const n = notes.json.notifications.find((x) => x.item_id === a.id);
  assert.ok(n);
  assert.match(n.message, new RegExp(a.id));
  assert.doesNotMatch(n.message, new RegExp(`${child.first_name}|${child.last_name}`));
  const url = `/api/v1/children/${child.id}/risk-assessments/${a.id}/countersign`;
  // Only managers and the director countersign; a decline needs a reason; the decision must be one of two.
  assert.equal((await as.sw.post(url, { decision: 'agree' })).status, 403);
  let r = await as.manager.post(url, { decision: 'decline' });
  assert.equal(r.status, 422);
  assert.match(r.json.error.fields.comment, /is required/);
  r = await as.manager.post(url, { decision: 'perhaps' });
  assert.equal(r.status, 422);
  assert.equal((await as.manager.post(`/api/v1/children/${child.id}/risk-assessments/ra_doesnotexist00000000/countersign`, { decision: 'agree' })).status, 404);
  r = await as.manager.post(url, { decision: 'agree', comment: 'Discussed in supervision.' });
  assert.equal(r.status, 200, r.describe());
  assert.equal(r.json.level, 'low');
  assert.equal(r.json.computed_level, 'medium', 'both levels are kept');
  assert.equal(r.json.level_change, -1);
  assert.equal(r.json.countersignature.status, 'agreed');
  assert.equal(r.json.countersigned_by, 'r.mgr');
  assert.equal(epoch(r.json.review_due) - epoch(a.assessed_at), 91 * DAY, 'the review moves to the lower level\'s interval');
  const dl = await sh.query(`SELECT due_at FROM deadlines WHERE kind = 'risk_review:${a.id}'`);
  assert.equal(Number(dl[0].due_at), epoch(r.json.review_due));
  const met = await sh.query(`SELECT met_at FROM deadlines WHERE item_type = 'risk_assessment' AND item_id = '${a.id}' AND kind = 'risk_countersign'`);
  assert.ok(met[0].met_at, 'the countersignature request is met');
  // Once only.
  r = await as.director.post(url, { decision: 'decline', comment: 'No' });
  assert.equal(r.status, 409, r.describe());
  const audit = await sh.query(`SELECT actor FROM audit_log WHERE action = 'risk.countersign' AND outcome = 'ok' AND object_id = '${child.id}'`);
  assert.deepEqual(audit.map((x) => x.actor), ['r.mgr']);
});

test("declined, the tool's level stands; a manager's own lowering is countersigned as it is made, but not by themselves later", async () => {
  const child = await newChild();
  const a = await assess(as.sw, child, base({
    indicators: [ind('S01'), ind('S02'), ind('S03'), ind('S04')],
    professional_judgement: { level: 'medium', rationale: 'Engaging well', countersign_by: 'r.mgr' },
  }));
  assert.equal(a.level, 'high');
  const r = await as.manager.post(`/api/v1/children/${child.id}/risk-assessments/${a.id}/countersign`, { decision: 'decline', comment: 'Four significant indicators: high stands.' });
  assert.equal(r.status, 200, r.describe());
  assert.equal(r.json.level, 'high');
  assert.equal(r.json.countersignature.status, 'declined');
  assert.equal(r.json.countersignature.comment, 'Four significant indicators: high stands.');
  // A manager lowering on their own assessment: countersigned at once, by them.
  const own = await assess(as.manager, child, base({
    indicators: [ind('S01'), ind('S02'), ind('S03'), ind('S04')],
    professional_judgement: { level: 'medium', rationale: 'Safety plan in place' },
  }));
  assert.equal(own.level, 'medium');
  assert.equal(own.countersignature.status, 'agreed');
  assert.equal(own.countersigned_by, 'r.mgr');
  // A manager who names another manager waits for them, and may not countersign it themselves.
  const named = await assess(as.manager, child, base({
    indicators: [ind('S01'), ind('S02'), ind('S03'), ind('S04')],
    professional_judgement: { level: 'medium', rationale: 'Second opinion wanted', countersign_by: 'r.mgr2' },
  }));
  assert.equal(named.countersignature.status, 'awaiting');
  const self = await as.manager.post(`/api/v1/children/${child.id}/risk-assessments/${named.id}/countersign`, { decision: 'agree' });
  assert.equal(self.status, 409, self.describe());
  const other = await as.manager2.post(`/api/v1/children/${child.id}/risk-assessments/${named.id}/countersign`, { decision: 'agree' });
  assert.equal(other.status, 200, other.describe());
  assert.equal(other.json.level, 'medium');
  // An assessment superseded before it was countersigned can no longer be.
  const stale = await assess(as.sw, child, base({
    indicators: [ind('S01'), ind('S02'), ind('S03'), ind('S04')],
    professional_judgement: { level: 'medium', rationale: 'x', countersign_by: 'r.mgr' },
  }));
  await assess(as.sw, child, base({ indicators: [ind('S01')] }));
  const late = await as.manager.post(`/api/v1/children/${child.id}/risk-assessments/${stale.id}/countersign`, { decision: 'agree' });
  assert.equal(late.status, 409, late.describe());
  assert.match(late.json.error.fields.decision, /superseded/);
});

test('raising the level by judgement comes into force at once, with both levels kept', async () => {
  const child = await newChild();
  const a = await assess(as.sw, child, base({
    indicators: [ind('V01'), ind('M01')],
    professional_judgement: { level: 'high', rationale: 'The adults involved are known to the police for exploitation.' },
    exploitation_types: ['organised', 'online'],
  }));
  assert.equal(a.computed_level, 'no_apparent_risk');
  assert.equal(a.level, 'high');
  assert.equal(a.level_change, 3);
  assert.equal(a.countersignature.status, 'not_needed');
  assert.equal(a.professional_judgement.rationale, 'The adults involved are known to the police for exploitation.');
});

test('reaching the highest level schedules a multi-agency CSE meeting within 10 working days, once', async () => {
  const child = await newChild();
  await allocate(child, 'r.sw');
  const a = await assess(as.sw, child, base({ indicators: [ind('S09', 'She told the nurse')] }));
  assert.equal(a.level, 'high');
  const rows = await sh.query(`SELECT d.title, d.due_at, d.link, u.username FROM deadlines d LEFT JOIN users u ON u.id = d.owner_id WHERE item_type = 'child' AND item_id = '${child.id}' AND kind = 'cse_meeting'`);
  assert.equal(rows.length, 1);
  assert.equal(rows[0].title, 'Multi-agency CSE meeting due');
  assert.equal(rows[0].username, 'r.sw', 'owned by the lead worker');
  const due = Number(rows[0].due_at);
  // Ten working days: from a weekday 14 calendar days (two weekends); from a weekend they end at the second
  // Friday's close, so late on a Sunday a little under 12 (11.7); at most 19 (bank holidays).
  assert.ok(due - epoch(a.assessed_at) >= 11.5 * DAY && due - epoch(a.assessed_at) <= 19 * DAY, `due ${iso(due)} after ${a.assessed_at}`);
  // A second high finding does not move it later.
  await assess(as.sw, child, base({ indicators: [ind('S09', 'Again')] }));
  const again = await sh.query(`SELECT due_at FROM deadlines WHERE item_id = '${child.id}' AND kind = 'cse_meeting'`);
  assert.equal(again.length, 1);
  assert.equal(Number(again[0].due_at), due);
  // The lead worker sees it on their list.
  const work = await as.sw.get('/api/v1/work');
  assert.ok(work.json.items.some((i) => i.kind === 'cse_meeting' && i.item_id === child.id));
  // Without a lead worker, the MASH manager has it.
  const other = await newChild();
  await assess(as.sw, other, base({ indicators: [ind('S09')] }));
  const mash = await sh.query(`SELECT u.username FROM deadlines d JOIN users u ON u.id = d.owner_id WHERE item_id = '${other.id}' AND kind = 'cse_meeting'`);
  assert.deepEqual(mash.map((x) => x.username), ['r.mgr']);

  // The meeting is held; the level falls, then rises again: a new meeting is due, once.
  const meeting = await as.sw.post('/api/v1/meetings', {
    type: 'cse_meeting', child_ids: [child.id], held_at: iso(Math.floor(Date.now() / 1000) - 3600),
    attendees: [{ name: 'Sam Whitaker', agency: 'HFCSC', role: 'Social worker' }], decisions: 'Safety plan agreed.', actions: [],
  });
  assert.equal(meeting.status, 201, meeting.describe());
  const open = () => sh.query(`SELECT item_type, item_id FROM deadlines WHERE child_id = '${child.id}' AND kind = 'cse_meeting' AND met_at IS NULL`);
  assert.deepEqual(await open(), [], 'holding the meeting meets it');
  const lower = await assess(as.sw, child, base({ indicators: [ind('V01')] }));
  assert.notEqual(lower.level, 'high');
  assert.deepEqual(await open(), [], 'a lower level asks for no meeting');
  const high = await assess(as.sw, child, base({ indicators: [ind('S09', 'She told her teacher')] }));
  assert.deepEqual(await open(), [{ item_type: 'risk_assessment', item_id: high.id }], 'reaching the highest level again asks for a new one');
  await assess(as.sw, child, base({ indicators: [ind('S09', 'And again')] }));
  assert.equal((await open()).length, 1, 'staying at the highest level asks for no second one');
  const held = await as.sw.post('/api/v1/meetings', {
    type: 'cse_meeting', child_ids: [child.id], held_at: iso(Math.floor(Date.now() / 1000) - 60),
    attendees: [{ name: 'Sam Whitaker', agency: 'HFCSC', role: 'Social worker' }], decisions: 'Disruption plan.', actions: [],
  });
  assert.equal(held.status, 201, held.describe());
  assert.deepEqual(await open(), [], 'the new meeting meets it');
});

test('an overdue review escalates up the management chain; a new assessment meets it and any request for one', async () => {
  const child = await newChild();
  await allocate(child, 'r.sw');
  const a = await assess(as.sw, child, base({ indicators: [ind('S01'), ind('S02'), ind('S03'), ind('S04')] }));
  assert.equal(a.level, 'high');
  const due = epoch(a.review_due);
  const kind = `risk_review:${a.id}`;
  const esc = () => sh.query(`SELECT e.level, u.username FROM escalations e JOIN deadlines d ON d.id = e.deadline_id JOIN users u ON u.id = e.to_user_id WHERE d.kind = '${kind}' ORDER BY e.level`);
  await sh.cliOk(['sla', 'run', '--as-of', iso(due - 60)]);
  assert.deepEqual(await esc(), []);
  await sh.cliOk(['sla', 'run', '--as-of', iso(due + 3600)]);
  const first = await esc();
  assert.deepEqual(first.map((x) => [Number(x.level), x.username]), [[1, 'r.mgr']], "to the lead worker's manager");
  const notes = await as.manager.get('/api/v1/notifications');
  assert.ok(notes.json.notifications.some((n) => n.kind === 'escalation' && /Risk review due/.test(n.message)));
  // A request for a review (as the referrals and casework features make one) is met too.
  await sh.exec(`INSERT INTO deadlines (id, item_type, item_id, kind, child_id, title, link, due_at, created_at, level) VALUES ('dl_req${a.id.slice(3, 15)}', 'child', '${child.id}', 'risk_review_request', '${child.id}', 'Risk review requested', '/x', ${due}, ${due - DAY}, 0)`);
  const b = await assess(as.sw, child, base({ indicators: [ind('S01')] }));
  const open = await sh.query(`SELECT kind FROM deadlines WHERE item_type = 'child' AND item_id = '${child.id}' AND met_at IS NULL AND kind <> 'cse_meeting' ORDER BY kind`);
  assert.deepEqual(open.map((x) => x.kind), [`risk_review:${b.id}`]);
  const met = await sh.query(`SELECT u.username FROM deadlines d JOIN users u ON u.id = d.met_by WHERE kind = '${kind}'`);
  assert.deepEqual(met.map((x) => x.username), ['r.sw']);
  // The list shows what changed.
  const list = await as.sw.get(`/api/v1/children/${child.id}/risk-assessments`);
  const ch = list.json.changes;
  assert.deepEqual(ch.level, { from: 'high', to: 'no_apparent_risk' });
  assert.deepEqual(ch.removed.map((x) => x.code), ['S02', 'S03', 'S04']);
  assert.deepEqual(list.json.history.map((h) => h.level), ['high', 'no_apparent_risk']);
  assert.equal(list.json.assessments[0].id, b.id);
  assert.equal(list.json.assessments[1].current, false);
});

test('new information marks the assessment out of date, and a new one is offered what was recorded, with sources', async () => {
  const child = await newChild();
  const a = await assess(as.sw, child, base({ indicators: [ind('V01')] }));
  const t0 = epoch(a.assessed_at);
  const agency = (code) => `(SELECT id FROM agencies WHERE code = '${code}')`;
  const referrer = "(SELECT id FROM users WHERE username = 'r.teacher')";
  await sh.exec(
    `INSERT INTO referrals (id, reference, child_id, agency_id, referrer_id, concern, indicators, status, received_at, due_at, next_due_at, updated_at) VALUES ` +
      `('rf_risktest${t0}a', 'R-2026-9${String(t0).slice(-5)}', '${child.id}', ${agency('HFEDU')}, ${referrer}, 'Concern', '["S03","M05","X77"]', 'received', ${t0 + 60}, ${t0 + DAY}, ${t0 + DAY}, ${t0 + 60}), ` +
      `('rf_risktest${t0}b', 'R-2026-8${String(t0).slice(-5)}', '${child.id}', ${agency('HFEDU')}, ${referrer}, 'Before', '["S05"]', 'received', ${t0 - 60}, ${t0 + DAY}, ${t0 + DAY}, ${t0 - 60})`,
  );
  let list = await as.sw.get(`/api/v1/children/${child.id}/risk-assessments`);
  assert.equal(list.json.out_of_date.out_of_date, true);
  assert.equal(list.json.out_of_date.referrals_with_indicators, 1);
  await sh.exec(`INSERT INTO missing_episodes (id, child_id, went_missing_at, returned_at, reported_to_police, agency_id, recorded_at, updated_at) VALUES ('me_risktest${t0}', '${child.id}', ${t0 + 120}, ${t0 + 7200}, 1, ${agency('HFP')}, ${t0 + 7200}, ${t0 + 7200})`);
  await sh.exec(`INSERT INTO case_notes (id, child_id, at, agency_id, text, indicators, recorded_at) VALUES ('cn_risktest${t0}a', '${child.id}', ${t0 + 180}, ${agency('HFNHS')}, 'Seen at clinic', '["S08"]', ${t0 + 180}), ('cn_risktest${t0}b', '${child.id}', ${t0 + 240}, ${agency('HFNHS')}, 'Well', '[]', ${t0 + 240})`);
  list = await as.sw.get(`/api/v1/children/${child.id}/risk-assessments`);
  assert.deepEqual(list.json.out_of_date, { out_of_date: true, referrals_with_indicators: 1, missing_episodes: 1, notes_with_indicators: 1, review_requested: false });
  const pre = await as.sw.get(`/api/v1/children/${child.id}/risk-assessments/prefill`);
  assert.equal(pre.status, 200, pre.describe());
  const p = pre.json;
  assert.equal(p.previous_assessment, a.id);
  assert.equal(p.since, a.assessed_at);
  assert.deepEqual(p.indicators.map((i) => i.code), ['M05', 'S01', 'S03', 'S08'], "in the tool's order; only what was recorded since");
  const by = Object.fromEntries(p.indicators.map((i) => [i.code, i]));
  assert.equal(by.S03.recency, 'current');
  assert.equal(by.S03.sources[0].type, 'referral');
  assert.equal(by.S03.sources[0].agency, 'HFEDU');
  assert.match(by.S03.sources[0].reference, /^R-2026-9/);
  assert.match(by.S03.suggested_evidence, /Recorded in referral R-2026-9\d+ by HFEDU agency on \d{4}-\d\d-\d\d\./);
  assert.equal(by.S01.sources[0].type, 'missing_episode', 'a missing episode offers the tool\'s missing-episode indicator');
  assert.equal(by.S01.sources[0].agency, 'HFP');
  assert.equal(by.S08.sources[0].type, 'case_note');
  assert.deepEqual(p.not_in_tool.map((x) => x.code), ['X77']);
  assert.deepEqual(p.previous_indicators.map((x) => x.code), ['V01']);
  // Only assessors are offered them.
  assert.equal((await as.police.get(`/api/v1/children/${child.id}/risk-assessments/prefill`)).status, 403);
  // A new assessment, some minutes later, brings it up to date.
  sh.advanceClock(600);
  await assess(as.sw, child, base({ indicators: [ind('S03', by.S03.suggested_evidence), ind('S01'), ind('M05'), ind('S08')] }));
  list = await as.sw.get(`/api/v1/children/${child.id}/risk-assessments`);
  assert.equal(list.json.out_of_date.out_of_date, false);
  const again = await as.sw.get(`/api/v1/children/${child.id}/risk-assessments/prefill`);
  assert.deepEqual(again.json.indicators, []);
});

test('a first assessment is offered what was recorded within the tool\'s recency bands, each at its recency', async () => {
  const child = await newChild();
  const now = Math.floor(sh.now());
  const agency = "(SELECT id FROM agencies WHERE code = 'HFNHS')";
  await sh.exec(`INSERT INTO case_notes (id, child_id, at, agency_id, text, indicators, recorded_at) VALUES ` +
    `('cn_first${now}a', '${child.id}', ${now - 30 * DAY}, ${agency}, 'a', '["M07"]', ${now}), ` +
    `('cn_first${now}b', '${child.id}', ${now - 250 * DAY}, ${agency}, 'b', '["S06"]', ${now}), ` +
    `('cn_first${now}c', '${child.id}', ${now - 400 * DAY}, ${agency}, 'c', '["S05"]', ${now})`);
  const p = (await as.sw.get(`/api/v1/children/${child.id}/risk-assessments/prefill`)).json;
  assert.equal(p.previous_assessment, null);
  assert.deepEqual(p.indicators.map((i) => [i.code, i.recency]), [['M07', 'current'], ['S06', '6_12_months']]);
});

test('the overview for managers and the director: by level, reviews due and overdue, judgement, out of date', async () => {
  // Only managers and the director.
  for (const role of ['sw', 'cse', 'mash', 'police', 'strategic']) {
    assert.equal((await as[role].get('/api/v1/risk/overview')).status, 403, role);
  }
  const child = await newChild({ first_name: 'Overvia' });
  const a = await assess(as.sw, child, base({ indicators: [ind('S09')] }));
  let r = await as.manager.get('/api/v1/risk/overview');
  assert.equal(r.status, 200, r.describe());
  let o = r.json;
  assert.deepEqual(o.by_level.map((l) => l.level), ['no_apparent_risk', 'low', 'medium', 'high']);
  const total = o.by_level.reduce((s, l) => s + l.children, 0);
  assert.equal(total, o.assessed_children);
  const assessed = await sh.scalar('SELECT count(*) FROM risk_assessments WHERE is_current = 1');
  assert.equal(o.assessed_children, assessed);
  const high = o.by_level.find((l) => l.level === 'high');
  assert.equal(high.label, 'High risk');
  assert.equal(high.children, await sh.scalar("SELECT count(*) FROM risk_assessments WHERE is_current = 1 AND final_level = 'high'"));
  assert.ok(o.changed_by_judgement.lowered >= 1 && o.changed_by_judgement.raised >= 1);
  assert.ok(o.changed_by_judgement.children.some((c) => c.level_change !== 0));
  assert.ok(o.out_of_date.count >= 0);
  assert.equal(o.reviews.overdue, 0);
  // A month and a day later the high-risk review is overdue.
  sh.advanceClock(31 * DAY);
  await loginAll();
  r = await as.director.get('/api/v1/risk/overview');
  assert.equal(r.status, 200, r.describe());
  o = r.json;
  assert.ok(o.reviews.overdue >= 1);
  const mine = o.reviews.overdue_children.find((c) => c.child_id === child.id);
  assert.ok(mine, 'the child is listed');
  assert.equal(mine.first_name, 'Overvia');
  assert.equal(mine.level, 'high');
  assert.equal(mine.review_due, a.review_due);
  const one = await as.sw.get(`/api/v1/children/${child.id}/risk-assessments/${a.id}`);
  assert.equal(one.json.review_overdue, true);
  // Each child shown is audited for the reader.
  const seen = await sh.scalar(`SELECT count(*) FROM audit_log WHERE action = 'risk.overview_item' AND actor = 'r.dir' AND object_id = '${child.id}'`);
  assert.ok(seen >= 1);
});

test('the server stops cleanly', async () => {
  assert.equal((await sh.stop()).code, 0);
});
