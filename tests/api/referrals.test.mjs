// Referrals through the API, one rule at a time: bad input refused with 422
// naming each field and nothing written; who may see a referral (its
// referrer, the MASH, managers, the director, agencies involved with its
// child; 404 to anyone else) with every read and refusal audited; possible
// matches, exact and near; confirming the child; assignment moving the
// deadlines; ratings and their deadlines; decisions (422 without a rationale,
// 403 for a role that may not decide, 409 for a second decision); when a
// closure needs a manager's sign-off and who may give it; challenges (only
// the referring agency, once per decision, answered by another manager); the
// MASH queue ordered by deadline and filtered; and the child's referrals.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Safehub, addAgencies, childBody, uniqueName, nhsNumber, badNhsNumber } from '../lib/index.mjs';

let sh;
const u = {};
const as = {};

before(async () => {
  sh = await Safehub.create({ env: { SAFEHUB_SLA_INTERVAL: '86400' } });
  await addAgencies(sh);
  u.director = await sh.addUser({ username: 'r.dir', role: 'director', agency: 'HFCSC' });
  u.mashmgr = await sh.addUser({ username: 'r.mashmgr', role: 'manager', agency: 'HFCSC', manager: 'r.dir' });
  u.othermgr = await sh.addUser({ username: 'r.othermgr', role: 'manager', agency: 'HFCSC', manager: 'r.dir' });
  u.mash = await sh.addUser({ username: 'r.mash', role: 'mash', agency: 'HFCSC', manager: 'r.mashmgr' });
  u.mash2 = await sh.addUser({ username: 'r.mash2', role: 'mash', agency: 'HFCSC', manager: 'r.mashmgr' });
  u.sw = await sh.addUser({ username: 'r.sw', role: 'social_worker', agency: 'HFCSC', manager: 'r.mashmgr' });
  u.teacher = await sh.addUser({ username: 'r.teacher', role: 'referrer', agency: 'HFEDU' });
  u.teacher2 = await sh.addUser({ username: 'r.teacher2', role: 'referrer', agency: 'HFEDU' });
  u.nurse = await sh.addUser({ username: 'r.nurse', role: 'referrer', agency: 'HFNHS' });
  u.police = await sh.addUser({ username: 'r.police', role: 'police', agency: 'HFP' });
  u.analyst = await sh.addUser({ username: 'r.analyst', role: 'analyst', agency: 'HFP' });
  await sh.start();
  for (const k of Object.keys(u)) as[k] = await sh.login(u[k]);
});

after(async () => {
  await sh?.destroy();
});

/** A valid referral body about a new child, with OVERRIDES. */
function referralBody(overrides = {}) {
  const child = childBody();
  delete child.aliases;
  return {
    child,
    concern: 'Seen being collected from school by an adult man in a car.',
    childs_words: 'He is my friend, he looks after me.',
    indicators: ['S03'],
    immediate_danger: false,
    ...overrides,
  };
}

/** Raises a referral as WHO (default the teacher); resolves with its JSON. */
async function raise(overrides = {}, who = 'teacher') {
  const r = await as[who].post('/api/v1/referrals', referralBody(overrides));
  assert.equal(r.status, 201, r.describe());
  return r.json;
}

/** Row counts of everything raising a referral writes (nothing may change on a refusal). */
async function written() {
  const rows = await sh.query(
    'SELECT (SELECT count(*) FROM referrals) AS referrals, (SELECT count(*) FROM referral_events) AS events, ' +
      '(SELECT count(*) FROM deadlines) AS deadlines, (SELECT count(*) FROM notifications) AS notifications, ' +
      '(SELECT count(*) FROM chronology) AS chronology, (SELECT count(*) FROM children) AS children, ' +
      '(SELECT coalesce(sum(n), 0) FROM referral_counters) AS numbers, ' +
      '(SELECT coalesce(sum(version), 0) FROM referrals) AS versions',
  );
  return Object.fromEntries(Object.entries(rows[0]).map(([k, v]) => [k, Number(v)]));
}

