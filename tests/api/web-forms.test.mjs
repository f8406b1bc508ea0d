// The web pages' forms, driven over HTTP with signed-in sessions as a browser
// without JavaScript would drive them: long reasons shown in full (a
// professional judgement's rationale, a countersignature's comment, the
// MASH's rating reason); edit forms that carry the version they were opened
// from, so that a save made after someone else's change is refused with the
// conflict in the error summary and the other change kept (a child's
// details, a support referral); times whose minutes are not two digits
// refused naming the field; and error summaries whose every link points at
// an element of the page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Safehub, addAgencies, childBody } from '../lib/index.mjs';

let sh;
const u = {};
const as = {};

before(async () => {
  sh = await Safehub.create({ env: { SAFEHUB_SLA_INTERVAL: '86400' } });
  await addAgencies(sh);
  u.director = await sh.addUser({ username: 'w.dir', role: 'director', agency: 'HFCSC' });
  u.manager = await sh.addUser({ username: 'w.mgr', role: 'manager', agency: 'HFCSC', manager: 'w.dir', name: 'Mia Manager' });
  u.sw = await sh.addUser({ username: 'w.sw', role: 'social_worker', agency: 'HFCSC', manager: 'w.mgr', name: 'Sam Worker' });
  u.sw2 = await sh.addUser({ username: 'w.sw2', role: 'social_worker', agency: 'HFCSC', manager: 'w.mgr', name: 'Sue Other' });
  u.mash = await sh.addUser({ username: 'w.mash', role: 'mash', agency: 'HFCSC', manager: 'w.mgr' });
  u.teacher = await sh.addUser({ username: 'w.teacher', role: 'referrer', agency: 'HFEDU' });
  await sh.start();
  for (const k of Object.keys(u)) as[k] = await sh.login(u[k]);
});

after(async () => {
  await sh?.destroy();
});

