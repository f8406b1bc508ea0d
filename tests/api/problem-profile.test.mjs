// The problem profile through the API and its page, on the real server: a
// known set of referrals (with and without indicators, decided in time and
// late), risk assessments (the level now in force), missing episodes and
// return-home interviews (held in time, late, declined, not held), children
// of concern by gender, age band and ethnicity (not yet obtained and refused
// among them), people and places named in intelligence (some ethnicity and
// nationality not known) and the groups of the whole network, recorded
// through the API and moved into a past period with SQL; the exact figures,
// percentages and completeness; the period's edges (an event on `to` counts,
// one the day after does not); 422s naming "from" or "to"; the roles that may
// read it and those refused; no child, person or place named or identified in
// the answer; the audit entry; and the page of the same figures.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Safehub, addAgencies, childBody } from '../lib/index.mjs';

let sh;
const u = {};
const as = {};
/** Last year: every date below is in the past and less than five years ago, whenever the suite runs. */
const Y = new Date().getUTCFullYear() - 1;
const P = { from: `${Y}-03-01`, to: `${Y}-05-31` };
/** Epoch seconds of an ISO instant. */
const at = (s) => Date.parse(s) / 1000;
const q = (s) => String(s).replace(/'/g, "''");
/** Everything that identifies a record: none of it may appear in the profile. */
const secrets = [];
const kids = {};
const ids = {};

/** YYYY-MM-DD of the UTC day DAYS from today. */
function day(days) {
  return new Date(Date.now() + days * 86400000).toISOString().slice(0, 10);
}

/** A child recorded by CLIENT (so the client's agency is involved); its names and id are kept as secrets. */
async function child(client, overrides) {
  const body = childBody(overrides);
  const r = await client.post('/api/v1/children', body);
  assert.equal(r.status, 201, r.describe());
  secrets.push(r.json.id, body.first_name, body.last_name, body.nhs_number);
  return r.json;
}

/**
 * A referral by CLIENT about BODY's child, received at instant WHEN (moved there with SQL).  With CONFIRM, the
 * referrer gave the child's details and the MASH confirmed it is that child (a referrer may not open records).
 */
async function referral(client, body, when, confirm) {
  const r = await client.post('/api/v1/referrals', { concern: 'Seen with older males late at night.', ...body });
  assert.equal(r.status, 201, r.describe());
  if (confirm) {
    const c = await as.mash.post(`/api/v1/referrals/${r.json.id}/child`, { child_id: confirm.id });
    assert.equal(c.status, 200, c.describe());
  }
  await sh.exec(`UPDATE referrals SET received_at = ${at(when)} WHERE id = '${r.json.id}'`);
  secrets.push(r.json.id, r.json.reference);
  return r.json.id;
}

/** Decides referral ID as the MASH; its first decision deadline was due DUE and met at MET (moved with SQL). */
async function decide(id, outcome, due, met) {
  const r = await as.mash.post(`/api/v1/referrals/${id}/decision`, { outcome, rationale: 'Decided on the information held.' });
  assert.equal(r.status, 200, r.describe());
  await sh.exec(
    `UPDATE deadlines SET due_at = ${at(due)}, met_at = ${at(met)} WHERE item_type = 'referral' AND item_id = '${id}' AND kind = 'decision'`,
  );
}

/** A risk assessment of CHILD by the MASH with INDICATORS, made at WHEN (moved with SQL); returns its level. */
async function assess(c, indicators, when) {
  const r = await as.mash.post(`/api/v1/children/${c.id}/risk-assessments`, {
    indicators: indicators.map((code) => ({ code, evidence: `Evidence of ${code}` })),
    childs_words: 'I am fine.',
  });
  assert.equal(r.status, 201, r.describe());
  await sh.exec(`UPDATE risk_assessments SET assessed_at = ${at(when)} WHERE id = '${r.json.id}'`);
  return r.json.level;
}

/** A missing episode of CHILD recorded by the MASH; returns its id. */
async function episode(c, wentMissing, returned) {
  const body = { went_missing_at: wentMissing, reported_to_police: true };
  if (returned) body.returned_at = returned;
  const r = await as.mash.post(`/api/v1/children/${c.id}/missing-episodes`, body);
  assert.equal(r.status, 201, r.describe());
  return r.json.id;
}

/** Records the return-home interview of episode ID: held at WHEN, or declined. */
async function interview(id, when, declined = false) {
  const body = declined
    ? { declined: true, reason: 'Did not want to talk.', conducted_at: when }
    : { conducted_by: 'Jo Youth Worker, Holmford YPP', independent: true, childs_account: 'I was at a friend\'s.', conducted_at: when };
  const r = await as.mash.post(`/api/v1/missing-episodes/${id}/return-interview`, body);
  assert.ok([200, 201].includes(r.status), r.describe());
}

/** An entity recorded by the police; its id and label kept as secrets. */
async function entity(body) {
  const r = await as.police.post('/api/v1/entities', body);
  assert.equal(r.status, 201, r.describe());
  secrets.push(r.json.id, r.json.label);
  return r.json.id;
}

/** An item of intelligence with LINKS ([from, to, relation]) recorded at WHEN (moved with SQL). */
async function intel(links, when) {
  const r = await as.police.post('/api/v1/intelligence', {
    summary: 'Seen together at the premises late at night.',
    source_evaluation: '2',
    intelligence_assessment: 'B',
    handling_code: 'P',
    links: links.map(([from, to, relation]) => ({ from, to, relation })),
  });
  assert.equal(r.status, 201, r.describe());
  await sh.exec(`UPDATE intelligence SET recorded_at = ${at(when)} WHERE id = '${r.json.id}'`);
  secrets.push(r.json.id);
  return r.json.id;
}

/** GET the profile for PERIOD as CLIENT (strategic by default). */
function profile(period, client = as.strategic) {
  const qs = new URLSearchParams(period).toString();
  return client.get(`/api/v1/reports/problem-profile${qs ? `?${qs}` : ''}`);
}

before(async () => {
  sh = await Safehub.create({ env: { SAFEHUB_TOTP_ROLES: '', SAFEHUB_SLA_INTERVAL: '86400' } });
  await addAgencies(sh);
  const people = {
    referrer: ['pp.teacher', 'referrer', 'HFEDU'],
    mash: ['pp.mash', 'mash', 'HFCSC'],
    social_worker: ['pp.sw', 'social_worker', 'HFCSC'],
    cse_worker: ['pp.cse', 'cse_worker', 'HFYPP'],
    police: ['pp.police', 'police', 'HFP'],
    analyst: ['pp.analyst', 'analyst', 'HFP'],
    manager: ['pp.manager', 'manager', 'HFCSC'],
    director: ['pp.director', 'director', 'HFCSC'],
    strategic: ['pp.strategic', 'strategic', 'HFCSC'],
    auditor: ['pp.auditor', 'auditor', 'HFCSC'],
    admin: ['pp.admin', 'admin', 'HFCSC'],
  };
  for (const [k, [username, role, agency]] of Object.entries(people)) u[k] = await sh.addUser({ username, role, agency });
  await sh.start();
  for (const k of Object.keys(u)) as[k] = await sh.login(u[k]);

  // Children, with ages at the period's end (31 May) right on the bands' edges.
  kids.c1 = await child(as.police, { gender: 'female', date_of_birth: `${Y - 14}-05-31`, ethnicity: 'WBRI' }); // 14 on `to`
  kids.c2 = await child(as.referrer, { gender: 'male', date_of_birth: `${Y - 11}-06-01`, ethnicity: 'NOBT' }); // 10 (11 the day after)
  kids.c3 = await child(as.social_worker, { gender: 'female', date_of_birth: `${Y - 16}-01-10`, ethnicity: 'WOTH' });
  kids.c4 = await child(as.social_worker, { gender: 'female', date_of_birth: `${Y - 18}-05-31`, ethnicity: 'REFU' }); // 18 on `to`
  kids.c5 = await child(as.social_worker, { gender: 'male', date_of_birth: `${Y - 15}-02-02`, ethnicity: 'BCRB' });
  kids.c6 = await child(as.social_worker, { gender: 'male', date_of_birth: `${Y - 13}-03-03`, ethnicity: 'APKN' });

  // Referrals: five received in the period (the first and last instants among them), one each side of it.
  ids.r1 = await referral(as.police, { child_id: kids.c1.id, indicators: ['S03'] }, `${Y}-03-01T00:00:00Z`);
  const told = childBody({ first_name: 'Pellam', last_name: 'Oxbrigge' });
  secrets.push(told.first_name, told.last_name);
  ids.r2 = await referral(as.referrer, { child: told, indicators: ['M01'] }, `${Y}-05-31T23:59:59Z`, kids.c2);
  ids.r3 = await referral(as.police, { child_id: kids.c1.id, indicators: [] }, `${Y}-04-15T10:00:00Z`);
  const unknown = childBody({ first_name: 'Quorrin', last_name: 'Vandelay' });
  secrets.push(unknown.first_name, unknown.last_name);
  ids.r6 = await referral(as.referrer, { child: unknown, indicators: ['S01'] }, `${Y}-04-02T09:00:00Z`);
  ids.r7 = await referral(as.social_worker, { child_id: kids.c4.id, indicators: ['V01'] }, `${Y}-05-10T12:00:00Z`);
  ids.r4 = await referral(as.social_worker, { child_id: kids.c5.id, indicators: ['S09'] }, `${Y}-06-01T00:00:00Z`);
  ids.r5 = await referral(as.social_worker, { child_id: kids.c3.id, indicators: [] }, `${Y}-02-28T23:59:59Z`);
  // Decided: in time, late, at the very deadline (in time), late; and one outside the period.
  await decide(ids.r1, 'strategy_discussion', `${Y}-03-02T00:00:00Z`, `${Y}-03-01T02:00:00Z`);
  await decide(ids.r2, 'no_further_action', `${Y}-06-01T17:00:00Z`, `${Y}-06-03T09:00:00Z`);
  await decide(ids.r3, 'early_help', `${Y}-04-16T10:00:00Z`, `${Y}-04-16T10:00:00Z`);
  await decide(ids.r7, 'advice', `${Y}-05-11T12:00:00Z`, `${Y}-05-12T12:00:00Z`);
  await decide(ids.r4, 'section_47', `${Y}-06-02T00:00:00Z`, `${Y}-06-05T00:00:00Z`);

  // Risk: c1 high in the period, then low after it (the level now in force); c6 medium on `to`; c5 before it.
  assert.equal(await assess(kids.c1, ['S09'], `${Y}-04-10T10:00:00Z`), 'high');
  assert.equal(await assess(kids.c1, ['S01', 'V01'], `${Y}-07-01T10:00:00Z`), 'low');
  assert.equal(await assess(kids.c6, ['S01', 'S02', 'M01'], `${Y}-05-31T12:00:00Z`), 'medium');
  assert.equal(await assess(kids.c5, ['S01', 'V01'], `${Y}-02-01T10:00:00Z`), 'low');

  // Missing: held in time, held late, declined, not held, still missing; and one the day after the period.
  const e1 = await episode(kids.c1, `${Y}-03-01T00:00:00Z`, `${Y}-03-02T10:00:00Z`);
  await interview(e1, `${Y}-03-04T09:00:00Z`);
  const e2 = await episode(kids.c1, `${Y}-04-10T20:00:00Z`, `${Y}-04-11T08:00:00Z`);
  await interview(e2, `${Y}-04-20T09:00:00Z`);
  const e3 = await episode(kids.c2, `${Y}-05-31T23:00:00Z`, `${Y}-06-01T02:00:00Z`);
  await interview(e3, `${Y}-06-02T10:00:00Z`, true);
  await episode(kids.c6, `${Y}-05-20T18:00:00Z`, `${Y}-05-21T07:00:00Z`);
  await episode(kids.c6, `${Y}-05-25T18:00:00Z`, null);
  await episode(kids.c3, `${Y}-06-01T00:00:00Z`, `${Y}-06-01T09:00:00Z`);

  // Intelligence: group A (four linked to each other, a takeaway hanging off them), group B (three), a pair.
  const person = (first, last, self, observed, nationality) => ({
    type: 'person', first_name: first, last_name: last, ethnicity_self: self, ethnicity_observed: observed, nationality,
  });
  ids.p1 = await entity(person('Osric', 'Thundleby', 'W1', 'IC1', 'GB'));
  ids.p2 = await entity(person('Barnaby', 'Quellworth', 'not_known', 'IC4', 'GB'));
  ids.p3 = await entity(person('Cedric', 'Mallowfield', 'A4', 'IC4', 'not_known'));
  ids.p4 = await entity(person('Dunstan', 'Pekkering', 'not_known', 'not_known', 'PL'));
  ids.v1 = await entity({ type: 'vehicle', registration: 'HF00 QXZ', make: 'Ford', colour: 'Silver' });
  ids.ph1 = await entity({ type: 'phone', number: '07700 900431' });
  ids.l1 = await entity({ type: 'location', name: 'Zanzibar Grill', kind: 'takeaway', postcode: 'HF2 4QT' });
  ids.l2 = await entity({ type: 'location', name: 'Halcyon Lodge', kind: 'hotel', postcode: 'HF1 9SR' });
  ids.l3 = await entity({ type: 'location', name: 'Brackenfold Park', kind: 'park', postcode: 'HF6 1BD' });
  await intel([[ids.p1, ids.p2, 'associates_with'], [ids.p1, ids.v1, 'drives'], [ids.p2, ids.v1, 'drives'],
    [ids.p1, kids.c1.id, 'suspected_of_exploiting'], [ids.p2, kids.c1.id, 'gave_gifts_to'], [ids.v1, kids.c1.id, 'transported'],
    [ids.v1, ids.l1, 'seen_at']], `${Y}-04-01T12:00:00Z`);
  await intel([[ids.p3, ids.ph1, 'uses'], [ids.p3, ids.l2, 'frequents'], [ids.ph1, ids.l2, 'seen_at']], `${Y}-05-31T23:59:59Z`);
  await intel([[ids.p4, ids.l3, 'frequents']], `${Y}-06-01T00:00:00Z`);
  await intel([[ids.p4, ids.l3, 'lives_at']], `${Y}-02-28T23:59:59Z`);
});

after(async () => {
  await sh?.destroy();
});

const ZERO_SELF = Object.fromEntries(
  ['A1', 'A2', 'A3', 'A4', 'A5', 'B1', 'B2', 'B3', 'M1', 'M2', 'M3', 'M4', 'W1', 'W2', 'W3', 'W4', 'W5', 'O1', 'O2', 'not_known'].map((c) => [c, 0]),
);
const ZERO_ETHNICITY = Object.fromEntries(
  ['WBRI', 'WIRI', 'WIRT', 'WOTH', 'WROM', 'MWBC', 'MWBA', 'MWAS', 'MOTH', 'AIND', 'APKN', 'ABAN', 'AOTH', 'BCRB', 'BAFR', 'BOTH', 'CHNE', 'OOTH', 'REFU', 'NOBT'].map((c) => [c, 0]),
);
const ZERO_KINDS = Object.fromEntries(
  ['home', 'hotel', 'takeaway', 'taxi_firm', 'park', 'shop', 'car_park', 'school_vicinity', 'licensed_premises', 'other'].map((c) => [c, 0]),
);

test('the figures of a known period are exact', async () => {
  const r = await profile(P);
  assert.equal(r.status, 200, r.describe());
  assert.match(r.headers['content-type'], /^application\/json/);
  const o = r.json;
  assert.deepEqual(o.period, P);
  assert.deepEqual(o.referrals, {
    received: 5,
    with_cse_indicators: 4,
    decided: 4,
    decided_in_time: 2,
    decided_in_time_pct: 50,
    by_month: [
      { month: `${Y}-03`, received: 1 },
      { month: `${Y}-04`, received: 2 },
      { month: `${Y}-05`, received: 2 },
    ],
    by_source: { police: 2, social_care: 1, health: 0, education: 2, youth_justice: 0, voluntary: 0, housing: 0, other: 0 },
    outcomes: { no_further_action: 1, advice: 1, early_help: 1, assessment: 0, strategy_discussion: 1, section_47: 0 },
  });
  assert.deepEqual(o.risk, { children_assessed: 2, current_by_level: { no_apparent_risk: 0, low: 1, medium: 1, high: 0 } });
  assert.deepEqual(o.missing, {
    episodes: 5,
    children: 3,
    return_interviews_due: 4,
    return_interviews_in_time: 1,
    return_interviews_in_time_pct: 25,
  });
  assert.deepEqual(o.children_of_concern, {
    total: 4,
    by_gender: { female: 2, male: 2, other: 0, not_known: 0 },
    by_age_band: { '8-10': 1, '11-13': 1, '14-15': 1, '16-17': 0, other: 1 },
    by_ethnicity: { ...ZERO_ETHNICITY, WBRI: 1, NOBT: 1, REFU: 1, APKN: 1 },
  });
  assert.deepEqual(o.suspects, {
    people_recorded: 3,
    by_ethnicity_self: { ...ZERO_SELF, W1: 1, A4: 1, not_known: 1 },
    by_ethnicity_observed: { IC1: 1, IC2: 0, IC3: 0, IC4: 2, IC5: 0, IC6: 0, not_known: 0 },
    by_nationality: { GB: 2, not_known: 1 },
  });
  assert.deepEqual(o.places, { by_kind: { ...ZERO_KINDS, takeaway: 1, hotel: 1 } });
  // The whole network now: the four with the child and the takeaway, the three, and a pair too small to count.
  assert.deepEqual(o.networks, { groups: 2, largest: 5 });
  assert.deepEqual(o.completeness, {
    children_ethnicity_recorded_pct: 50,
    children_ethnicity_not_obtained: 1,
    children_ethnicity_refused: 1,
    suspects_ethnicity_self_recorded_pct: 66.7,
    suspects_ethnicity_observed_recorded_pct: 100,
    suspects_nationality_recorded_pct: 66.7,
  });
  // Percentages are numbers to one decimal place, written as such.
  assert.match(r.text, /"suspects_ethnicity_self_recorded_pct":66\.7[,}]/);
  assert.doesNotMatch(r.text, /\d\.\d{2,}/);
});