test('a referral is refused with 422 naming each bad field, and nothing is written', async () => {
  const before0 = await written();
  const cases = [
    [{ concern: undefined }, ['concern']],
    [{ concern: '   ' }, ['concern']],
    [{ indicators: ['S99'] }, ['indicators[0]']],
    [{ indicators: ['S01', 'S01'] }, ['indicators[1]']],
    [{ indicators: 'S01' }, ['indicators']],
    [{ colour: 'red' }, ['colour']],
    [{ immediate_danger: 'yes' }, ['immediate_danger']],
    [{ child: undefined }, ['child']],
    [{ child_id: 'ch_nosuchchild000000001' }, ['child']],
    [{ child: { ...childBody(), nhs_number: badNhsNumber(nhsNumber()), first_name: '' } }, ['child.nhs_number', 'child.first_name']],
    [{ child: { first_name: 'Ann' } }, ['child.last_name', 'child.ethnicity']],
    [{ concern: undefined, indicators: ['X1'], childs_words: 5 }, ['concern', 'indicators[0]', 'childs_words']],
  ];
  for (const [over, fields] of cases) {
    const body = referralBody(over);
    for (const [k, v] of Object.entries(over)) if (v === undefined) delete body[k];
    const r = await as.teacher.post('/api/v1/referrals', body);
    assert.equal(r.status, 422, `${JSON.stringify(over)}: ${r.describe()}`);
    assert.equal(r.errorCode, 'invalid_fields');
    for (const f of fields) assert.ok(r.json.error.fields[f], `${JSON.stringify(over)} names ${f}: ${r.describe()}`);
  }
  assert.match((await as.teacher.post('/api/v1/referrals', referralBody({ indicators: ['S99'] }))).json.error.fields['indicators[0]'], /risk tool in force/);
  // A child the referrer's agency is not involved with cannot be named by id: they give details instead.
  const hidden = await as.sw.post('/api/v1/children', childBody());
  const r = await as.teacher.post('/api/v1/referrals', { ...referralBody(), child: undefined, child_id: hidden.json.id });
  assert.equal(r.status, 422);
  assert.match(r.json.error.fields.child_id, /not a child whose record is open to you/);
  const malformed = await as.teacher.request('POST', '/api/v1/referrals', { body: '{"concern": ', headers: { 'Content-Type': 'application/json' } });
  assert.equal(malformed.status, 400);
  assert.deepEqual(await written(), { ...before0, children: before0.children + 1 }, 'only the social worker\'s child was written');
  const refused = await sh.scalar("SELECT count(*) AS n FROM audit_log WHERE action = 'referral.create' AND outcome = 'invalid'");
  assert.ok(refused >= cases.length + 2, 'every refusal is audited');
});

test('anyone who works with children may refer; the child\'s own words come first; the reference is unique', async () => {
  const refs = new Set();
  for (const who of ['teacher', 'nurse', 'police', 'sw', 'mash']) {
    const ref = await raise({}, who);
    assert.equal(Object.keys(ref)[2], 'childs_words', 'the child\'s words come straight after the id and reference');
    assert.equal(ref.referrer.username, u[who].username);
    refs.add(ref.reference);
  }
  assert.equal(refs.size, 5);
  const analyst = await as.analyst.post('/api/v1/referrals', referralBody());
  assert.equal(analyst.status, 403, 'an analyst does not refer');
  const noWords = await raise({ childs_words: undefined });
  assert.equal(noWords.childs_words, null);
});

test('who may see a referral: its referrer, the MASH, managers, the director and agencies involved with the child; all audited', async () => {
  const ref = await raise();
  for (const who of ['teacher', 'mash', 'mashmgr', 'director']) {
    const r = await as[who].get(`/api/v1/referrals/${ref.id}`);
    assert.equal(r.status, 200, `${who}: ${r.describe()}`);
  }
  for (const who of ['teacher2', 'nurse', 'police', 'sw', 'analyst']) {
    const r = await as[who].get(`/api/v1/referrals/${ref.id}`);
    assert.equal(r.status, 404, `${who} may not see it: ${r.describe()}`);
    assert.equal(r.errorCode, 'not_found');
  }
  assert.equal((await as.teacher.get('/api/v1/referrals/rf_nosuchreferral00001')).status, 404);
  // Once the child is confirmed, agencies involved with the child see the referral.
  const child = (await as.police.post('/api/v1/children', childBody())).json;
  assert.equal((await as.mash.post(`/api/v1/referrals/${ref.id}/child`, { child_id: child.id })).status, 200);
  assert.equal((await as.police.get(`/api/v1/referrals/${ref.id}`)).status, 200);
  assert.equal((await as.nurse.get(`/api/v1/referrals/${ref.id}`)).status, 404);
  const audit = await sh.query(`SELECT outcome, actor FROM audit_log WHERE action = 'referral.read' AND object_id = '${ref.id}'`);
  assert.ok(audit.some((a) => a.outcome === 'denied' && a.actor === 'r.nurse'));
  assert.ok(audit.some((a) => a.outcome === 'ok' && a.actor === 'r.police'));
  const childRead = await sh.scalar(`SELECT count(*) AS n FROM audit_log WHERE action = 'child.referral_read' AND object_id = '${child.id}'`);
  assert.ok(childRead >= 1, 'reading a referral is on the child\'s audit trail');
});