const ENTITIES = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" };
/** TEXT with the HTML escapes Safehub writes undone. */
const unescape = (text) => text.replace(/&(amp|lt|gt|quot|#39);/g, (m) => ENTITIES[m]);
/** TEXT escaped as Safehub escapes text and attributes. */
const escape = (text) => text.replace(/[&<>"']/g, (c) => Object.keys(ENTITIES).find((k) => ENTITIES[k] === c));

/** The attributes of one start tag's inside, ATTRS, as an object (a bare attribute is true). */
function attributes(attrs) {
  const o = {};
  for (const m of attrs.matchAll(/([a-zA-Z_:][-\w.:]*)(?:="([^"]*)")?/g)) o[m[1]] = m[2] === undefined ? true : unescape(m[2]);
  return o;
}

/**
 * The fields the form posting to ACTION in HTML would send, as a browser
 * sends them: text and hidden inputs, checked radios and checkboxes, each
 * select's chosen (else first) option, textareas.  Repeated names keep the
 * first value, which is all these forms repeat.
 */
function formFields(html, action) {
  const forms = [...html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/g)];
  const form = forms.find((f) => attributes(f[1]).action === action);
  assert.ok(form, `a form posting to ${action}`);
  const body = form[2];
  const fields = {};
  const put = (name, value) => {
    if (name && !(name in fields)) fields[name] = value;
  };
  for (const m of body.matchAll(/<input\b([^>]*)>/g)) {
    const a = attributes(m[1]);
    const type = a.type || 'text';
    if (type === 'submit' || type === 'button') continue;
    if ((type === 'radio' || type === 'checkbox') && a.checked !== true) continue;
    put(a.name, a.value ?? '');
  }
  for (const m of body.matchAll(/<select\b([^>]*)>([\s\S]*?)<\/select>/g)) {
    const options = [...m[2].matchAll(/<option\b([^>]*)>/g)].map((o) => attributes(o[1]));
    const chosen = options.find((o) => o.selected === true) || options[0];
    put(attributes(m[1]).name, chosen ? chosen.value : '');
  }
  for (const m of body.matchAll(/<textarea\b([^>]*)>([\s\S]*?)<\/textarea>/g)) {
    put(attributes(m[1]).name, unescape(m[2].replace(/^\r?\n/, '')));
  }
  return fields;
}

/** The error summary's links in HTML: [{href, text}], empty when there is no summary. */
function summaryLinks(html) {
  const summary = html.match(/<div class="govuk-error-summary"[\s\S]*?<\/ul>/);
  if (!summary) return [];
  return [...summary[0].matchAll(/<a href="([^"]*)">([\s\S]*?)<\/a>/g)].map((m) => ({ href: unescape(m[1]), text: unescape(m[2]) }));
}

/** Asserts that HTML has an error summary and that each of its links goes to an element of the page. */
function assertLinksLand(html, what) {
  const links = summaryLinks(html);
  assert.ok(links.length > 0, `${what}: an error summary`);
  for (const l of links) {
    assert.match(l.href, /^#./, `${what}: ${l.href} is a link within the page`);
    assert.ok(html.includes(` id="${escape(l.href.slice(1))}"`), `${what}: the summary links to ${l.href} ("${l.text}"), which is on the page`);
  }
  return links;
}

/** GETs PATH as CLIENT, asserting 200; resolves with the page's HTML. */
async function page(client, path) {
  const r = await client.get(path);
  assert.equal(r.status, 200, `${path}: ${r.describe()}`);
  return r.text;
}

/** POSTs FIELDS as a form to PATH as CLIENT. */
function postForm(client, path, fields) {
  return client.request('POST', path, { form: fields });
}

/** A redirect, as every saved form answers. */
function assertSaved(r, what) {
  assert.ok([302, 303].includes(r.status), `${what}: ${r.describe()}`);
}

/** A new child recorded by the social worker (so children's social care is involved). */
async function newChild(overrides = {}) {
  const r = await as.sw.post('/api/v1/children', childBody(overrides));
  assert.equal(r.status, 201, r.describe());
  return r.json;
}

/**
 * About 1,500 characters in LINES lines, with two-byte characters across the
 * point where a fixed buffer used to cut, and MARK at the very end.
 */
function longText(mark, lines = 3) {
  const words = 'The older male collects her from school in a car and buys her gifts; café visits after dark, née Smith. ';
  let text = '';
  while (text.length < 1530) text += words;
  const parts = [];
  const step = Math.ceil(text.length / lines);
  for (let i = 0; i < lines; i++) parts.push(text.slice(i * step, (i + 1) * step).trim());
  const out = `${parts.join('\n')} ${mark}`;
  assert.ok(Buffer.byteLength(out) <= 2000 && out.length >= 1500, `${out.length} characters, ${Buffer.byteLength(out)} bytes`);
  return out;
}

test("a professional judgement's rationale and its countersignature's comment are shown in full, line breaks kept", async () => {
  const child = await newChild();
  const rationale = longText('END-OF-RATIONALE');
  const comment = longText('END-OF-COMMENT', 2);
  const a = await as.sw.post(`/api/v1/children/${child.id}/risk-assessments`, {
    childs_words: "He's my boyfriend, he looks after me.",
    indicators: ['S01', 'S02', 'S03'].map((code) => ({ code, evidence: `Evidence of ${code}` })),
    professional_judgement: { level: 'low', rationale, countersign_by: 'w.mgr' },
  });
  assert.equal(a.status, 201, a.describe());
  assert.equal(a.json.professional_judgement.rationale, rationale, 'stored in full');
  const pagePath = `/children/${child.id}/risk/${a.json.id}`;
  // The manager reads the whole of the reasons before countersigning.
  for (const html of [await page(as.manager, pagePath), await page(as.manager, `/children/${child.id}/risk`)]) {
    assert.ok(html.includes(escape(rationale).replace(/\n/g, '<br>')), 'the whole rationale, its lines as line breaks');
  }
  const cs = await as.manager.post(`/api/v1/children/${child.id}/risk-assessments/${a.json.id}/countersign`, { decision: 'decline', comment });
  assert.equal(cs.status, 200, cs.describe());
  const after = await page(as.sw, pagePath);
  assert.ok(after.includes(escape(comment).replace(/\n/g, '<br>')), 'the whole countersignature comment');
  assert.ok(after.includes('END-OF-RATIONALE') && after.includes('END-OF-COMMENT'));
});

test("the MASH's reason for a rating (up to 5,000 bytes) is shown in full, each line a paragraph", async () => {
  const body = childBody();
  delete body.aliases;
  const ref = await as.teacher.post('/api/v1/referrals', {
    child: body, concern: 'Seen being collected from school by an adult man in a car.', indicators: [], immediate_danger: false,
  });
  assert.equal(ref.status, 201, ref.describe());
  const reason = longText('END-OF-RATING-REASON');
  const rated = await as.mash.post(`/api/v1/referrals/${ref.json.id}/triage`, { rag: 'amber', reason });
  assert.equal(rated.status, 200, rated.describe());
  const html = await page(as.mash, `/referrals/${ref.json.id}`);
  const lines = reason.split('\n');
  assert.ok(html.includes(`<p class="govuk-body">Amber: ${escape(lines[0])}</p>`), 'the rating and the first line');
  for (const line of lines.slice(1)) assert.ok(html.includes(`<p class="govuk-body">${escape(line)}</p>`), 'every later line in full');
});

test("a child's details saved from a form opened before someone else's save are refused, and the other change kept", async () => {
  const child = await newChild();
  const path = `/children/${child.id}/edit`;
  const first = formFields(await page(as.sw, path), path);
  const second = formFields(await page(as.sw2, path), path);
  assert.equal(first.version, String(child.version), 'the form carries the version it was opened from');
  assert.equal(first.first_name, child.first_name);

  assertSaved(await postForm(as.sw, path, { ...first, school: 'Holmford Grammar' }), 'the first save');
  const r = await postForm(as.sw2, path, { ...second, postcode: 'HF1 1AA' });
  assert.equal(r.status, 409, r.describe());
  const links = assertLinksLand(r.text, 'the conflict');
  assert.deepEqual(links.map((l) => l.text), ['Someone else changed this record while you were editing it. Go back and try again.']);
  assert.match(r.text, /value="HF1 1AA"/, 'what was typed is kept on the page');
  assert.match(r.text, new RegExp(`name="version" value="${child.version}"`), 'still the version it was opened from');

  let now = (await as.sw.get(`/api/v1/children/${child.id}`)).json;
  assert.equal(now.school, 'Holmford Grammar', "the first save's change survives");
  assert.equal(now.postcode, child.postcode, 'nothing of the second save was written');
  assert.equal(now.version, child.version + 1);
  const audited = await sh.scalar(`SELECT count(*) FROM audit_log WHERE action = 'child.update' AND object_id = '${child.id}' AND outcome = 'ok'`);
  assert.equal(Number(audited), 1);

  // Sent again as it is, it is refused again; opened afresh, it saves.
  assert.equal((await postForm(as.sw2, path, { ...second, postcode: 'HF1 1AA' })).status, 409);
  const fresh = formFields(await page(as.sw2, path), path);
  assert.equal(fresh.version, String(child.version + 1));
  assertSaved(await postForm(as.sw2, path, { ...fresh, postcode: 'HF1 1AA' }), 'a save from the record as it is');
  now = (await as.sw.get(`/api/v1/children/${child.id}`)).json;
  assert.equal(now.postcode, 'HF1 1AA');
  assert.equal(now.school, 'Holmford Grammar');
});

test('a support referral updated from a form opened before someone else\'s update is refused, and the other change kept', async () => {
  const child = await newChild();
  const made = await as.sw.post(`/api/v1/children/${child.id}/support`, { service: 'isva', status: 'referred', provider: 'Holmford Rape Crisis' });
  assert.equal(made.status, 201, made.describe());
  const s = made.json;
  const path = `/support/${s.id}`;
  const first = formFields(await page(as.sw, path), path);
  const second = formFields(await page(as.sw2, path), path);
  assert.equal(first.version, String(s.version));

  assertSaved(await postForm(as.sw, path, { ...first, status: 'active', engagement: 'engaging' }), 'the first update');
  const r = await postForm(as.sw2, path, { ...second, status: 'waiting', provider: 'Someone else' });
  assert.equal(r.status, 409, r.describe());
  const links = assertLinksLand(r.text, 'the conflict');
  assert.deepEqual(links.map((l) => l.text), ['Someone else changed this record while you were editing it. Go back and try again.']);

  const now = (await as.sw.get(`/api/v1/support/${s.id}`)).json;
  assert.equal(now.status, 'active', "the first update's change survives");
  assert.equal(now.engagement, 'engaging');
  assert.equal(now.provider, 'Holmford Rape Crisis', 'nothing of the second update was written');
  assert.equal(now.version, s.version + 1);

  const fresh = formFields(await page(as.sw2, path), path);
  assertSaved(await postForm(as.sw2, path, { ...fresh, provider: 'Someone else' }), 'an update from the referral as it is');
  assert.equal((await as.sw.get(`/api/v1/support/${s.id}`)).json.provider, 'Someone else');
});

/** The calendar day (UK time) DAYS from today as {day, month, year} strings. */
function ukDay(days) {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', year: 'numeric', month: 'numeric', day: 'numeric' })
    .formatToParts(new Date(Date.now() + days * 86400000));
  const get = (t) => parts.find((p) => p.type === t).value;
  return { day: get('day'), month: get('month'), year: get('year') };
}

/** The UK clock time of the ISO instant T as "HH:MM". */
const ukClock = (t) =>
  new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(t));

test('a time whose minutes are not two digits is refused naming the field; two digits are accepted', async () => {
  const child = await newChild();
  const path = `/children/${child.id}/missing-episodes/new`;
  const d = ukDay(-2);
  const blank = formFields(await page(as.sw, path), path);
  const form = (time, day = d, back = {}) => ({
    ...blank,
    'went_missing_at-day': day.day, 'went_missing_at-month': day.month, 'went_missing_at-year': day.year,
    'went_missing_at-time': time, reported_to_police: 'no', ...back,
  });
  /* Back the same day, so that the episodes do not overlap. */
  const backBy = (day) => ({ 'returned_at-day': day.day, 'returned_at-month': day.month, 'returned_at-year': day.year, 'returned_at-time': '23:30' });
  const count = async () => Number(await sh.scalar(`SELECT count(*) FROM missing_episodes WHERE child_id = '${child.id}'`));

  for (const bad of ['10:5', '9:5 ', '9.5', ' 10:5', '10:5x', '1005', '24:00', '10:60']) {
    const r = await postForm(as.sw, path, form(bad));
    assert.equal(r.status, 422, `"${bad}": ${r.describe()}`);
    const links = assertLinksLand(r.text, `"${bad}"`);
    const time = links.find((l) => l.href === '#went_missing_at-time');
    assert.ok(time, `"${bad}": the error links to the time box`);
    assert.match(time.text, /^The time the child went missing must be a real time on the 24-hour clock/, `"${bad}" is refused naming the field`);
    assert.equal(await count(), 0, `"${bad}": nothing written`);
  }
  for (const [good, shown, days] of [[' 10:05 ', '10:05', -4], ['9.05', '09:05', -3]]) {
    const r = await postForm(as.sw, path, form(good, ukDay(days), backBy(ukDay(days))));
    assertSaved(r, `"${good}": ${JSON.stringify(summaryLinks(r.text))}`);
    const eps = (await as.sw.get(`/api/v1/children/${child.id}/missing-episodes`)).json.episodes;
    assert.ok(eps.some((e) => ukClock(e.went_missing_at) === shown), `"${good}" is read as ${shown}: ${JSON.stringify(eps.map((e) => e.went_missing_at))}`);
  }
  assert.equal(await count(), 2);
});

test("a referral about a child not open to the referrer links its error to the child's details, with a label", async () => {
  // The form then asks for the child's details instead, which is where the error links.
  const hidden = await newChild();
  const ref = await postForm(as.teacher, '/referrals/new', {
    ...formFields(await page(as.teacher, '/referrals/new'), '/referrals/new'),
    child_id: hidden.id, immediate_danger: 'no', concern: 'Seen with an older man.',
  });
  assert.equal(ref.status, 422, ref.describe());
  const links = assertLinksLand(ref.text, 'a referral about a child not open to the referrer');
  const about = links.find((l) => /Safehub ID/.test(l.text));
  assert.ok(about, JSON.stringify(links));
  assert.equal(about.text, "The child's Safehub ID is not a child whose record is open to you: give the child's details instead");
  assert.equal(about.href, '#child.first_name');

  // For a child the referrer may see, the form carries the child's Safehub ID in a hidden field with an id.
  const known = await page(as.sw, `/referrals/new?child=${hidden.id}`);
  assert.match(known, /<input type="hidden" id="child_id" name="child_id"/);
});

test('caseloads for a worker who does not exist show the error at a worker box', async () => {
  const cl = await as.manager.get('/caseloads?worker=nobody');
  assert.equal(cl.status, 422, cl.describe());
  const links = assertLinksLand(cl.text, 'caseloads of nobody');
  assert.deepEqual(links.map((l) => [l.href, l.text]), [['#worker', 'Worker is not the username of a Safehub user']]);
  assert.match(cl.text, /<select class="govuk-select govuk-select--error" id="worker" name="worker"/);
});

test("a meeting's errors about its children keep each of the service's reasons, at the children box", async () => {
  const child = await newChild();
  const other = 'ch_notarealchild000000';
  const meeting = await postForm(as.sw, '/meetings/new', {
    ...formFields(await page(as.sw, `/meetings/new?child=${child.id}`), '/meetings/new'),
    type: 'strategy_discussion', other_children: `${child.id}, ${other}`,
    'held_at-day': ukDay(-1).day, 'held_at-month': ukDay(-1).month, 'held_at-year': ukDay(-1).year, 'held_at-time': '10:00',
    'attendees-0-name': 'Sam Worker', 'attendees-0-agency': 'HFCSC', decisions: 'Safety plan agreed.',
  });
  assert.equal(meeting.status, 422, meeting.describe());
  const links = assertLinksLand(meeting.text, 'a meeting with a repeated child');
  const kids = links.find((l) => l.href === '#other_children');
  assert.ok(kids, JSON.stringify(links));
  assert.match(kids.text, new RegExp(`list ${child.id} twice`), 'the repeat is named as a repeat');
  assert.match(kids.text, new RegExp(`${other} is not the Safehub ID of a child whose record is open to you`));
});
