// The front door in the browser, every page checked with axe: a referrer
// makes a referral on a phone-sized screen (mistakes first, in the GOV.UK
// error pattern, then correctly) and gets a reference at once, the child's
// own words shown first; the MASH queue ordered by deadline and filtered;
// MASH staff confirm the child, rate, and decide (a closure with no further
// action going to a manager, who signs it off); the referrer reads the
// decision and challenges it; the child's chronology and Referrals tab show
// it all.  With JavaScript on (the demo's teacher, MASH worker and manager)
// and off (the demo's nurse and a MASH worker of its own).

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { newSession, addUser, assertErrorPattern, assertSummaryLinksFocus } from './lib.mjs'

const made = {} // javaScript -> {reference, id, first, last}

// A letters-only surname nobody else in the demo has.
function uniqueSurname (prefix) {
  const letters = 'qwxzjkvy'
  let s = prefix
  for (let i = 0; i < 8; i++) s += letters[Math.floor(Math.random() * letters.length)]
  return s
}

// The main navigation's link NAME.
function nav (page, name) {
  return page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true })
}

// True when the element with test id A comes before the one with test id B in the page.
async function before (page, a, b) {
  return page.evaluate(([x, y]) => {
    const ex = document.querySelector(`[data-testid="${x}"]`)
    const ey = document.querySelector(`[data-testid="${y}"]`)
    return Boolean(ex && ey && (ex.compareDocumentPosition(ey) & Node.DOCUMENT_POSITION_FOLLOWING))
  }, [a, b])
}

for (const run of [{ javaScript: true, user: 'teacher' }, { javaScript: false, user: 'nurse' }]) {
  test(`referrer: make a referral on a phone, mistakes first, and get a reference (JavaScript ${run.javaScript ? 'on' : 'off'})`, { timeout: 120000 }, async () => {
    const s = await newSession({ javaScript: run.javaScript })
    try {
      const { page } = s
      await page.setViewportSize({ width: 375, height: 812 })
      await s.signIn(run.user)
      await s.clickAndCheck(nav(page, 'Referrals'), 'your referrals')
      assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Your referrals')
      await s.clickAndCheck(page.getByRole('button', { name: 'Make a referral' }), 'referral form')
      assert.equal(s.path(), '/referrals/new')
      assert.equal(await page.title(), 'Make a referral – Safehub')

      // Nothing filled in: every mistake at once, in the order of the form.
      await page.getByRole('group', { name: 'Date of birth (optional)' }).getByLabel('Day').fill('31')
      await page.getByRole('group', { name: 'Date of birth (optional)' }).getByLabel('Month').fill('2')
      await page.getByRole('group', { name: 'Date of birth (optional)' }).getByLabel('Year').fill('2015')
      await s.clickAndCheck(page.getByRole('button', { name: 'Send referral' }), 'referral form: mistakes')
      assert.equal(await s.status(), 422)
      const summary = await assertErrorPattern(page)
      assert.deepEqual(summary.items.map(i => i.href), [
        '#immediate_danger', '#child.first_name', '#child.last_name', '#child.date_of_birth-day', '#child.ethnicity', '#concern'
      ])
      assert.equal(summary.items[0].text, 'Select yes if the child is in immediate danger now')
      await assertSummaryLinksFocus(s)

      const first = run.javaScript ? 'Marnie' : 'Tamsin'
      const last = uniqueSurname('Ravel')
      await page.getByRole('group', { name: 'Is the child in immediate danger now?' }).getByLabel('No').check()
      await page.getByLabel('First name').fill(first)
      await page.getByLabel('Last name').fill(last)
      await page.getByLabel('Ethnicity').selectOption({ label: 'Information not yet obtained' })
      await page.getByLabel('What the child said, in their own words (optional)').fill('He said I am special and not to tell my mum.')
      await page.getByLabel('What you are worried about').fill('Collected from school by a man in his thirties in a different car each week.')
      await page.getByText('Signs of exploitation you have seen (optional)').click()
      await page.getByLabel('Getting into or out of cars driven by unknown adults').check()
      await page.getByLabel('Relationship with a controlling or much older adult').check()
      await s.clickAndCheck(page.getByRole('button', { name: 'Send referral' }), 'referral form: date still wrong')
      assert.equal(await s.status(), 422, 'the date is still not a real one')
      const again = await assertErrorPattern(page)
      assert.deepEqual(again.items.map(i => i.href), ['#child.date_of_birth-day'])
      assert.equal(await page.getByLabel('First name').inputValue(), first, 'what was typed is kept')
      assert.equal(await page.getByLabel('Getting into or out of cars driven by unknown adults').isChecked(), true)
      await page.getByRole('group', { name: 'Date of birth (optional)' }).getByLabel('Month').fill('3')
      await s.clickAndCheck(page.getByRole('button', { name: 'Send referral' }), 'referral sent')

      assert.equal(await s.status(), 200)
      assert.match(s.path(), /^\/referrals\/rf_[a-z0-9]+$/)
      assert.equal(await page.locator('.govuk-panel__title').innerText(), 'Referral sent')
      const reference = (await page.getByTestId('reference').innerText()).trim()
      assert.match(reference, /^R-\d{4}-\d{6}$/)
      assert.ok(await before(page, 'childs-words', 'concern'), 'the child\'s own words are shown first')
      assert.match(await page.getByTestId('childs-words').innerText(), /not to tell my mum/)
      assert.deepEqual((await page.getByTestId('indicators').locator('li').allInnerTexts()).map(t => t.replace(/ \(.*\)$/, '')),
        ['Relationship with a controlling or much older adult', 'Getting into or out of cars driven by unknown adults'])
      made[run.javaScript] = { reference, id: s.path().split('/')[2], first, last }

      await s.clickAndCheck(nav(page, 'Referrals'), 'your referrals again')
      const mine = page.getByTestId('my-referrals')
      assert.match(await mine.locator('tbody').innerText(), new RegExp(reference))
      s.assertAllChecked()
    } finally {
      await s.close()
    }
  })
}