test('an event on `to` counts, one the day after does not, and each day stands alone', async () => {
  const inner = (await profile({ from: `${Y}-03-02`, to: `${Y}-05-30` })).json;
  assert.equal(inner.referrals.received, 3, 'the first and last instants of the full period fall outside');
  assert.equal(inner.missing.episodes, 3);
  assert.equal(inner.suspects.people_recorded, 2);
  assert.deepEqual(inner.places.by_kind, { ...ZERO_KINDS, takeaway: 1 });

  const after = (await profile({ from: `${Y}-06-01`, to: `${Y}-06-01` })).json;
  assert.deepEqual(after.period, { from: `${Y}-06-01`, to: `${Y}-06-01` });
  assert.equal(after.referrals.received, 1);
  assert.equal(after.referrals.decided, 1);
  assert.equal(after.referrals.decided_in_time, 0);
  assert.equal(after.referrals.decided_in_time_pct, 0);
  assert.deepEqual(after.referrals.outcomes.section_47, 1);
  assert.deepEqual(after.referrals.by_month, [{ month: `${Y}-06`, received: 1 }]);
  assert.equal(after.missing.episodes, 1);
  assert.equal(after.suspects.people_recorded, 1);
  assert.deepEqual(after.suspects.by_nationality, { PL: 1, not_known: 0 });
  assert.equal(after.completeness.suspects_nationality_recorded_pct, 100);
  assert.equal(after.completeness.suspects_ethnicity_self_recorded_pct, 0);
  assert.deepEqual(after.places.by_kind, { ...ZERO_KINDS, park: 1 });
  // c5's referral carries a disclosure, but its assessment was before: it is a child of concern through the referral.
  assert.equal(after.children_of_concern.total, 1);
  assert.equal(after.children_of_concern.by_ethnicity.BCRB, 1);
  assert.equal(after.children_of_concern.by_age_band['14-15'], 1);

  const before = (await profile({ from: `${Y}-02-28`, to: `${Y}-02-28` })).json;
  assert.equal(before.referrals.received, 1);
  assert.equal(before.referrals.with_cse_indicators, 0);
  assert.equal(before.children_of_concern.total, 0);
  assert.equal(before.suspects.people_recorded, 1);
});