test('possible matches: the same NHS number is exact; slips, short forms and swapped dates are near', async () => {
  const last = uniqueName('Whitcombe');
  const known = (await as.sw.post('/api/v1/children', childBody({ first_name: 'Jessica', last_name: last, date_of_birth: '2012-04-07', postcode: 'HF3 4AB' }))).json;
  const near = await raise({
    child: { first_name: 'Jess', last_name: `${last}e`, date_of_birth: '2012-07-04', postcode: 'HF3 9ZZ', ethnicity: 'NOBT' },
  });
  const m = await as.mash.get(`/api/v1/referrals/${near.id}/matches`);
  assert.equal(m.status, 200, m.describe());
  const cand = m.json.candidates.find((c) => c.child_id === known.id);
  assert.ok(cand, `the near match is offered: ${JSON.stringify(m.json)}`);
  assert.equal(cand.exact, false);
  assert.ok(cand.explanation.some((e) => /Close date of birth/.test(e)));
  assert.ok(cand.explanation.some((e) => /Similar last name/.test(e)));
  const exact = await raise({ child: { first_name: 'Someone', last_name: 'Else', nhs_number: known.nhs_number, ethnicity: 'NOBT' } });
  const me = await as.mash.get(`/api/v1/referrals/${exact.id}/matches`);
  assert.equal(me.json.candidates[0].child_id, known.id);
  assert.equal(me.json.candidates[0].exact, true);
  assert.equal((await as.teacher.get(`/api/v1/referrals/${exact.id}/matches`)).status, 403, 'only the MASH and managers match');
  const shown = await sh.scalar(`SELECT count(*) AS n FROM audit_log WHERE action = 'child.match_result' AND object_id = '${known.id}'`);
  assert.ok(shown >= 2, 'each child shown as a match is audited');
});

test('confirming the child: a known child or a new record from the details; once only; bad choices refused', async () => {
  const ref = await raise();
  const before0 = await written();
  for (const [body, field] of [
    [{}, 'child_id'],
    [{ child_id: 'ch_nosuchchild000000001' }, 'child_id'],
    [{ child_id: 'ch_x', create: true }, 'child_id'],
    [{ create: true, colour: 'red' }, 'colour'],
  ]) {
    const r = await as.mash.post(`/api/v1/referrals/${ref.id}/child`, body);
    assert.equal(r.status, 422, `${JSON.stringify(body)}: ${r.describe()}`);
    assert.ok(r.json.error.fields[field], r.describe());
  }
  assert.deepEqual(await written(), before0);
  const made = await as.mash.post(`/api/v1/referrals/${ref.id}/child`, { create: true });
  assert.equal(made.status, 200, made.describe());
  assert.equal(made.json.child.first_name, ref.child_details.first_name);
  assert.equal((await as.teacher.get(`/api/v1/children/${made.json.child_id}`)).status, 200, 'the referring agency is involved');
  const again = await as.mash.post(`/api/v1/referrals/${ref.id}/child`, { create: true });
  assert.equal(again.status, 409, again.describe());
  assert.equal((await as.teacher.post(`/api/v1/referrals/${ref.id}/child`, { create: true })).status, 403);
  const chron = await as.mash.get(`/api/v1/children/${made.json.child_id}/chronology`);
  assert.ok(chron.json.some((e) => e.type === 'referral' && e.agency === 'HFEDU' && e.summary.includes(ref.reference)));
});

