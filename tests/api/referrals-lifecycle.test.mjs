// The front door end to end on the real server, on SQLite and PostgreSQL:
// a teacher's referral acknowledged at once (in Safehub and by e-mail through
// a real SMTP server), the child confirmed from the possible matches, rated,
// closed with no further action only after a manager's sign-off, challenged,
// overturned, decided again, challenged again and answered; the child's
// chronology; and a referral nobody decides climbing the management chain to
// the director with `safehub sla run --as-of`, recorded on the referral, on
// the work lists, notified and e-mailed naming no child, until it is decided.
//
// Time moves only through `sla run --as-of`: a pass for a later instant runs
// under libfaketime set to that instant, so that the e-mail it queues then is
// also due then and goes out in the same run, without anyone waiting.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Safehub, addAgencies, childBody, startSmtp, uniqueName } from '../lib/index.mjs';

const DAY = 86400;
const LIBFAKETIME = '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1';
let sh;
let smtp;
const u = {};
const as = {};

/** Epoch seconds of an ISO instant. */
const epoch = (s) => Date.parse(s) / 1000;
/** An epoch instant as ISO 8601 UTC to the second. */
const iso = (t) => new Date(t * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');

before(async () => {
  smtp = await startSmtp();
  sh = await Safehub.create({
    env: { SAFEHUB_SMTP_HOST: smtp.host, SAFEHUB_SMTP_PORT: String(smtp.port), SAFEHUB_SLA_INTERVAL: '86400' },
  });
  await addAgencies(sh);
  u.director = await sh.addUser({ username: 'l.dir', role: 'director', agency: 'HFCSC', email: 'director@example.org' });
  u.head = await sh.addUser({ username: 'l.head', role: 'manager', agency: 'HFCSC', manager: 'l.dir', email: 'head@example.org' });
  u.mashmgr = await sh.addUser({ username: 'l.mashmgr', role: 'manager', agency: 'HFCSC', manager: 'l.head', email: 'mashmgr@example.org' });
  u.mash = await sh.addUser({ username: 'l.mash', role: 'mash', agency: 'HFCSC', manager: 'l.mashmgr', email: 'mash@example.org' });
  u.sw = await sh.addUser({ username: 'l.sw', role: 'social_worker', agency: 'HFCSC', manager: 'l.mashmgr' });
  u.teacher = await sh.addUser({ username: 'l.teacher', role: 'referrer', agency: 'HFEDU', email: 'teacher@example.org', name: 'Tess Teacher' });
  await sh.start();
  for (const k of Object.keys(u)) as[k] = await sh.login(u[k]);
});

after(async () => {
  await sh?.destroy();
  await smtp?.stop();
});

/**
 * Runs `safehub sla run` once, as of ASOF (ISO) when given, under a clock
 * fixed at that instant, so that the e-mail it queues is sent by the same run.
 * Resolves with its output.
 */
async function slaRun(asOf) {
  if (!asOf) return sh.cliOk(['sla', 'run']);
  const env = {
    LD_PRELOAD: LIBFAKETIME,
    FAKETIME: `@${asOf.replace('T', ' ').replace('Z', '')}`,
    FAKETIME_DONT_FAKE_MONOTONIC: '1',
    TZ: 'UTC',
    ASAN_OPTIONS: [process.env.ASAN_OPTIONS, 'verify_asan_link_order=0', 'allocator_release_to_os_interval_ms=-1']
      .filter(Boolean)
      .join(':'),
  };
  return sh.cliOk(['sla', 'run', '--as-of', asOf], { env });
}

/** Every e-mail delivered so far that names REFERENCE. */
function mailAbout(reference) {
  return smtp.messages().filter((m) => m.subject.includes(reference));
}

/** Asserts no e-mail delivered so far carries any of the child's details. */
function assertNoChildDetails(child) {
  const mail = smtp.messages();
  assert.ok(mail.length > 0);
  for (const m of mail) {
    for (const secret of [child.first_name, child.last_name, child.nhs_number, child.postcode, child.date_of_birth]) {
      if (secret) assert.ok(!m.raw.includes(secret), `an e-mail to ${m.to} names a detail of the child (${secret})`);
    }
  }
}

/** The kinds of U's notifications about referral ID. */
async function notificationKinds(user, id) {
  const r = await as[user].get('/api/v1/notifications');
  assert.equal(r.status, 200, r.describe());
  return r.json.notifications.filter((n) => n.item_id === id).map((n) => n.kind).sort();
}

test('a referral from received to decided: acknowledgement, matches, confirmation, rating, sign-off, challenges, chronology', async () => {
  const known = childBody({ first_name: uniqueName('Rosalind'), last_name: uniqueName('Quarry') });
  const made = await as.sw.post('/api/v1/children', known);
  assert.equal(made.status, 201, made.describe());
  const child = made.json;

  // The teacher refers the child by the details they know; they cannot see the record yet.
  assert.equal((await as.teacher.get(`/api/v1/children/${child.id}`)).status, 404);
  const body = {
    child: {
      first_name: child.first_name,
      last_name: child.last_name,
      date_of_birth: child.date_of_birth,
      ethnicity: 'NOBT',
      postcode: child.postcode,
      nhs_number: child.nhs_number,
    },
    concern: 'Seen three times this week getting into a silver car outside school.\nShe has a new phone.',
    childs_words: 'He says I am his girlfriend and he buys me things.',
    indicators: ['S02', 'S03', 'M03'],
    immediate_danger: false,
  };
  const sent = await as.teacher.post('/api/v1/referrals', body);
  assert.equal(sent.status, 201, sent.describe());
  const ref = sent.json;
  assert.equal(ref.status, 'received');
  assert.match(ref.reference, /^R-\d{4}-\d{6}$/);
  assert.match(ref.due_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.equal(ref.childs_words, body.childs_words);
  assert.deepEqual(ref.escalations, []);
  assert.deepEqual(ref.indicators, body.indicators);
  assert.deepEqual(
    ref.deadlines.map((d) => d.kind).sort(),
    ['decision', 'triage'],
    'the rating and the decision are on the clock from receipt',
  );
  assert.deepEqual(await notificationKinds('teacher', ref.id), ['acknowledgement']);

  // MASH: the referral is in the queue; the matches offer the known child first, as exact.
  const queue = await as.mash.get('/api/v1/referrals?status=received');
  assert.equal(queue.status, 200, queue.describe());
  assert.ok(queue.json.referrals.some((x) => x.id === ref.id));
  const matches = await as.mash.get(`/api/v1/referrals/${ref.id}/matches`);
  assert.equal(matches.status, 200, matches.describe());
  assert.equal(matches.json.candidates[0].child_id, child.id);
  assert.equal(matches.json.candidates[0].exact, true);
  assert.ok(matches.json.candidates[0].explanation.includes('Same NHS number'));

  const confirmed = await as.mash.post(`/api/v1/referrals/${ref.id}/child`, { child_id: child.id });
  assert.equal(confirmed.status, 200, confirmed.describe());
  assert.equal(confirmed.json.child_id, child.id);
  assert.equal((await as.teacher.get(`/api/v1/children/${child.id}`)).status, 200, 'the referring agency is involved now');
  assert.equal(
    await sh.scalar(`SELECT count(*) AS n FROM deadlines WHERE item_type = 'child' AND item_id = '${child.id}' AND kind = 'risk_review_request' AND met_at IS NULL`),
    1,
    'indicators on a known child ask for a risk review',
  );

  const rated = await as.mash.post(`/api/v1/referrals/${ref.id}/triage`, { rag: 'red', reason: 'Older male, car, gifts.' });
  assert.equal(rated.status, 200, rated.describe());
  assert.equal(rated.json.status, 'triaged');
  const dl = Object.fromEntries(rated.json.deadlines.map((d) => [d.kind, d]));
  assert.ok(dl.triage.met_at, 'rating meets the triage deadline');
  assert.equal(dl.mash_checks.met_at, null);
  assert.equal(dl.mash_checks.due_at, dl.triage.due_at, 'red checks fall due the red hours after receipt, as the rating did');

  // No further action on a red referral with exploitation indicators waits for the MASH worker's manager.
  const nfa = await as.mash.post(`/api/v1/referrals/${ref.id}/decision`, {
    outcome: 'no_further_action',
    rationale: 'Parents aware; the car belongs to an uncle.',
  });
  assert.equal(nfa.status, 200, nfa.describe());
  assert.equal(nfa.json.status, 'awaiting_signoff');
  assert.equal(nfa.json.signoff_needed, true);
  const signoff = nfa.json.deadlines.find((d) => d.kind === 'signoff');
  assert.equal(signoff.owner, 'l.mashmgr');
  assert.deepEqual(await notificationKinds('teacher', ref.id), ['acknowledgement'], 'not told before the sign-off');
  assert.deepEqual(await notificationKinds('mashmgr', ref.id), ['signoff']);

  const approved = await as.mashmgr.post(`/api/v1/referrals/${ref.id}/signoff`, { outcome: 'approved' });
  assert.equal(approved.status, 200, approved.describe());
  assert.equal(approved.json.status, 'decided');
  assert.equal(approved.json.signed_off_by.username, 'l.mashmgr');
  assert.deepEqual(await notificationKinds('teacher', ref.id), ['acknowledgement', 'decision']);

  // The teacher reads the decision and its reason, and challenges it; the decider's manager must answer.
  const seen = await as.teacher.get(`/api/v1/referrals/${ref.id}`);
  assert.equal(seen.json.rationale, 'Parents aware; the car belongs to an uncle.');
  assert.deepEqual(seen.json.actions, ['challenge']);
  const challenged = await as.teacher.post(`/api/v1/referrals/${ref.id}/challenge`, {
    reason: 'The uncle is 34 and she is 14. She was in the car again today.',
  });
  assert.equal(challenged.status, 200, challenged.describe());
  assert.equal(challenged.json.status, 'challenged');
  assert.equal(challenged.json.deadlines.find((d) => d.kind === 'challenge').owner, 'l.mashmgr');
  const overturned = await as.mashmgr.post(`/api/v1/referrals/${ref.id}/challenge/response`, {
    outcome: 'decision_overturned',
    response: 'Agreed: the MASH will decide again today.',
  });
  assert.equal(overturned.status, 200, overturned.describe());
  assert.equal(overturned.json.status, 'triaged');
  assert.equal(overturned.json.decision_round, 2);
  assert.equal(overturned.json.outcome, null);
  const again = overturned.json.deadlines.find((d) => d.kind === 'decision_2');
  assert.ok(again && again.met_at === null && again.owner === null, 'a new decision is due, from the MASH queue');

  const decided = await as.mash.post(`/api/v1/referrals/${ref.id}/decision`, {
    outcome: 'strategy_discussion',
    rationale: 'Likely exploitation by an adult: strategy discussion with police today.',
  });
  assert.equal(decided.status, 200, decided.describe());
  assert.equal(decided.json.status, 'decided');
  assert.equal(decided.json.signoff_needed, false);

  // One challenge per decision: the second decision may be challenged once, and the answer is final.
  const second = await as.teacher.post(`/api/v1/referrals/${ref.id}/challenge`, { reason: 'Please involve the school nurse.' });
  assert.equal(second.status, 200, second.describe());
  const stands = await as.mashmgr.post(`/api/v1/referrals/${ref.id}/challenge/response`, {
    outcome: 'decision_stands',
    response: 'The nurse will be invited to the strategy discussion.',
  });
  assert.equal(stands.status, 200, stands.describe());
  assert.equal(stands.json.status, 'decided');
  assert.equal(stands.json.outcome, 'strategy_discussion');
  const third = await as.teacher.post(`/api/v1/referrals/${ref.id}/challenge`, { reason: 'Again.' });
  assert.equal(third.status, 409, third.describe());
  assert.deepEqual(
    await notificationKinds('teacher', ref.id),
    ['acknowledgement', 'challenge_answer', 'challenge_answer', 'decision', 'decision'],
  );

  // The child's chronology holds the referral's life, naming the reference.
  const chron = await as.sw.get(`/api/v1/children/${child.id}/chronology`);
  assert.equal(chron.status, 200, chron.describe());
  const mine = chron.json.filter((e) => e.ref && e.ref.id === ref.id);
  for (const type of ['referral', 'triage', 'decision', 'challenge']) {
    assert.ok(mine.some((e) => e.type === type), `chronology has a ${type} event`);
  }
  for (const e of mine) assert.match(e.summary, new RegExp(ref.reference));
  assert.ok(mine.find((e) => e.type === 'referral').agency === 'HFEDU', 'the referral is the school\'s event');

  const history = stands.json.history.map((e) => e.type);
  assert.deepEqual(history, [
    'received', 'child_confirmed', 'triaged', 'decided', 'signed_off', 'challenged', 'challenge_answered', 'decided',
    'challenged', 'challenge_answered',
  ]);

  // The e-mail: acknowledgement, decisions and answers to the teacher; sign-off and challenges to the manager.
  await slaRun();
  const mail = mailAbout(ref.reference);
  const to = (addr) => mail.filter((m) => m.to.includes(addr));
  assert.ok(to('teacher@example.org').length >= 5, `the teacher's e-mail: ${to('teacher@example.org').map((m) => m.subject)}`);
  assert.ok(to('mashmgr@example.org').length >= 3);
  assert.ok(mail.some((m) => /received/.test(m.subject) && m.to.includes('teacher@example.org')), 'acknowledged by e-mail');
  for (const m of mail) assert.match(m.body, new RegExp(`/referrals/${ref.id}`), 'each e-mail links to the referral');
  assertNoChildDetails(child);
  assert.ok(!mail.some((m) => m.raw.includes('silver car') || m.raw.includes('girlfriend')), 'nor the concern or the child\'s words');
});

test('an undecided referral escalates to the MASH manager, then up the chain to the director, until it is decided', async () => {
  const details = childBody({ first_name: uniqueName('Saffron'), last_name: uniqueName('Mereworth'), ethnicity: 'WBRI' });
  delete details.aliases;
  const sent = await as.teacher.post('/api/v1/referrals', {
    child: details,
    concern: 'Missing from school three days; seen at a takeaway late at night.',
    indicators: ['S05'],
  });
  assert.equal(sent.status, 201, sent.describe());
  const ref = sent.json;
  const due = Object.fromEntries(ref.deadlines.map((d) => [d.kind, epoch(d.due_at)]));
  assert.ok(due.triage <= due.decision);

  let out = await slaRun(iso(due.triage - 60));
  let now = await as.mash.get(`/api/v1/referrals/${ref.id}`);
  assert.deepEqual(now.json.escalations, [], `nothing is escalated before it is due (${out})`);

  await slaRun(iso(due.triage));
  now = await as.mash.get(`/api/v1/referrals/${ref.id}`);
  assert.deepEqual(
    now.json.escalations.map((e) => [e.level, e.to_user, e.deadline]),
    [[1, 'l.mashmgr', 'triage']],
    'the moment the rating is overdue it goes to the MASH manager',
  );
  assert.match(now.json.escalations[0].reason, new RegExp(`Referral ${ref.reference}: rating`));

  // Days later, both the rating and the decision have climbed to the director, one level at a time.
  out = await slaRun(iso(due.decision + 10 * DAY));
  now = await as.mash.get(`/api/v1/referrals/${ref.id}`);
  for (const kind of ['triage', 'decision']) {
    assert.deepEqual(
      now.json.escalations.filter((e) => e.deadline === kind).map((e) => [e.level, e.to_user]),
      [[1, 'l.mashmgr'], [2, 'l.head'], [3, 'l.dir']],
      `${kind}: ${out}`,
    );
  }
  const again = await sh.cliOk(['sla', 'run', '--as-of', iso(due.decision + 10 * DAY)]);
  assert.match(again, /0 new escalation steps/, 'running it again changes nothing');

  // The director is told, in Safehub and by e-mail, and the referral is on their work list.
  assert.deepEqual(await notificationKinds('director', ref.id), ['escalation', 'escalation']);
  const work = await as.director.get('/api/v1/work');
  assert.equal(work.status, 200);
  const items = work.json.items.filter((i) => i.link === `/referrals/${ref.id}`);
  assert.equal(items.length, 2);
  for (const i of items) assert.equal(i.escalated_to_me, 3);
  const mail = mailAbout(ref.reference);
  for (const who of ['mashmgr@example.org', 'head@example.org', 'director@example.org']) {
    assert.ok(mail.some((m) => m.to.includes(who) && /Escalated/.test(m.subject)), `escalation e-mailed to ${who}`);
  }
  assertNoChildDetails(details);

  // Only doing the work ends it: the escalations stay on the record, the work lists clear.
  const decided = await as.mash.post(`/api/v1/referrals/${ref.id}/decision`, {
    outcome: 'assessment',
    rationale: 'Repeated missing episodes and a place of concern.',
  });
  assert.equal(decided.status, 200, decided.describe());
  assert.equal(decided.json.escalations.length, 6);
  assert.ok(decided.json.deadlines.every((d) => d.met_at), 'the decision meets the rating and the decision');
  const after = await as.director.get('/api/v1/work');
  assert.equal(after.json.items.filter((i) => i.link === `/referrals/${ref.id}`).length, 0);
  assert.match(await sh.cliOk(['sla', 'run', '--as-of', iso(due.decision + 12 * DAY)]), /0 new escalation steps/);
});

test('a child in immediate danger is red at once and the MASH manager is told; the audit chain verifies', async () => {
  const sent = await as.teacher.post('/api/v1/referrals', {
    child: childBody({ first_name: uniqueName('Juniper'), last_name: uniqueName('Holloway') }),
    concern: 'She rang from a flat she does not know and says she cannot leave.',
    childs_words: 'They took my shoes so I cannot go.',
    immediate_danger: true,
  });
  assert.equal(sent.status, 201, sent.describe());
  // Received like every referral (the contract's status), but red from the start and on the red clock.
  assert.equal(sent.json.status, 'received');
  assert.equal(sent.json.rag, 'red');
  assert.equal(sent.json.triaged_at, null, 'not yet rated by the MASH');
  assert.ok(sent.json.deadlines.some((d) => d.kind === 'mash_checks' && d.met_at === null));
  const triage = sent.json.deadlines.find((d) => d.kind === 'triage');
  assert.ok(triage && triage.met_at === null, 'the MASH still rates it');
  assert.deepEqual(sent.json.history.map((e) => e.type), ['received', 'danger_reported']);
  const events = await sh.query(`SELECT detail FROM referral_events WHERE referral_id = '${sent.json.id}' AND type = 'danger_reported'`);
  assert.equal(JSON.parse(events[0].detail).chronology.summary, `Referral ${sent.json.reference}: red at once (immediate danger reported)`);
  assert.deepEqual(await notificationKinds('mashmgr', sent.json.id), ['immediate_danger']);
  assert.deepEqual(await notificationKinds('mash', sent.json.id), ['immediate_danger']);
  const v = await sh.cli(['audit', 'verify']);
  assert.equal(v.code, 0, v.stderr);
});

test('the server stops cleanly', async () => {
  assert.equal((await sh.stop()).code, 0);
});