test('with nothing to count, percentages are null and the network is still the whole network now', async () => {
  const o = (await profile({ from: `${Y}-01-10`, to: `${Y}-01-10` })).json;
  assert.equal(o.referrals.received, 0);
  assert.equal(o.referrals.decided_in_time_pct, null);
  assert.equal(o.missing.return_interviews_in_time_pct, null);
  assert.equal(o.children_of_concern.total, 0);
  assert.deepEqual(o.children_of_concern.by_age_band, { '8-10': 0, '11-13': 0, '14-15': 0, '16-17': 0, other: 0 });
  assert.deepEqual(o.completeness, {
    children_ethnicity_recorded_pct: null,
    children_ethnicity_not_obtained: 0,
    children_ethnicity_refused: 0,
    suspects_ethnicity_self_recorded_pct: null,
    suspects_ethnicity_observed_recorded_pct: null,
    suspects_nationality_recorded_pct: null,
  });
  assert.deepEqual(o.suspects.by_nationality, { not_known: 0 }, '"not known" listed even when nobody is');
  assert.deepEqual(o.networks, { groups: 2, largest: 5 });
});

test('the period defaults to the 12 months to today, and may be up to five years long', async () => {
  const r = await profile({});
  assert.equal(r.status, 200, r.describe());
  const today = day(0);
  assert.equal(r.json.period.to, today);
  // The day after the same date a year before (28 February standing in for the 29th).
  const [ty, tm, td] = today.split('-').map(Number);
  const lastDay = new Date(Date.UTC(ty - 1, tm, 0)).getUTCDate();
  const d = new Date(Date.UTC(ty - 1, tm - 1, Math.min(td, lastDay) + 1));
  assert.equal(r.json.period.from, d.toISOString().slice(0, 10));
  assert.equal(r.json.referrals.by_month.length, 12 + (d.getUTCDate() === 1 ? 0 : 1));
  // Only `to`: the 12 months up to it.
  const onlyTo = (await profile({ to: P.to })).json;
  assert.deepEqual(onlyTo.period, { from: `${Y - 1}-06-01`, to: P.to });
  // Exactly five years is allowed; a day more is not.
  const five = await profile({ from: `${Y - 5}-05-31`, to: P.to });
  assert.equal(five.status, 200, five.describe());
  assert.equal(five.json.referrals.received, 6, 'everything received up to 31 May, but not the day after');
});

