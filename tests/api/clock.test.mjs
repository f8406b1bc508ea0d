// The statutory clock end to end, on the real server and command line:
// bank holidays kept by administrators, overdue work escalating up the
// management chain to the director with `safehub sla run --as-of` (never by
// waiting), notifications in Safehub, e-mail through a real SMTP server that
// names no child, work lists, and a child's chronology with its access rules.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Safehub, addAgencies, childBody, startSmtp } from '../lib/index.mjs';

let sh;
let smtp;
let u;
let child;

const q = (s) => s.replace(/'/g, "''");

before(async () => {
  smtp = await startSmtp();
  sh = await Safehub.create({ env: { SAFEHUB_SMTP_HOST: smtp.host, SAFEHUB_SMTP_PORT: String(smtp.port), SAFEHUB_SLA_INTERVAL: '86400' } });
  await addAgencies(sh);
  u = {};
  u.director = await sh.addUser({ username: 'c.dir', role: 'director', agency: 'HFCSC', email: 'dir@example.org' });
  u.manager = await sh.addUser({ username: 'c.mgr', role: 'manager', agency: 'HFCSC', manager: 'c.dir', email: 'mgr@example.org' });
  u.worker = await sh.addUser({ username: 'c.sw', role: 'social_worker', agency: 'HFCSC', manager: 'c.mgr' });
  u.police = await sh.addUser({ username: 'c.police', role: 'police', agency: 'HFP' });
  u.admin = await sh.addUser({ username: 'c.admin', role: 'admin', agency: 'HFCSC' });
  await sh.start();
  const sw = await sh.login(u.worker);
  const r = await sw.post('/api/v1/children', childBody({ first_name: 'Kestrelina', last_name: 'Vandermeer' }));
  assert.equal(r.status, 201, r.describe());
  child = r.json;
});

after(async () => {
  await sh?.destroy();
  await smtp?.stop();
});

test('the England and Wales bank holidays are loaded at init, and administrators keep the table', async () => {
  const admin = await sh.login(u.admin);
  const list = await admin.get('/api/v1/bank-holidays');
  assert.equal(list.status, 200);
  const days = list.json.bank_holidays.map((h) => h.date);
  for (const d of ['2026-12-25', '2026-12-28', '2027-03-26', '2028-01-03']) assert.ok(days.includes(d), d);
  assert.ok(!days.includes('2026-12-26'), 'a Saturday Boxing Day is moved to Monday, not kept');

  const added = await admin.post('/api/v1/bank-holidays', { date: '2027-06-07', name: 'Extra bank holiday' });
  assert.equal(added.status, 201, added.describe());
  const again = await admin.post('/api/v1/bank-holidays', { date: '2027-06-07', name: 'Again' });
  assert.equal(again.status, 409);
  assert.ok(again.json.error.fields.date);
  const bad = await admin.post('/api/v1/bank-holidays', { date: '2027-02-30', name: 'No such day', colour: 'red' });
  assert.equal(bad.status, 422);
  assert.ok(bad.json.error.fields.date && bad.json.error.fields.colour, bad.describe());
  assert.equal(await sh.scalar("SELECT count(*) AS n FROM bank_holidays WHERE day = '2027-02-30'"), 0);
  assert.equal(await sh.scalar("SELECT count(*) AS n FROM audit_log WHERE action = 'bank_holiday.add'"), 1);
  assert.equal((await admin.delete('/api/v1/bank-holidays/2027-06-07')).status, 204);
  assert.equal((await admin.delete('/api/v1/bank-holidays/2027-06-07')).status, 404);
  const worker = await sh.login(u.worker);
  assert.equal((await worker.post('/api/v1/bank-holidays', { date: '2027-06-08', name: 'x' })).status, 403);
});

test('overdue work climbs to the manager and then the director, notified in Safehub and by e-mail naming no child', async () => {
  // A piece of the worker's work on the child, due Monday 1 December 2025 at 10:00 (in the past, whatever today is).
  const due = Date.UTC(2025, 11, 1, 10, 0, 0) / 1000;
  await sh.exec(
    `INSERT INTO deadlines (id, item_type, item_id, kind, child_id, title, link, owner_id, due_at, created_at, level)
     VALUES ('dl_clock', 'referral', 'rf_clock', 'decision', '${q(child.id)}', 'Referral R-TEST-1: decision',
             '/referrals/rf_clock', '${q(u.worker.id)}', ${due}, ${due - 3600}, 0)`,
  );
  const before = await sh.cliOk(['sla', 'run', '--as-of', '2025-12-01T09:59:00Z']);
  assert.match(before, /0 overdue, 0 new escalation steps/);
  const first = await sh.cliOk(['sla', 'run', '--as-of', '2025-12-01T10:00:00Z']);
  assert.match(first, /1 overdue, 1 new escalation steps; e-mail: 1 sent/);
  // Four working hours later it goes up again; a run for a later day adds nothing above the director.
  const second = await sh.cliOk(['sla', 'run', '--as-of', '2025-12-01T14:00:00Z']);
  assert.match(second, /1 new escalation steps; e-mail: 1 sent/);
  const third = await sh.cliOk(['sla', 'run', '--as-of', '2025-12-15T14:00:00Z']);
  assert.match(third, /0 new escalation steps; e-mail: 0 sent/);

  const rows = await sh.query("SELECT e.level, u.username FROM escalations e JOIN users u ON u.id = e.to_user_id ORDER BY e.level");
  assert.deepEqual(rows.map((r) => [Number(r.level), r.username]), [[1, 'c.mgr'], [2, 'c.dir']]);

  const mail = smtp.messages();
  assert.equal(mail.length, 2, 'one e-mail per step, none repeated');
  assert.deepEqual(mail.map((m) => m.to).sort(), ['<dir@example.org>', '<mgr@example.org>']);
  for (const m of mail) {
    assert.match(m.subject, /Referral R-TEST-1: decision/);
    assert.match(m.body, /\/referrals\/rf_clock/);
    for (const secret of ['Kestrelina', 'Vandermeer', child.nhs_number, child.postcode, child.date_of_birth]) {
      assert.ok(!m.raw.includes(secret), `the e-mail names no child's detail (${secret})`);
    }
  }

  // The manager sees it in Safehub, marks it read; it stays on their work list until the work is done.
  const mgr = await sh.login(u.manager);
  const notes = await mgr.get('/api/v1/notifications');
  assert.equal(notes.status, 200);
  assert.equal(notes.json.unread, 1);
  const note = notes.json.notifications[0];
  assert.equal(note.kind, 'escalation');
  assert.equal(note.link, '/referrals/rf_clock');
  assert.equal((await mgr.post(`/api/v1/notifications/${note.id}/read`)).status, 204);
  assert.equal((await mgr.post(`/api/v1/notifications/${note.id}/read`)).status, 404, 'already read');
  assert.equal((await mgr.get('/api/v1/notifications')).json.unread, 0);
  const dir = await sh.login(u.director);
  assert.equal((await dir.post(`/api/v1/notifications/${note.id}/read`)).status, 404, 'not theirs');

  const mine = await mgr.get('/api/v1/work');
  assert.equal(mine.json.items.length, 1);
  assert.equal(mine.json.items[0].escalated_to_me, 1);
  assert.equal(mine.json.items[0].state, 'overdue');
  const team = await mgr.get('/api/v1/work/team');
  assert.equal(team.json.items.length, 1);
  assert.equal(team.json.items[0].owner, 'c.sw');
  const dirWork = await dir.get('/api/v1/work');
  assert.equal(dirWork.json.items[0].escalated_to_me, 2);
  const swWork = await (await sh.login(u.worker)).get('/api/v1/work');
  assert.equal(swWork.json.items[0].escalated_to_me, null);
  assert.equal(swWork.json.items[0].level, 2);

  // Done: the escalation ends, and nothing is left on anyone's list.
  await sh.exec(`UPDATE deadlines SET met_at = ${due + 86400} WHERE id = 'dl_clock'`);
  assert.equal((await dir.get('/api/v1/work')).json.items.length, 0);
  assert.match(await sh.cliOk(['sla', 'run', '--as-of', '2026-01-05T14:00:00Z']), /0 overdue/);
});

test("the chronology lists every agency's events newest first, filters, and follows the child's access", async () => {
  await sh.exec(
    `INSERT INTO chronology (id, child_id, at, type, agency_id, summary, ref_type, ref_id, recorded_by, recorded_at)
     SELECT 'cv_a', '${q(child.id)}', 1796032800, 'note', a.id, 'Seen at school, upset', NULL, NULL, NULL, 1796032800
       FROM agencies a WHERE a.code = 'HFCSC'`,
  );
  await sh.exec(
    `INSERT INTO chronology (id, child_id, at, type, agency_id, summary, ref_type, ref_id, recorded_by, recorded_at)
     SELECT 'cv_b', '${q(child.id)}', 1796119200, 'missing_episode', a.id, 'Missing overnight', 'missing_episode', 'me_1', NULL, 1796119200
       FROM agencies a WHERE a.code = 'HFP'`,
  );
  const sw = await sh.login(u.worker);
  const all = await sw.get(`/api/v1/children/${child.id}/chronology`);
  assert.equal(all.status, 200);
  assert.deepEqual(all.json.map((e) => e.type), ['missing_episode', 'note']);
  assert.equal(all.json[0].agency, 'HFP');
  assert.deepEqual(all.json[0].ref, { type: 'missing_episode', id: 'me_1' });
  assert.equal(all.json[0].at, '2026-12-01T10:00:00Z');
  const police = await sw.get(`/api/v1/children/${child.id}/chronology?agency=HFP`);
  assert.deepEqual(police.json.map((e) => e.summary), ['Missing overnight']);
  const notes = await sw.get(`/api/v1/children/${child.id}/chronology?type=note`);
  assert.deepEqual(notes.json.map((e) => e.type), ['note']);
  assert.equal((await sw.get(`/api/v1/children/${child.id}/chronology?colour=red`)).status, 422);
  // The police user's agency is not involved with this child: the chronology does not exist for them.
  const pc = await sh.login(u.police);
  assert.equal((await pc.get(`/api/v1/children/${child.id}/chronology`)).status, 404);
  const reads = await sh.scalar(
    `SELECT count(*) AS n FROM audit_log WHERE action = 'child.chronology' AND object_id = '${q(child.id)}'`,
  );
  assert.ok(reads >= 4, 'every read of the chronology (and the refusal) is audited');
});