test('ratings put the MASH checks on the clock from receipt: red soonest, then amber, then green; rating again moves it', async () => {
  const due = {};
  for (const rag of ['red', 'amber', 'green']) {
    const ref = await raise();
    const r = await as.mash.post(`/api/v1/referrals/${ref.id}/triage`, { rag, reason: `Rated ${rag}` });
    assert.equal(r.status, 200, r.describe());
    assert.equal(r.json.rag, rag);
    assert.equal(r.json.triaged_by.username, 'r.mash');
    const dl = Object.fromEntries(r.json.deadlines.map((d) => [d.kind, d]));
    due[rag] = Date.parse(dl.mash_checks.due_at);
    if (rag === 'red') assert.equal(dl.mash_checks.due_at, dl.triage.due_at, 'red: the same working hours as the triage itself');
    assert.ok(dl.triage.met_at);
    const again = await as.mash.post(`/api/v1/referrals/${ref.id}/triage`, { rag: 'red', reason: 'More came to light.' });
    assert.equal(again.status, 200);
    assert.equal(again.json.deadlines.find((d) => d.kind === 'mash_checks').due_at, dl.triage.due_at);
  }
  assert.ok(due.red < due.amber && due.amber < due.green, JSON.stringify(due));
  const ref = await raise();
  for (const [body, field] of [
    [{ rag: 'purple', reason: 'x' }, 'rag'],
    [{ rag: 'red' }, 'reason'],
    [{ rag: 'red', reason: 'x', extra: 1 }, 'extra'],
  ]) {
    const r = await as.mash.post(`/api/v1/referrals/${ref.id}/triage`, body);
    assert.equal(r.status, 422);
    assert.ok(r.json.error.fields[field], r.describe());
  }
  assert.equal((await as.teacher.post(`/api/v1/referrals/${ref.id}/triage`, { rag: 'red', reason: 'x' })).status, 403);
  assert.equal((await as.mash.post('/api/v1/referrals/rf_nosuchreferral00001/triage', { rag: 'red', reason: 'x' })).status, 404);
});

test('decisions: each outcome accepted; 422 without a rationale, 403 for a role that may not decide, 409 a second time', async () => {
  const outcomes = ['no_further_action', 'advice', 'early_help', 'assessment', 'strategy_discussion', 'section_47'];
  for (const outcome of outcomes) {
    const ref = await raise({ indicators: ['V01'] });
    await as.mash.post(`/api/v1/referrals/${ref.id}/triage`, { rag: 'green', reason: 'Low' });
    const before0 = await written();
    const noReason = await as.mash.post(`/api/v1/referrals/${ref.id}/decision`, { outcome });
    assert.equal(noReason.status, 422);
    assert.ok(noReason.json.error.fields.rationale);
    const blank = await as.mash.post(`/api/v1/referrals/${ref.id}/decision`, { outcome, rationale: '  ' });
    assert.equal(blank.status, 422);
    const byReferrer = await as.teacher.post(`/api/v1/referrals/${ref.id}/decision`, { outcome, rationale: 'Mine' });
    assert.equal(byReferrer.status, 403);
    assert.equal(byReferrer.errorCode, 'forbidden');
    const bySw = await as.sw.post(`/api/v1/referrals/${ref.id}/decision`, { outcome, rationale: 'Mine' });
    assert.equal(bySw.status, 403);
    assert.deepEqual(await written(), before0, 'nothing written on any refusal');
    const r = await as.mash.post(`/api/v1/referrals/${ref.id}/decision`, { outcome, rationale: `Because: ${outcome}` });
    assert.equal(r.status, 200, r.describe());
    assert.equal(r.json.status, 'decided', `${outcome}: a green referral with only a vulnerability needs no sign-off`);
    assert.equal(r.json.outcome, outcome);
    assert.equal(r.json.open, false);
    const second = await as.mash.post(`/api/v1/referrals/${ref.id}/decision`, { outcome: 'advice', rationale: 'Again' });
    assert.equal(second.status, 409, second.describe());
    assert.equal(second.errorCode, 'conflict');
    assert.match(second.json.error.message, /already been decided/);
    assert.equal((await as.mash.post(`/api/v1/referrals/${ref.id}/triage`, { rag: 'red', reason: 'Late' })).status, 409);
    const seen = await as.teacher.get(`/api/v1/referrals/${ref.id}`);
    assert.equal(seen.json.rationale, `Because: ${outcome}`, 'the referrer sees the decision and its reason');
  }
  const bad = await as.mash.post(`/api/v1/referrals/${(await raise()).id}/decision`, { outcome: 'close', rationale: 'x' });
  assert.equal(bad.status, 422);
  assert.ok(bad.json.error.fields.outcome);
  const conflicts = await sh.scalar("SELECT count(*) AS n FROM audit_log WHERE action = 'referral.decide' AND outcome = 'conflict'");
  assert.ok(conflicts >= outcomes.length);
});