test('bad periods are refused with 422 naming "from" or "to"', async () => {
  const cases = [
    [{ from: `${Y}-02-30`, to: P.to }, ['from']],
    [{ from: `${Y}-3-01`, to: P.to }, ['from']],
    [{ from: P.from, to: 'yesterday' }, ['to']],
    [{ from: P.from, to: '' }, ['to']],
    [{ from: P.from, to: day(1) }, ['to']],
    [{ from: P.to, to: P.from }, ['from']],
    [{ from: `${Y - 5}-05-30`, to: P.to }, ['from']],
    [{ from: 'soon', to: 'later' }, ['from', 'to']],
    [{ from: P.from, to: P.to, child: kids.c1.id }, ['child']],
  ];
  for (const [period, fields] of cases) {
    const r = await profile(period);
    assert.equal(r.status, 422, `${JSON.stringify(period)}: ${r.describe()}`);
    assert.equal(r.errorCode, 'invalid_fields');
    assert.deepEqual(Object.keys(r.json.error.fields).sort(), fields, JSON.stringify(period));
  }
  const audit = await sh.query(
    `SELECT details FROM audit_log WHERE action = 'report.problem_profile' AND outcome = 'invalid' AND actor = '${u.strategic.username}'`,
  );
  assert.ok(audit.length >= 8, `${audit.length} refusals audited`);
  assert.ok(audit.some((a) => a.details === '{"fields":["from","to"]}'), JSON.stringify(audit));
});