test('MASH and manager: the queue, confirm the child, rate, decide (a mistake first), sign off; the chronology (JavaScript on)', { timeout: 180000 }, async () => {
  const ref = made[true]
  assert.ok(ref, 'the referrer\'s test made a referral first')
  const s = await newSession({ javaScript: true })
  try {
    const { page } = s
    await s.signIn('mash')
    await s.clickAndCheck(nav(page, 'Referrals'), 'MASH queue')
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'MASH queue')
    const queue = page.getByTestId('referral-queue')
    assert.match(await queue.locator('caption').innerText(), /referrals?, soonest deadline first$/)
    const due = await queue.locator('tbody time').evaluateAll(ts => ts.map(t => Date.parse(t.getAttribute('datetime'))))
    assert.ok(due.length >= 2)
    assert.deepEqual(due, [...due].sort((a, b) => a - b), 'ordered by deadline')
    await s.clickAndCheck(queue.getByRole('link', { name: ref.reference }), 'referral')
    assert.equal(await page.getByTestId('reference').innerText(), ref.reference)
    assert.ok(await before(page, 'childs-words', 'concern'))

    // Confirm the child: not known to Safehub, so recorded from the details given.
    await page.getByLabel('None of these: record a new child from the details the referrer gave').check()
    await s.clickAndCheck(page.getByRole('button', { name: 'Confirm the child' }), 'child confirmed')
    assert.match(await page.locator('.govuk-notification-banner').innerText(), /The child has been confirmed/)
    assert.match(await page.getByTestId('identity-bar').innerText(), new RegExp(`${ref.first} ${ref.last}`))

    await page.getByRole('group', { name: 'Rating' }).getByLabel('Red').check()
    await page.getByLabel('Why this rating').fill('An adult collecting her in different cars.')
    await s.clickAndCheck(page.getByRole('button', { name: 'Save the rating' }), 'rated')
    assert.match(await page.getByTestId('referral-status').innerText(), /Rated\s+Red/)

    // A decision without a rationale is a mistake shown beside the field.
    await page.getByRole('group', { name: 'Decision' }).getByLabel('No further action').check()
    await s.clickAndCheck(page.getByRole('button', { name: 'Record the decision' }), 'decision: mistake')
    assert.equal(await s.status(), 422)
    const summary = await assertErrorPattern(page)
    assert.deepEqual(summary.items.map(i => i.href), ['#rationale'])
    await assertSummaryLinksFocus(s)
    await page.getByLabel('Rationale').fill('The school has spoken to the family: the driver is her uncle.')
    await s.clickAndCheck(page.getByRole('button', { name: 'Record the decision' }), 'decided')
    assert.match(await page.getByTestId('referral-status').innerText(), /Waiting for sign-off/)
    assert.match(await page.getByTestId('decision').innerText(), /Waiting for a manager's sign-off/)

    // The queue filtered to red referrals waiting for sign-off shows it.
    await s.clickAndCheck(nav(page, 'Referrals'), 'queue')
    await page.getByLabel('Status').selectOption('awaiting_signoff')
    await page.getByLabel('Rating').selectOption('red')
    await s.clickAndCheck(page.getByRole('button', { name: 'Show referrals' }), 'queue: red, waiting for sign-off')
    const rows = await page.getByTestId('referral-queue').locator('tbody tr').allInnerTexts()
    assert.ok(rows.length >= 1 && rows.every(r => /Red/.test(r) && /Waiting for sign-off/.test(r)), rows.join('\n'))
    assert.ok(rows.some(r => r.includes(ref.reference)))
    await s.signOut()

    // The manager signs it off.
    await s.signIn('manager')
    await s.goto(`/referrals/${ref.id}`, 'referral for sign-off')
    await page.getByLabel('Agree: close with no further action').check()
    await s.clickAndCheck(page.getByRole('button', { name: 'Save the sign-off' }), 'signed off')
    assert.match(await page.getByTestId('referral-status').innerText(), /Decided/)
    assert.match(await page.getByTestId('decision').innerText(), /Signed off by Martin Firth/)

    // The child's record: the Referrals tab (the child's words first) and the chronology.
    await s.clickAndCheck(page.getByRole('link', { name: `${ref.first} ${ref.last}` }), 'child record')
    const childPath = s.path()
    const tabs = page.getByRole('navigation', { name: 'About this child' })
    await s.clickAndCheck(tabs.getByRole('link', { name: 'Referrals', exact: true }), 'child referrals tab')
    assert.equal(s.path(), `${childPath}/referrals`)
    const card = page.getByTestId('child-referral').first()
    assert.match(await card.innerText(), /In the child's words\s+He said I am special/)
    await s.clickAndCheck(tabs.getByRole('link', { name: 'Chronology', exact: true }), 'chronology')
    const timeline = await page.locator('.moj-timeline').innerText()
    for (const what of ['received from Holmford Schools', 'rated red by the MASH', 'decided: No further action',
      'no further action signed off by a manager']) {
      assert.match(timeline, new RegExp(`${ref.reference}.*${what}|${what}`), `the chronology shows "${what}"`)
    }
    await s.signOut()

    // The teacher reads the decision and challenges it (a mistake first).
    await s.signIn('teacher')
    await s.goto(`/referrals/${ref.id}`, 'decided referral (referrer)')
    assert.match(await page.getByTestId('decision').innerText(), /No further action[\s\S]*her uncle/)
    await s.clickAndCheck(page.getByRole('button', { name: 'Challenge the decision' }), 'challenge: mistake')
    assert.equal(await s.status(), 422)
    const ch = await assertErrorPattern(page)
    assert.deepEqual(ch.items.map(i => i.href), ['#challenge_reason'])
    await page.getByLabel('Why you disagree').fill('Her uncle does not drive; we have seen three different men.')
    await s.clickAndCheck(page.getByRole('button', { name: 'Challenge the decision' }), 'challenged')
    assert.match(await page.locator('.govuk-notification-banner').innerText(), /Your challenge has been sent to a manager/)
    assert.match(await page.getByTestId('challenge').innerText(), /Waiting for a manager's answer/)
    s.assertAllChecked()
  } finally {
    await s.close()
  }
})

test('MASH without JavaScript: filter the queue, take the referral, rate and decide it', { timeout: 180000 }, async () => {
  const ref = made[false]
  assert.ok(ref, 'the referrer\'s test made a referral first')
  const user = 'mash.front.nojs'
  const pass = addUser({ username: user, name: 'Noor Front', agency: 'HFCSC', role: 'mash' })
  const s = await newSession({ javaScript: false })
  try {
    const { page } = s
    await s.signIn(user, pass)
    await s.clickAndCheck(nav(page, 'Referrals'), 'MASH queue')
    await page.getByLabel('Status').selectOption('received')
    await s.clickAndCheck(page.getByRole('button', { name: 'Show referrals' }), 'queue: received')
    const rows = await page.getByTestId('referral-queue').locator('tbody tr').allInnerTexts()
    assert.ok(rows.every(r => /Received/.test(r)), rows.join('\n'))
    await s.clickAndCheck(page.getByRole('link', { name: ref.reference }), 'referral')
    await page.getByLabel('Assigned to').selectOption({ label: 'Noor Front (MASH)' })
    await s.clickAndCheck(page.getByRole('button', { name: 'Assign' }), 'assigned')
    assert.match(await page.getByTestId('referral-details').innerText(), /Assigned to\s+Noor Front/)
    await page.getByRole('group', { name: 'Rating' }).getByLabel('Amber').check()
    await page.getByLabel('Why this rating').fill('Older adult; no disclosure yet.')
    await s.clickAndCheck(page.getByRole('button', { name: 'Save the rating' }), 'rated')
    await page.getByRole('group', { name: 'Decision' }).getByLabel('Assessment by children\'s social care').check()
    await page.getByLabel('Rationale').fill('Exploitation indicators with an older adult: assessment needed.')
    await s.clickAndCheck(page.getByRole('button', { name: 'Record the decision' }), 'decided')
    assert.match(await page.getByTestId('referral-status').innerText(), /Decided/)
    assert.equal(await page.getByRole('button', { name: 'Record the decision' }).count(), 0, 'a decided referral offers no second decision')
    const history = await page.getByTestId('history').innerText()
    assert.match(history, /Decided: Assessment by children's social care/)
    assert.match(history, /Rated amber/)
    s.assertAllChecked()
  } finally {
    await s.close()
  }
})