test('no further action needs a manager\'s sign-off when rated red, in immediate danger or with an exploitation indicator', async () => {
  const cases = [
    [{ indicators: ['V02'] }, 'amber', false],
    [{ indicators: ['V02'] }, 'red', true],
    [{ indicators: ['M01'] }, 'green', true],
    [{ indicators: ['S06'] }, 'green', true],
    [{ indicators: [], immediate_danger: true }, null, true],
    [{ indicators: [] }, 'amber', false],
  ];
  for (const [over, rag, needs] of cases) {
    const ref = await raise(over);
    if (rag) await as.mash.post(`/api/v1/referrals/${ref.id}/triage`, { rag, reason: 'x' });
    const r = await as.mash.post(`/api/v1/referrals/${ref.id}/decision`, { outcome: 'no_further_action', rationale: 'No concerns' });
    assert.equal(r.status, 200, r.describe());
    assert.equal(r.json.status, needs ? 'awaiting_signoff' : 'decided', `${JSON.stringify(over)} ${rag}`);
    assert.equal(r.json.signoff_needed, needs);
  }
});

test('sign-off: only another manager; sending back needs a reason and starts a new decision for the decider', async () => {
  const ref = await raise({ indicators: ['S01'] });
  await as.mash.post(`/api/v1/referrals/${ref.id}/triage`, { rag: 'amber', reason: 'x' });
  const d = await as.mashmgr.post(`/api/v1/referrals/${ref.id}/decision`, { outcome: 'no_further_action', rationale: 'Closed' });
  assert.equal(d.json.status, 'awaiting_signoff');
  assert.equal(d.json.deadlines.find((x) => x.kind === 'signoff').owner, 'r.dir', 'the decider\'s own manager signs off');
  const own = await as.mashmgr.post(`/api/v1/referrals/${ref.id}/signoff`, { outcome: 'approved' });
  assert.equal(own.status, 403, own.describe());
  assert.match(own.json.error.message, /another manager/);
  assert.equal((await as.mash.post(`/api/v1/referrals/${ref.id}/signoff`, { outcome: 'approved' })).status, 403);
  const noReason = await as.othermgr.post(`/api/v1/referrals/${ref.id}/signoff`, { outcome: 'sent_back' });
  assert.equal(noReason.status, 422);
  assert.ok(noReason.json.error.fields.reason);
  const bad = await as.othermgr.post(`/api/v1/referrals/${ref.id}/signoff`, { outcome: 'maybe' });
  assert.equal(bad.status, 422);
  const back = await as.othermgr.post(`/api/v1/referrals/${ref.id}/signoff`, { outcome: 'sent_back', reason: 'Speak to the school first.' });
  assert.equal(back.status, 200, back.describe());
  assert.equal(back.json.status, 'triaged');
  assert.equal(back.json.decision_round, 2);
  assert.equal(back.json.outcome, null);
  const d2 = back.json.deadlines.find((x) => x.kind === 'decision_2');
  assert.equal(d2.owner, 'r.mashmgr', 'the decider must decide again');
  assert.equal(d2.met_at, null);
  assert.equal((await as.othermgr.post(`/api/v1/referrals/${ref.id}/signoff`, { outcome: 'approved' })).status, 409);
  const again = await as.mash.post(`/api/v1/referrals/${ref.id}/decision`, { outcome: 'no_further_action', rationale: 'School spoken to.' });
  assert.equal(again.json.status, 'awaiting_signoff');
  assert.equal(again.json.deadlines.find((x) => x.kind === 'signoff_2').owner, 'r.mashmgr');
  const ok = await as.mashmgr.post(`/api/v1/referrals/${ref.id}/signoff`, { outcome: 'approved', reason: 'Agreed.' });
  assert.equal(ok.status, 200, ok.describe());
  assert.equal(ok.json.status, 'decided');
  assert.ok(ok.json.deadlines.every((x) => x.met_at), 'nothing left open');
});

