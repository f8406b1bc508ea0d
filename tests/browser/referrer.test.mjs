// A referrer (a teacher) signs in with a password alone, finds a child,
// opens the record and signs out: with JavaScript on and off.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { newSession, logins, searchForAnyChild, assertErrorPattern, assertSummaryLinksFocus } from './lib.mjs'

for (const javaScript of [true, false]) {
  test(`referrer: sign in, search, open a record, sign out (JavaScript ${javaScript ? 'on' : 'off'})`, { timeout: 60000 }, async () => {
    const s = await newSession({ javaScript })
    try {
      const { page } = s
      // Anything but the sign-in page sends a stranger to sign in.
      await s.goto('/children', 'signed out')
      assert.equal(s.path(), '/sign-in')
      assert.equal(await page.title(), 'Sign in – Safehub')

      assert.equal(await s.signIn('teacher'), 'none', 'a referrer needs no second factor by default')

      // The header names the user, their agency and their role.
      assert.equal(await page.getByTestId('current-user-name').innerText(), 'Helen Shaw')
      assert.equal(await page.getByTestId('current-user-agency').innerText(), 'Holmford Schools')
      assert.equal(await page.getByTestId('current-user-role').innerText(), 'Referrer')
      assert.match(await page.getByTestId('current-user').innerText(), /Helen Shaw.*Holmford Schools.*Referrer/s)
      assert.equal(logins.teacher.agency, 'HFEDU')

      // Navigation offers what a referrer may use, and nothing else.
      const nav = page.getByRole('navigation', { name: 'Main' })
      const items = await nav.getByRole('link').allInnerTexts()
      assert.deepEqual(items.map(t => t.trim()), ['Home', 'My work', 'Referrals', 'Children', 'Notifications'])
      assert.equal(await nav.getByRole('link', { name: 'Home' }).getAttribute('aria-current'), 'page')

      // The skip link is the first thing a keyboard reaches, and leads to the main content.
      await page.keyboard.press('Tab')
      assert.equal(await page.evaluate(() => document.activeElement.textContent.trim()), 'Skip to main content')
      assert.equal(await page.evaluate(() => document.activeElement.getAttribute('href')), '#main-content')
      assert.equal(await page.locator('main#main-content').count(), 1)
      // Focused, the skip link pushes the header down; leave it before clicking elsewhere.
      await page.evaluate(() => document.activeElement.blur())

      await s.clickAndCheck(nav.getByRole('link', { name: 'Children' }), 'find a child')
      assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Find a child')

      // An empty search is a mistake shown in the GOV.UK pattern.
      await page.getByLabel('Name, date of birth, postcode or NHS number').fill(' ')
      await s.clickAndCheck(page.getByRole('button', { name: 'Search' }), 'empty search')
      assert.match(await page.title(), /^Error: /)
      assert.equal(await s.status(), 422)

      // Search by surname: every result is a link to a record, in a captioned table.
      const { surname } = await searchForAnyChild(s)
      assert.equal(await s.status(), 200)
      assert.doesNotMatch(await page.title(), /^Error/)
      const table = page.getByTestId('search-results')
      assert.match(await table.locator('caption').innerText(), new RegExp(surname))
      assert.equal(await table.locator('thead th[scope=col]').count(), 4)
      const rows = table.locator('tbody tr')
      const n = await rows.count()
      assert.match(await page.getByTestId('results-count').innerText(), new RegExp(`^${n} (child|children) found$`))
      const first = rows.first().getByRole('link')
      const name = (await first.innerText()).trim()
      assert.match(name, /^\S.* \S+$/, 'a result names the child')

      await s.clickAndCheck(first, 'child record')
      assert.match(s.path(), /^\/children\/[^/]+$/)
      // The identity bar says whose record this is before anything else.
      const bar = page.getByTestId('identity-bar')
      assert.equal(await page.getByTestId('child-name').innerText(), name)
      assert.match(await bar.innerText(), /Born \d{1,2} [A-Z][a-z]+ \d{4} \(aged \d+\)|Date of birth not known/)
      assert.equal(await page.getByTestId('child-id').innerText(), s.path().split('/')[2])
      assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), name)
      assert.equal(await page.title(), `${name} – Safehub`)
      // The details, each row a term and its value.
      const details = page.getByTestId('child-details')
      const keys = (await details.locator('dt').allInnerTexts()).map(t => t.trim())
      assert.deepEqual(keys, ['Other names', 'Date of birth', 'Gender', 'Ethnicity', 'Address', 'Postcode',
        'NHS number', 'School', 'Looked after'])
      assert.match(await details.locator('dd').nth(7).innerText(), /\S/)
      // A referrer may read the record but not change it, nor read its audit trail.
      assert.equal(await page.getByRole('link', { name: /Change these details/ }).count(), 0)
      assert.equal(await page.getByRole('link', { name: /who has seen/i }).count(), 0)
      assert.equal(await nav.getByRole('link', { name: 'Children' }).getAttribute('aria-current'), 'true')

      // A record that does not exist, or is not open to them, is simply not found.
      const missing = await s.goto('/children/ch_aaaaaaaaaaaaaaaaaaaaaa', 'no such record')
      assert.equal(missing.status(), 404)
      assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Page not found')
      assert.match(await page.getByTestId('error-message').innerText(), /no child record at this address, or it is not open to you/)

      // Their own account: changing the password needs the current one.
      await s.clickAndCheck(page.getByRole('link', { name: 'Your account' }), 'your account')
      assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Change your password')
      assert.equal(await page.getByLabel('New password').getAttribute('autocomplete'), 'new-password')
      await s.clickAndCheck(page.getByRole('button', { name: 'Change password' }), 'change password: nothing entered')
      assert.equal(await s.status(), 422)
      const empty = await assertErrorPattern(page)
      assert.deepEqual(empty.items, [{ text: 'Enter your current password', href: '#current_password' },
        { text: 'Enter a new password', href: '#new_password' }])
      await assertSummaryLinksFocus(s)
      await page.getByLabel('Current password').fill('not-my-password-at-all')
      await page.getByLabel('New password').fill('a brand new passphrase for me')
      await s.clickAndCheck(page.getByRole('button', { name: 'Change password' }), 'change password: wrong current')
      const wrong = await assertErrorPattern(page)
      assert.deepEqual(wrong.items, [{ text: 'The password you entered is not your current password', href: '#current_password' }])

      await s.signOut()
      // Signed out, the record is out of reach again.
      await s.goto('/children', 'after sign-out')
      assert.equal(s.path(), '/sign-in')
      s.assertAllChecked()
    } finally {
      await s.close()
    }
  })
}
