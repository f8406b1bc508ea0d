// A MASH worker's first sign-in enrols an authenticator app; they search,
// record a child with mistakes (the GOV.UK error pattern), correct them,
// change the record, and a second sign-in asks for a code.  JavaScript on
// uses the demo's MASH user; JavaScript off, a MASH user of its own (each
// enrols once, and codes cannot be reused).

import { test } from 'node:test'
import assert from 'node:assert/strict'
import {
  newSession, password, addUser, rememberSecret, nextCode, totpAt, assertErrorPattern,
  assertSummaryLinksFocus, fillDate, nhsNumber
} from './lib.mjs'

const runs = [
  { javaScript: true, user: 'mash', name: 'Priya Sandhu', child: ['Zephyrine', 'Quarrington'] },
  { javaScript: false, user: 'mash.nojs', name: 'Nadia Okonjo', child: ['Ottoline', 'Brackenbury'] }
]

for (const run of runs) {
  test(`MASH: enrol, record a child with mistakes, correct, change, sign in again (JavaScript ${run.javaScript ? 'on' : 'off'})`, { timeout: 90000 }, async () => {
    const pass = run.user === 'mash'
      ? password('mash')
      : addUser({ username: run.user, name: run.name, agency: 'HFCSC', role: 'mash' })
    const s = await newSession({ javaScript: run.javaScript })
    try {
      const { page } = s
      await s.goto('/sign-in', 'sign-in')
      await page.getByLabel('Username').fill(run.user)
      await page.getByLabel('Password', { exact: true }).fill(pass)
      await s.clickAndCheck(page.getByRole('button', { name: 'Sign in' }), 'enrol')

      // First sign-in: set up an authenticator app.
      assert.equal(s.path(), '/sign-in/enrol')
      assert.equal(await page.title(), 'Set up your authenticator app – Safehub')
      // Half signed in: the header names the user but offers no navigation yet.
      assert.match(await page.getByTestId('current-user').innerText(), new RegExp(run.name))
      assert.equal(await page.getByRole('navigation', { name: 'Main' }).count(), 0)
      const secret = (await page.getByTestId('totp-secret').innerText()).replace(/\s/g, '')
      assert.match(secret, /^[A-Z2-7]{32}$/)
      const uri = await page.getByRole('link', { name: 'add the key to your authenticator app' }).getAttribute('href')
      assert.ok(uri.startsWith('otpauth://totp/') && uri.includes(`secret=${secret}`), 'the link carries the same key')
      rememberSecret(run.user, secret)

      // Pages behind sign-in stay shut until the second step is done.
      await s.goto('/children', 'children before enrolling')
      assert.equal(s.path(), '/sign-in/enrol')

      // A wrong code is an error in the GOV.UK pattern.
      const step = Math.floor(Date.now() / 30000)
      const near = new Set([-1, 0, 1].map(d => totpAt(secret, step + d)))
      let wrong = '000000'
      while (near.has(wrong)) wrong = String(Number(wrong) + 1).padStart(6, '0')
      await page.getByLabel('Code from the app').fill(wrong)
      await s.clickAndCheck(page.getByRole('button', { name: 'Continue' }), 'enrol: wrong code')
      assert.equal(await s.status(), 422)
      await assertErrorPattern(page)
      await assertSummaryLinksFocus(s)

      await page.getByLabel('Code from the app').fill(nextCode(run.user))
      await s.clickAndCheck(page.getByRole('button', { name: 'Continue' }), 'home')
      assert.equal(s.path(), '/')
      assert.equal(await page.getByTestId('current-user-role').innerText(), 'MASH')
      assert.equal(await page.getByTestId('current-user-agency').innerText(), "Holmford Children's Social Care")

      // Search: the child is not known yet.
      const [first, last] = run.child
      await s.clickAndCheck(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Children' }), 'find')
      await page.getByLabel('Name, date of birth, postcode or NHS number').fill(`${first} ${last}`)
      await s.clickAndCheck(page.getByRole('button', { name: 'Search' }), 'no results')
      assert.equal(await page.getByTestId('results-count').innerText(), '0 children found')
      await s.clickAndCheck(page.getByRole('link', { name: 'Record a child who is not found' }), 'record a child')
      assert.equal(await page.title(), 'Record a child – Safehub')

      // Mistakes: no first name, 31 February, no ethnicity, a postcode and an
      // NHS number that are not, and the looked-after question unanswered.
      await page.getByLabel('Last name').fill(last)
      await fillDate(page, 'date_of_birth', 31, 2, 2015)
      await page.getByLabel('Postcode (optional)').fill('NOT A POSTCODE')
      await page.getByLabel('NHS number (optional)').fill('123 456 7890')
      await s.clickAndCheck(page.getByRole('button', { name: 'Save' }), 'record a child: mistakes')
      assert.equal(await s.status(), 422)
      assert.equal(await page.title(), 'Error: Record a child – Safehub')
      if (run.javaScript) {
        // The design system's script moves focus to the summary when the page loads.
        assert.equal(await page.evaluate(() => document.activeElement.classList.contains('govuk-error-summary')), true)
      }
      const summary = await assertErrorPattern(page)
      // Every mistake at once, in the order of the form, each linked to its first box.
      assert.deepEqual(summary.items.map(i => i.href),
        ['#first_name', '#date_of_birth-day', '#ethnicity', '#postcode', '#nhs_number', '#looked_after'])
      assert.equal(summary.items[0].text, "Enter the child's first name")
      assert.equal(summary.items[1].text, 'Date of birth must be a real date')
      assert.match(summary.items[2].text, /^Select the child's ethnicity/)
      // Errors are tied to their fields for screen readers, and styled.
      assert.match(await page.locator('#first_name').getAttribute('aria-describedby'), /\bfirst_name-error\b/)
      assert.match(await page.locator('#first_name').getAttribute('class'), /govuk-input--error/)
      assert.match(await page.locator('fieldset:has([id="date_of_birth-day"])').getAttribute('aria-describedby'),
        /\bdate_of_birth-error\b/)
      assert.match(await page.locator('#ethnicity').getAttribute('aria-describedby'), /\bethnicity-error\b/)
      // What was typed is still there to correct.
      assert.equal(await page.getByLabel('Last name').inputValue(), last)
      assert.equal(await page.locator('#date_of_birth-day').inputValue(), '31')
      assert.equal(await page.locator('#date_of_birth-month').inputValue(), '2')
      assert.equal(await page.locator('#postcode').inputValue(), 'NOT A POSTCODE')
      await assertSummaryLinksFocus(s)

      // Corrected.
      const nhs = nhsNumber(run.javaScript ? '999123456' : '999123457')
      await page.getByLabel('First name').fill(first)
      await fillDate(page, 'date_of_birth', 3, 2, 2015)
      await page.getByLabel('Ethnicity').selectOption({ label: 'Any other White background' })
      await page.getByLabel('Postcode (optional)').fill('hf1 2ab')
      await page.getByLabel('NHS number (optional)').fill(nhs)
      await page.locator('#looked_after-2').check()
      await s.clickAndCheck(page.getByRole('button', { name: 'Save' }), 'child recorded')
      assert.match(s.path(), /^\/children\/[^/]+$/)
      assert.equal(await page.locator('.govuk-notification-banner__heading').innerText(), 'The child has been recorded')
      assert.equal(await page.getByTestId('child-name').innerText(), `${first} ${last}`)
      assert.match(await page.getByTestId('identity-bar').innerText(), /Born 3 February 2015 \(aged \d+\)/)
      const details = page.getByTestId('child-details')
      assert.match(await details.innerText(), /Postcode\s+HF1 2AB/)
      assert.match(await details.innerText(), /Ethnicity\s+Any other White background \(WOTH\)/)
      assert.match(await details.innerText(), new RegExp(`NHS number\\s+${nhs.slice(0, 3)} ${nhs.slice(3, 6)} ${nhs.slice(6)}`))
      assert.match(await details.innerText(), /Looked after\s+No/)

      // Change the record: a placement start date in the future is a mistake.
      await s.clickAndCheck(page.getByRole('link', { name: /Change these details/ }), 'change')
      assert.equal(await page.getByLabel('First name').inputValue(), first)
      assert.equal(await page.locator('#date_of_birth-day').inputValue(), '3')
      assert.equal(await page.locator('#looked_after-2').isChecked(), true)
      await page.getByLabel('School (optional)').fill('Kestrel Vale School')
      await page.locator('#looked_after').check()
      await page.getByLabel('Legal status (optional)').selectOption({ label: 'Full care order' })
      await page.getByLabel('Placement type (optional)').selectOption({ label: "Children's home" })
      await fillDate(page, 'placement.start_date', 1, 1, 2099)
      await page.getByLabel('Placing authority (optional)').fill('Holmford')
      await page.getByLabel('Host authority (optional)').fill('Leeds')
      await page.locator('[id="placement.out_of_area"]').check()
      await s.clickAndCheck(page.getByRole('button', { name: 'Save' }), 'change: mistake')
      assert.equal(await s.status(), 422)
      const again = await assertErrorPattern(page)
      assert.deepEqual(again.items, [{ text: 'Placement start date must not be in the future', href: '#placement.start_date-day' }])
      await assertSummaryLinksFocus(s)
      assert.equal(await page.getByLabel('Host authority (optional)').inputValue(), 'Leeds')
      await fillDate(page, 'placement.start_date', 1, 9, 2025)
      await s.clickAndCheck(page.getByRole('button', { name: 'Save' }), 'changed')
      assert.equal(await page.locator('.govuk-notification-banner__heading').innerText(), "The child's details have been changed")
      const after = await page.locator('main').innerText()
      assert.match(after, /School\s+Kestrel Vale School/)
      assert.match(after, /Looked after\s+Yes/)
      assert.match(after, /Placement type\s+Children's home/)
      assert.match(after, /Start date\s+1 September 2025/)
      assert.match(after, /Host authority\s+Leeds/)
      assert.match(after, /Placed out of area\s+Yes/)
      assert.match(await page.getByTestId('identity-bar').innerText(), /Looked after/)

      // The new child is found by a search now.
      await s.clickAndCheck(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Children' }), 'find')
      await page.getByLabel('Name, date of birth, postcode or NHS number').fill(last)
      await s.clickAndCheck(page.getByRole('button', { name: 'Search' }), 'found')
      assert.equal(await page.getByTestId('search-results').getByRole('link', { name: `${first} ${last}` }).count(), 1)

      // A second sign-in asks for a code rather than enrolling again; a
      // wrong code is an error in the same pattern.
      await s.signOut()
      await page.getByLabel('Username').fill(run.user)
      await page.getByLabel('Password', { exact: true }).fill(pass)
      await s.clickAndCheck(page.getByRole('button', { name: 'Sign in' }), 'code')
      assert.equal(s.path(), '/sign-in/second-factor')
      assert.equal(await page.title(), 'Enter your security code – Safehub')
      assert.equal(await page.getByLabel('Security code').getAttribute('autocomplete'), 'one-time-code')
      assert.equal(await page.getByLabel('Security code').getAttribute('inputmode'), 'numeric')
      const now = Math.floor(Date.now() / 30000)
      const accepted = new Set([-1, 0, 1, 2].map(d => totpAt(secret, now + d)))
      let bad = '123456'
      while (accepted.has(bad)) bad = String((Number(bad) + 7) % 1000000).padStart(6, '0')
      await page.getByLabel('Security code').fill(bad)
      await s.clickAndCheck(page.getByRole('button', { name: 'Continue' }), 'code: wrong')
      assert.equal(await s.status(), 401)
      const codeErr = await assertErrorPattern(page)
      assert.deepEqual(codeErr.items.map(i => i.href), ['#code'])
      await page.getByLabel('Security code').fill(nextCode(run.user))
      await s.clickAndCheck(page.getByRole('button', { name: 'Continue' }), 'signed in again')
      assert.equal(s.path(), '/')
      assert.equal(await page.getByTestId('current-user-name').innerText(), run.name)
      s.assertAllChecked()
    } finally {
      await s.close()
    }
  })
}