test('challenges: only the referring agency, once per decision, answered by a manager other than the decider', async () => {
  const ref = await raise();
  const early = await as.teacher.post(`/api/v1/referrals/${ref.id}/challenge`, { reason: 'Too slow' });
  assert.equal(early.status, 409, 'nothing to challenge before a decision');
  await as.mash.post(`/api/v1/referrals/${ref.id}/decision`, { outcome: 'advice', rationale: 'Advice given to school.' });
  assert.equal((await as.mash.post(`/api/v1/referrals/${ref.id}/challenge`, { reason: 'x' })).status, 403, 'the MASH cannot challenge itself');
  assert.equal((await as.nurse.post(`/api/v1/referrals/${ref.id}/challenge`, { reason: 'x' })).status, 404, 'nor can others see it');
  const noReason = await as.teacher.post(`/api/v1/referrals/${ref.id}/challenge`, {});
  assert.equal(noReason.status, 422);
  assert.ok(noReason.json.error.fields.reason);
  // A colleague in the referring school may challenge too.
  const ch = await as.teacher2.post(`/api/v1/referrals/${ref.id}/challenge`, { reason: 'Her brother was groomed last year.' });
  assert.equal(ch.status, 404, 'a colleague cannot see a referral about a child not yet confirmed');
  const own = await as.teacher.post(`/api/v1/referrals/${ref.id}/challenge`, { reason: 'Her brother was groomed last year.' });
  assert.equal(own.status, 200, own.describe());
  const dl = own.json.deadlines.find((d) => d.kind === 'challenge');
  assert.equal(dl.owner, 'r.mashmgr');
  assert.equal((await as.teacher.post(`/api/v1/referrals/${ref.id}/challenge`, { reason: 'Again' })).status, 409);
  const bad = await as.mashmgr.post(`/api/v1/referrals/${ref.id}/challenge/response`, { outcome: 'decision_stands' });
  assert.equal(bad.status, 422);
  assert.ok(bad.json.error.fields.response);
  assert.equal((await as.mash.post(`/api/v1/referrals/${ref.id}/challenge/response`, { outcome: 'decision_stands', response: 'x' })).status, 403);
  const stands = await as.mashmgr.post(`/api/v1/referrals/${ref.id}/challenge/response`, { outcome: 'decision_stands', response: 'Advice is right.' });
  assert.equal(stands.status, 200, stands.describe());
  assert.equal(stands.json.challenge.outcome, 'decision_stands');
  assert.equal(stands.json.challenge.answered_by.username, 'r.mashmgr');
  assert.equal((await as.teacher.post(`/api/v1/referrals/${ref.id}/challenge`, { reason: 'Still' })).status, 409, 'once per decision');
  assert.equal((await as.mashmgr.post(`/api/v1/referrals/${ref.id}/challenge/response`, { outcome: 'decision_stands', response: 'x' })).status, 409);

  // A manager may not answer a challenge to their own decision.
  const mine = await raise();
  await as.mashmgr.post(`/api/v1/referrals/${mine.id}/decision`, { outcome: 'early_help', rationale: 'Family support.' });
  await as.teacher.post(`/api/v1/referrals/${mine.id}/challenge`, { reason: 'Not enough.' });
  const self = await as.mashmgr.post(`/api/v1/referrals/${mine.id}/challenge/response`, { outcome: 'decision_stands', response: 'x' });
  assert.equal(self.status, 403, self.describe());
  const other = await as.othermgr.post(`/api/v1/referrals/${mine.id}/challenge/response`, { outcome: 'decision_overturned', response: 'Agreed.' });
  assert.equal(other.status, 200, other.describe());
  assert.equal(other.json.status, 'received', 'never rated: back to the queue unrated');
  assert.ok(other.json.deadlines.some((d) => d.kind === 'decision_2' && d.met_at === null));
});

