// Casework in the browser, on the demo borough: a manager records a missing
// episode on a child's "Missing episodes" tab (first with mistakes: the
// GOV.UK error pattern, and a return before the child went missing), the
// return-home interview in the child's own words, allocates a lead worker
// and team, adds a case note with the child's words and a risk indicator,
// records a multi-agency CSE meeting with actions and marks one done, refers
// the child to a support service and moves it on, reads the caseloads and
// the chronology.  Then, with JavaScript off, a police officer (involved by
// attending the meeting) records an episode and marks their own action done,
// and is refused the caseloads.  Every page is checked with axe.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { newSession, addUser, password, assertErrorPattern, assertSummaryLinksFocus, fillDate, searchForAnyChild } from './lib.mjs'

/** The UK calendar date DAYS from today as [day, month, year]. */
function ukDate (days) {
  const s = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London' }).format(new Date(Date.now() + days * 86400000))
  const [y, m, d] = s.split('-').map(Number)
  return [d, m, y]
}

/** Fills the date and time boxes NAME with the UK date DAYS from today and TIME. */
async function fillDateTime (page, name, days, time) {
  const [d, m, y] = ukDate(days)
  await fillDate(page, name, d, m, y)
  await page.locator(`[id="${name}-time"]`).fill(time)
}

let childId = null
let meetingPath = null