test('strategic leads, analysts, managers and the director read it; every other role is refused', async () => {
  for (const role of ['strategic', 'analyst', 'manager', 'director']) {
    const r = await profile(P, as[role]);
    assert.equal(r.status, 200, `${role}: ${r.describe()}`);
    assert.equal(r.json.referrals.received, 5);
  }
  for (const role of ['referrer', 'social_worker', 'cse_worker', 'police', 'mash', 'auditor', 'admin']) {
    const r = await profile(P, as[role]);
    assert.equal(r.status, 403, `${role}: ${r.describe()}`);
    assert.equal(r.errorCode, 'forbidden');
    assert.doesNotMatch(r.text, /received/);
  }
  assert.equal((await sh.client().get(`/api/v1/reports/problem-profile?from=${P.from}&to=${P.to}`)).status, 401);
});

test('the answer names and identifies no one, and the read is audited with its period', async () => {
  const mine = `FROM audit_log WHERE action = 'report.problem_profile' AND outcome = 'ok' AND actor = '${u.director.username}'`;
  const before = await sh.scalar(`SELECT count(*) ${mine}`);
  const r = await profile(P, as.director);
  assert.equal(r.status, 200);
  for (const s of secrets) assert.ok(!r.text.includes(s), `the profile holds ${s}`);
  assert.doesNotMatch(r.text, /\b(ch|en|in|rf|ra|me)_[a-z0-9]{8,}/);
  assert.equal(await sh.scalar(`SELECT count(*) ${mine}`), before + 1);
  const audit = await sh.query(`SELECT details, object_type, role ${mine} ORDER BY seq DESC LIMIT 1`);
  assert.equal(audit[0].details, JSON.stringify({ from: P.from, to: P.to }));
  assert.equal(audit[0].object_type, 'report');
  assert.equal(audit[0].role, 'director');
});