test('an unanswered challenge is due in 5 working days, escalates up the chain, and its answer reaches the referrer', async () => {
  const ref = await raise();
  await as.mash.post(`/api/v1/referrals/${ref.id}/decision`, { outcome: 'advice', rationale: 'Advice given to school.' });
  const ch = await as.teacher.post(`/api/v1/referrals/${ref.id}/challenge`, { reason: 'She is missing from school again.' });
  assert.equal(ch.status, 200, ch.describe());
  const dl = ch.json.deadlines.find((d) => d.kind === 'challenge');
  const due = Date.parse(dl.due_at) / 1000;
  const now = Date.now() / 1000;
  // Five working days of office hours: from a weekend they end at Friday's close, so late on a Sunday
  // a little under five calendar days (4.7); from a weekday a week; at most eleven (a weekend and bank
  // holidays); and on a weekday.
  assert.ok(due - now >= 4.5 * 86400 && due - now <= 11 * 86400, `due ${dl.due_at}`);
  assert.ok(![0, 6].includes(new Date(due * 1000).getUTCDay()), `due on a weekday: ${dl.due_at}`);
  // The decider's manager owns it; left unanswered it climbs to the director.
  const steps = async () => (await sh.query(
    `SELECT e.level, u.username FROM escalations e JOIN deadlines d ON d.id = e.deadline_id JOIN users u ON u.id = e.to_user_id
     WHERE d.item_id = '${ref.id}' AND d.kind = 'challenge' ORDER BY e.level`,
  )).map((x) => `${x.level} ${x.username}`);
  const at = (t) => new Date(t * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  await sh.cliOk(['sla', 'run', '--as-of', at(due - 60)]);
  assert.deepEqual(await steps(), []);
  await sh.cliOk(['sla', 'run', '--as-of', at(due + 30 * 86400)]);
  assert.deepEqual(await steps(), ['1 r.dir'], "to the owner's manager, the director");
  const esc = (await as.teacher.get(`/api/v1/referrals/${ref.id}`)).json.escalations;
  assert.ok(esc.some((e) => e.to_user === 'r.dir' && e.level === 1), 'the step is on the referral');
  // The answer meets it and goes back to the referrer, in Safehub.
  const ans = await as.mashmgr.post(`/api/v1/referrals/${ref.id}/challenge/response`, { outcome: 'decision_stands', response: 'Advice stands; the school nurse will follow up.' });
  assert.equal(ans.status, 200, ans.describe());
  assert.ok(ans.json.deadlines.find((d) => d.kind === 'challenge').met_at, 'answering meets the deadline');
  const notes = (await as.teacher.get('/api/v1/notifications')).json;
  const list = Array.isArray(notes) ? notes : notes.notifications;
  assert.ok(list.some((n) => n.kind === 'challenge_answer' && n.item_id === ref.id), 'the referrer is told the outcome');
});

test('assignment gives the referral\'s open deadlines to a MASH worker, or back to the queue', async () => {
  const ref = await raise();
  const to = await as.mash.post(`/api/v1/referrals/${ref.id}/assign`, { user_id: u.mash2.id });
  assert.equal(to.status, 200, to.describe());
  assert.equal(to.json.assigned_to.username, 'r.mash2');
  for (const d of to.json.deadlines) assert.equal(d.owner, 'r.mash2', d.kind);
  const work = await as.mash2.get('/api/v1/work');
  assert.ok(work.json.items.some((i) => i.link === `/referrals/${ref.id}`), 'on the worker\'s work list');
  const notes = await as.mash2.get('/api/v1/notifications');
  assert.ok(notes.json.notifications.some((n) => n.kind === 'assigned' && n.item_id === ref.id));
  for (const [body, field] of [[{ user_id: u.teacher.id }, 'user_id'], [{ user_id: 'us_nosuchuser00000001' }, 'user_id'], [{}, 'user_id']]) {
    const r = await as.mash.post(`/api/v1/referrals/${ref.id}/assign`, body);
    assert.equal(r.status, 422, r.describe());
    assert.ok(r.json.error.fields[field]);
  }
  const back = await as.mash.post(`/api/v1/referrals/${ref.id}/assign`, { user_id: null });
  assert.equal(back.status, 200);
  assert.equal(back.json.assigned_to, null);
  for (const d of back.json.deadlines) assert.equal(d.owner, null);
  const staff = await as.mash.get('/api/v1/mash-staff');
  assert.ok(staff.json.staff.some((s) => s.username === 'r.mash2'));
  assert.ok(!staff.json.staff.some((s) => s.username === 'r.teacher'));
});

test('the MASH queue: open referrals soonest deadline first, filtered by status and rating; referrers see their own', async () => {
  const red = await raise();
  await as.mash.post(`/api/v1/referrals/${red.id}/triage`, { rag: 'red', reason: 'x' });
  const q = await as.mash.get('/api/v1/referrals');
  assert.equal(q.status, 200, q.describe());
  assert.equal(q.json.view, 'mash_queue');
  assert.equal(q.json.status, 'open');
  const due = q.json.referrals.map((x) => Date.parse(x.next_due_at));
  assert.deepEqual(due, [...due].sort((a, b) => a - b), 'ordered by deadline');
  assert.ok(q.json.referrals.every((x) => x.open));
  for (const x of q.json.referrals) {
    for (const k of ['childs_words', 'concern', 'child_details', 'child']) assert.ok(!(k in x), `the queue shows no ${k}`);
  }
  const reds = await as.mashmgr.get('/api/v1/referrals?rag=red&status=triaged');
  assert.ok(reds.json.referrals.length >= 1);
  assert.ok(reds.json.referrals.every((x) => x.rag === 'red' && x.status === 'triaged'));
  assert.ok(reds.json.referrals.some((x) => x.id === red.id));
  const decided = await as.director.get('/api/v1/referrals?status=decided');
  assert.ok(decided.json.referrals.length >= 1 && decided.json.referrals.every((x) => x.status === 'decided'));
  const all = await as.director.get('/api/v1/referrals?status=all&page=1');
  assert.ok(all.json.total >= q.json.total + decided.json.total);
  for (const bad of ['status=closed', 'rag=blue', 'page=0', 'page=x', 'colour=red']) {
    const r = await as.mash.get(`/api/v1/referrals?${bad}`);
    assert.equal(r.status, 422, `${bad}: ${r.describe()}`);
  }
  const mine = await as.teacher2.get('/api/v1/referrals');
  assert.equal(mine.json.view, 'raised_by_me');
  assert.equal(mine.json.total, 0, 'a referrer sees only the referrals they made');
  const teachers = await as.teacher.get('/api/v1/referrals?status=open');
  assert.ok(teachers.json.referrals.every((x) => x.referrer_id === u.teacher.id && x.open));
  const listed = await sh.scalar("SELECT count(*) AS n FROM audit_log WHERE action = 'referral.list'");
  assert.ok(listed >= 5, 'listings are audited');
});

test('a child\'s referrals, with the child\'s words, for those who may see the child', async () => {
  const child = (await as.police.post('/api/v1/children', childBody())).json;
  const ref = await as.police.post('/api/v1/referrals', { child_id: child.id, concern: 'Found in a car at 2am.', childs_words: 'I just wanted a lift.', indicators: ['S03'], immediate_danger: false });
  assert.equal(ref.status, 201, ref.describe());
  assert.equal(ref.json.child_id, child.id, 'a known child needs no confirming');
  assert.equal(
    await sh.scalar(`SELECT count(*) AS n FROM deadlines WHERE item_type = 'child' AND item_id = '${child.id}' AND kind = 'risk_review_request'`),
    1,
  );
  const list = await as.police.get(`/api/v1/children/${child.id}/referrals`);
  assert.equal(list.status, 200, list.describe());
  assert.equal(list.json.referrals.length, 1);
  assert.equal(list.json.referrals[0].childs_words, 'I just wanted a lift.');
  assert.equal((await as.teacher.get(`/api/v1/children/${child.id}/referrals`)).status, 404);
  assert.equal((await as.mash.get(`/api/v1/children/${child.id}/referrals`)).status, 200);
  const chron = await as.mash.get(`/api/v1/children/${child.id}/chronology?type=referral`);
  assert.equal(chron.json.length, 1);
  assert.equal(chron.json[0].agency, 'HFP');
});

test('the audit chain verifies after all of this', async () => {
  const v = await sh.cli(['audit', 'verify']);
  assert.equal(v.code, 0, v.stderr);
});

test('the server stops cleanly', async () => {
  assert.equal((await sh.stop()).code, 0);
});