test('casework: a manager records an episode, the interview, an allocation, a note, a meeting and support (JavaScript on)', { timeout: 180000 }, async () => {
  const pass = addUser({ username: 'cw.manager', name: 'Morag Casework', agency: 'HFCSC', role: 'manager' })
  const s = await newSession({ javaScript: true })
  try {
    const { page } = s
    await s.signIn('cw.manager', pass)
    await s.clickAndCheck(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Children' }), 'find')
    const { link } = await searchForAnyChild(s)
    await s.clickAndCheck(link, 'record')
    childId = await page.getByTestId('child-id').innerText()
    const tabs = page.getByRole('navigation', { name: 'About this child' })

    // The missing episodes tab, and the form with mistakes first.
    await s.clickAndCheck(tabs.getByRole('link', { name: 'Missing episodes' }), 'missing episodes')
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Missing episodes')
    assert.equal(await tabs.getByRole('link', { name: 'Missing episodes' }).getAttribute('aria-current'), 'page')
    const before = await page.getByTestId('episode').count()
    await s.clickAndCheck(page.getByRole('button', { name: 'Record a missing episode' }), 'record an episode')
    await s.clickAndCheck(page.getByRole('button', { name: 'Save the missing episode' }), 'episode: nothing filled in')
    assert.equal(await s.status(), 422)
    let summary = await assertErrorPattern(page)
    assert.deepEqual(summary.items.map(i => i.href), ['#went_missing_at-day', '#reported_to_police'])
    await assertSummaryLinksFocus(s)

    // A return before the child went missing is refused, and what was typed stays.
    await fillDateTime(page, 'went_missing_at', -2, '14:00')
    await page.getByRole('group', { name: 'Was the child reported missing to the police?' }).getByLabel('Yes').check()
    await fillDateTime(page, 'returned_at', -3, '09:30')
    await page.getByLabel('Where was the child found? (optional)').fill('Holmford bus station')
    await s.clickAndCheck(page.getByRole('button', { name: 'Save the missing episode' }), 'episode: return before missing')
    assert.equal(await s.status(), 422)
    summary = await assertErrorPattern(page)
    assert.deepEqual(summary.items.map(i => i.text), ['When the child returned must not be before the child went missing'])
    assert.equal(await page.getByLabel('Where was the child found? (optional)').inputValue(), 'Holmford bus station')
    assert.equal(await page.locator('[id="went_missing_at-time"]').inputValue(), '14:00')

    await fillDateTime(page, 'returned_at', -1, '09:30')
    await s.clickAndCheck(page.getByRole('button', { name: 'Save the missing episode' }), 'episode recorded')
    assert.equal(s.path(), `/children/${childId}/missing-episodes`)
    assert.match(await page.locator('.govuk-notification-banner').innerText(), /The missing episode has been recorded/)
    assert.equal(await page.getByTestId('episode').count(), before + 1)
    const card = page.getByTestId('episode').first()
    assert.match(await card.innerText(), /Interview due/)
    assert.match(await card.innerText(), /Holmford bus station/)

    // The return-home interview: the choice first, then the child's account.
    await s.clickAndCheck(card.getByRole('link', { name: /Record the return-home interview/ }), 'interview form')
    await s.clickAndCheck(page.getByRole('button', { name: 'Save the interview' }), 'interview: nothing chosen')
    assert.equal(await s.status(), 422)
    summary = await assertErrorPattern(page)
    assert.deepEqual(summary.items.map(i => i.href), ['#took_part'])
    await page.getByLabel('Yes, the interview took place').check()
    await page.getByLabel('Who conducted the interview, or offered it?').fill('Ruth Adeyemi, Young People\'s Project')
    await page.getByRole('group', { name: 'Was the interviewer independent of the child\'s placement?' }).getByLabel('Yes').check()
    await page.getByLabel('The child\'s account, in their own words').fill('I went to a party at a flat.\nA man gave me a lift back.')
    await s.clickAndCheck(page.getByRole('button', { name: 'Save the interview' }), 'interview recorded')
    assert.match(await page.locator('.govuk-notification-banner').innerText(), /return-home interview has been recorded/)
    const held = page.getByTestId('episode').first()
    assert.match(await held.innerText(), /Interview held/)
    assert.match(await held.innerText(), /In the child's words\s+I went to a party at a flat\.\s+A man gave me a lift back\./)

    // Notes and allocation: allocate the social worker, then a note with the child's words and an indicator.
    await s.clickAndCheck(tabs.getByRole('link', { name: 'Notes and allocation' }), 'notes')
    await page.getByLabel(/lead worker/).selectOption('social.worker')
    await page.getByLabel('Team').fill('')
    await s.clickAndCheck(page.getByRole('button', { name: 'Allocate' }), 'allocation: no team')
    assert.equal(await s.status(), 422)
    summary = await assertErrorPattern(page)
    assert.deepEqual(summary.items.map(i => i.text), ['Enter the team'])
    await page.getByLabel('Team').fill('Holmford CSE Team')
    await s.clickAndCheck(page.getByRole('button', { name: 'Allocate' }), 'allocated')
    assert.match(await page.getByTestId('allocation').innerText(), /Sam Whitaker \(Social worker, Holmford Children's Social Care\)/)
    assert.match(await page.getByTestId('allocation').innerText(), /Holmford CSE Team/)
    await s.clickAndCheck(page.getByRole('button', { name: 'Add a case note' }), 'note form')
    await page.getByLabel('What the child said, in their own words (optional)').fill('He said I owe him for the phone.')
    await page.getByLabel('The note', { exact: true }).fill('Visited at home after the return. Has a new phone she will not explain.')
    await page.getByLabel('Unexplained money, clothes, phones or credit').check()
    await s.clickAndCheck(page.getByRole('button', { name: 'Save the note' }), 'note saved')
    const note = page.getByTestId('note').first()
    assert.match(await note.innerText(), /^.*Morag Casework, Holmford Children's Social Care\s+In the child's words\s+He said I owe him for the phone\.\s+Visited at home/)
    assert.match(await note.innerText(), /S04: Unexplained money, clothes, phones or credit/)

    // Meetings and support: a CSE meeting with two actions.
    await s.clickAndCheck(tabs.getByRole('link', { name: 'Meetings and support' }), 'meetings')
    await s.clickAndCheck(page.getByRole('button', { name: 'Record a meeting' }), 'meeting form')
    await page.getByLabel('Multi-agency CSE meeting').check()
    await fillDateTime(page, 'held_at', -1, '10:00')
    await page.locator('#attendees-0-name').fill('Morag Casework')
    await page.locator('#attendees-0-agency').selectOption('HFCSC')
    await page.locator('#attendees-1-name').fill('DC Lee Barker')
    await page.locator('#attendees-1-agency').selectOption('HFP')
    await page.locator('#attendees-1-role').fill('CSE team')
    await page.getByLabel('What was decided').fill('Disrupt the address. Weekly sessions.')
    await page.locator('#actions-0-description').fill('Visit the address on Wharf Street')
    await page.locator('#actions-0-owner').selectOption('police')
    const [d1, m1, y1] = ukDate(3)
    await fillDate(page, 'actions-0-due', d1, m1, y1)
    await page.locator('#actions-1-description').fill('Share attendance')
    await page.locator('#actions-1-owner').selectOption('cw.manager')
    // A mistake in a row: the summary names the row and links to its box.
    await fillDate(page, 'actions-1-due', 31, 2, y1)
    await s.clickAndCheck(page.getByRole('button', { name: 'Save the meeting' }), 'meeting: bad date')
    assert.equal(await s.status(), 422)
    summary = await assertErrorPattern(page)
    assert.deepEqual(summary.items.map(i => i.href), ['#actions-1-due-day'])
    assert.match(summary.items[0].text, /^Action 2: the date must be a real date$/)
    const [d2, m2, y2] = ukDate(5)
    await fillDate(page, 'actions-1-due', d2, m2, y2)
    await s.clickAndCheck(page.getByRole('button', { name: 'Save the meeting' }), 'meeting recorded')
    assert.match(s.path(), /^\/meetings\/mt_/)
    meetingPath = s.path()
    assert.match(await page.locator('.govuk-notification-banner').innerText(), /The meeting has been recorded/)
    assert.match(await page.getByRole('heading', { level: 1 }).innerText(), /^Multi-agency CSE meeting, \d+ [A-Z][a-z]+ \d{4}$/)
    assert.equal(await page.getByTestId('action').count(), 2)
    const mine = page.getByTestId('action').filter({ hasText: 'Share attendance' })
    await mine.getByLabel('What was done (optional)').fill('Shared on Friday.')
    await s.clickAndCheck(mine.getByRole('button', { name: /Mark as done/ }), 'action done')
    assert.match(await page.locator('.govuk-notification-banner').innerText(), /marked done/)
    assert.match(await page.getByTestId('action').filter({ hasText: 'Share attendance' }).innerText(), /Done[\s\S]*Shared on Friday\./)

    await s.goto(`/children/${childId}/meetings`, 'meetings tab')
    await s.clickAndCheck(page.getByRole('button', { name: 'Refer to a support service' }), 'support form')
    await page.getByLabel('Service', { exact: true }).selectOption('isva')
    await page.getByLabel('Provider (optional)').fill('Holmford Rape Crisis')
    await s.clickAndCheck(page.getByRole('button', { name: 'Save the referral' }), 'support: no status')
    summary = await assertErrorPattern(page)
    assert.deepEqual(summary.items.map(i => i.href), ['#status'])
    await page.getByLabel('Referred', { exact: true }).check()
    await s.clickAndCheck(page.getByRole('button', { name: 'Save the referral' }), 'support recorded')
    await s.clickAndCheck(page.getByTestId('support').getByRole('link', { name: 'Independent sexual violence adviser (ISVA)' }).first(), 'referral')
    await page.getByLabel('Receiving support').check()
    await page.getByLabel('Engaging', { exact: true }).check()
    await s.clickAndCheck(page.getByRole('button', { name: 'Save changes' }), 'referral updated')
    assert.match(await page.getByTestId('referral').innerText(), /Receiving support[\s\S]*Engaging/)

    // Caseloads, then the chronology across agencies.
    await s.goto('/caseloads', 'caseloads')
    assert.match(await page.getByTestId('teams').innerText(), /Holmford CSE Team/)
    await s.clickAndCheck(page.getByTestId('workers').getByRole('link', { name: 'Sam Whitaker' }).first(), 'a worker\'s caseload')
    assert.ok(await page.getByTestId('caseload').locator(`a[href="/children/${childId}/notes"]`).count() === 1)
    await s.goto(`/children/${childId}/chronology`, 'chronology')
    const timeline = await page.locator('.moj-timeline').innerText()
    for (const kind of ['Missing episode', 'Return-home interview', 'Allocation', 'Case note', 'Meeting', 'Action', 'Support']) {
      assert.ok(timeline.includes(kind), `the chronology shows a ${kind}`)
    }
    s.assertAllChecked()
  } finally {
    await s.close()
  }
})

test('casework: the police, involved by the meeting, record an episode and do their action (JavaScript off)', { timeout: 120000 }, async () => {
  assert.ok(childId && meetingPath, 'the first test made the child\'s casework')
  const s = await newSession({ javaScript: false })
  try {
    const { page } = s
    await s.signIn('police', password('police'))
    await s.goto(`/children/${childId}/missing-episodes`, 'police: missing episodes')
    assert.equal(await s.status(), 200)
    await s.clickAndCheck(page.getByRole('button', { name: 'Record a missing episode' }), 'police: record')
    await fillDateTime(page, 'went_missing_at', 1, '25:00')
    await s.clickAndCheck(page.getByRole('button', { name: 'Save the missing episode' }), 'police: mistakes')
    assert.equal(await s.status(), 422)
    const summary = await assertErrorPattern(page)
    assert.deepEqual(summary.items.map(i => i.href), ['#went_missing_at-time', '#reported_to_police'])
    await fillDateTime(page, 'went_missing_at', -1, '23:00')
    await page.getByRole('group', { name: 'Was the child reported missing to the police?' }).getByLabel('No').check()
    await s.clickAndCheck(page.getByRole('button', { name: 'Save the missing episode' }), 'police: recorded')
    const card = page.getByTestId('episode').first()
    assert.match(await card.innerText(), /Not yet returned/)
    assert.equal(await card.getByRole('link', { name: /Record the return-home interview/ }).count(), 0, 'the police do not record interviews')

    await s.goto(meetingPath, 'police: the meeting')
    const visit = page.getByTestId('action').filter({ hasText: 'Visit the address on Wharf Street' })
    await s.clickAndCheck(visit.getByRole('button', { name: /Mark as done/ }), 'police: action done')
    assert.match(await page.getByTestId('action').filter({ hasText: 'Visit the address' }).innerText(), /Done/)
    await s.goto('/caseloads', 'police: caseloads')
    assert.equal(await s.status(), 403)
    s.assertAllChecked()
  } finally {
    await s.close()
  }
})