test('the page shows the figures in tables, completeness in plain sight, and names no one', async () => {
  const r = await as.strategic.get(`/reports/problem-profile?from=${P.from}&to=${P.to}`);
  assert.equal(r.status, 200, r.describe());
  assert.match(r.headers['content-type'], /^text\/html/);
  const html = r.text;
  assert.match(html, /<h1[^>]*>Problem profile<\/h1>/);
  assert.match(html, new RegExp(`1 March ${Y} to 31 May ${Y}`));
  // Completeness first, with the warning: half the children's ethnicity is missing.
  assert.ok(html.indexOf('data-testid="completeness-warning"') > 0);
  assert.ok(html.indexOf('data-testid="completeness-warning"') < html.indexOf('data-testid="referrals"'));
  assert.match(html, /Ethnicity is not recorded for 2 of the 4 children of concern \(1 not yet obtained, 1 refused\)/);
  assert.match(html, /Ethnicity of children of concern<\/th><td[^>]*>2 of 4<\/td><td[^>]*>50\.0%/);
  assert.match(html, /Nationality of people named in intelligence<\/th><td[^>]*>2 of 3<\/td><td[^>]*>66\.7%/);
  // Each figure in a table with a caption.
  for (const id of ['referrals', 'referrals-by-month', 'referrals-by-source', 'referral-outcomes', 'risk-levels', 'missing',
    'children-by-gender', 'children-by-age', 'children-by-ethnicity', 'suspects-by-ethnicity-self', 'places-by-kind', 'networks']) {
    assert.match(html, new RegExp(`<table class="govuk-table" data-testid="${id}"><caption`), id);
  }
  assert.match(html, /First decision made within the deadline[^<]*<strong>2<\/strong> of 4 decided \(50\.0%\)/);
  assert.match(html, /Received<\/th><td[^>]*>5<\/td>/);
  assert.match(html, new RegExp(`April ${Y}</th><td[^>]*>2</td>`));
  assert.match(html, /Information not yet obtained \(NOBT\)<\/th><td[^>]*>1<\/td><td[^>]*>25\.0%/);
  assert.match(html, /Members of the largest group<\/th><td[^>]*>5<\/td>/);
  // The form keeps the period, by GET.
  assert.match(html, /<form method="get" action="\/reports\/problem-profile"/);
  assert.match(html, new RegExp(`name="from-year" type="text" inputmode="numeric" value="${Y}"`));
  for (const s of secrets) assert.ok(!html.includes(s), `the page holds ${s}`);

  const bad = await as.strategic.get(`/reports/problem-profile?from-day=31&from-month=2&from-year=${Y}&to-day=&to-month=&to-year=`);
  assert.equal(bad.status, 422, bad.describe());
  assert.match(bad.text, /<a href="#from-day">The start date must be a real date<\/a>/);
  assert.match(bad.text, /name="from-day" type="text" inputmode="numeric" value="31"/);
  const late = await as.strategic.get(`/reports/problem-profile?from=${P.to}&to=${P.from}`);
  assert.equal(late.status, 422);
  assert.match(late.text, /The start date must be the same as or before the end date/);

  for (const role of ['social_worker', 'police', 'auditor']) {
    const refused = await as[role].get('/reports/problem-profile');
    assert.equal(refused.status, 403, role);
  }
});
