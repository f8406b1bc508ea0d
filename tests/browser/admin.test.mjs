// An administrator manages agencies and users and can reach no child's
// record; the user they add can then sign in.  JavaScript on uses the
// demo's administrator, JavaScript off one of its own.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { newSession, password, addUser, assertErrorPattern, assertSummaryLinksFocus } from './lib.mjs'

const runs = [
  { javaScript: true, user: 'admin', agency: ['HFFIRE', 'Holmford Fire and Rescue'], newUser: 'fire.officer' },
  { javaScript: false, user: 'admin.nojs', agency: ['HFPROB', 'Holmford Probation Service'], newUser: 'probation.officer' }
]

for (const run of runs) {
  test(`admin: users and agencies, adding both, no case data (JavaScript ${run.javaScript ? 'on' : 'off'})`, { timeout: 90000 }, async () => {
    const pass = run.user === 'admin'
      ? password('admin')
      : addUser({ username: run.user, name: 'Ola Second', agency: 'HFCSC', role: 'admin' })
    const [code, agencyName] = run.agency
    const s = await newSession({ javaScript: run.javaScript })
    try {
      const { page } = s
      assert.equal(await s.signIn(run.user, pass), 'enrol', 'administrators set up a second factor')
      assert.equal(await page.getByTestId('current-user-role').innerText(), 'Administrator')
      const nav = page.getByRole('navigation', { name: 'Main' })
      assert.deepEqual((await nav.getByRole('link').allInnerTexts()).map(t => t.trim()), ['Home', 'Users', 'Agencies', 'Bank holidays', 'Notifications'])

      // Users: a captioned table with a row per user, headed by the username.
      await s.clickAndCheck(nav.getByRole('link', { name: 'Users' }), 'users')
      const users = page.getByTestId('users')
      assert.match(await users.locator('caption').innerText(), /^\d+ users$/)
      const teacher = users.locator('tbody tr', { has: page.locator('th[scope=row]', { hasText: /^teacher$/ }) })
      assert.match(await teacher.innerText(), /Helen Shaw\s+HFEDU\s+Referrer\s+None\s+Not set up\s+Active/)

      // Agencies, and adding one: mistakes first.
      await s.clickAndCheck(nav.getByRole('link', { name: 'Agencies' }), 'agencies')
      const agencies = page.getByTestId('agencies')
      const before = await agencies.locator('tbody tr').count()
      assert.ok(before >= 8, 'the demo made an agency of every type')
      assert.match(await agencies.locator('caption').innerText(), new RegExp(`^${before} partner agencies$`))
      await page.getByLabel('Code').fill('fire and rescue')
      await s.clickAndCheck(page.getByRole('button', { name: 'Add agency' }), 'add agency: mistakes')
      assert.equal(await s.status(), 422)
      assert.equal(await page.title(), 'Error: Agencies – Safehub')
      const summary = await assertErrorPattern(page)
      assert.deepEqual(summary.items.map(i => i.href), ['#code', '#name', '#type'])
      assert.equal(summary.items[1].text, "Enter the agency's name")
      await assertSummaryLinksFocus(s)
      assert.equal(await page.getByLabel('Code').inputValue(), 'fire and rescue')

      await page.getByLabel('Code').fill(code)
      await page.getByLabel('Name', { exact: true }).fill(agencyName)
      await page.getByLabel('Type').selectOption({ label: 'Other' })
      await s.clickAndCheck(page.getByRole('button', { name: 'Add agency' }), 'agency added')
      assert.equal(s.path(), '/admin/agencies')
      assert.equal(await page.locator('.govuk-notification-banner__heading').innerText(), 'The agency has been added')
      assert.equal(await agencies.locator('tbody tr').count(), before + 1)
      assert.match(await agencies.locator('tbody tr', { hasText: code }).innerText(), new RegExp(`${code}\\s+${agencyName}\\s+Other`))

      // Adding a user: an empty form names every required field, in order.
      await s.clickAndCheck(nav.getByRole('link', { name: 'Users' }), 'users')
      await s.clickAndCheck(page.getByRole('button', { name: 'Add a user' }), 'add a user')
      assert.equal(await page.title(), 'Add a user – Safehub')
      await s.clickAndCheck(page.getByRole('button', { name: 'Add user' }), 'add a user: mistakes')
      assert.equal(await s.status(), 422)
      const empty = await assertErrorPattern(page)
      assert.deepEqual(empty.items.map(i => i.href), ['#username', '#name', '#agency', '#role', '#password'])
      await assertSummaryLinksFocus(s)

      const newPass = `Harbour-lantern-${Date.now().toString(36)}-willow`
      await page.getByLabel('Username', { exact: true }).fill(run.newUser)
      await page.getByLabel('Full name').fill('Jordan Ellis')
      await page.getByLabel('Agency').selectOption({ label: agencyName })
      await page.getByLabel('Role').selectOption({ label: 'Referrer' })
      await page.getByLabel('First password').fill(newPass)
      await s.clickAndCheck(page.getByRole('button', { name: 'Add user' }), 'user added')
      assert.equal(s.path(), '/admin/users')
      assert.equal(await page.locator('.govuk-notification-banner__heading').innerText(), 'The user has been added')
      const added = users.locator('tbody tr', { has: page.locator('th[scope=row]', { hasText: run.newUser }) })
      assert.match(await added.innerText(), new RegExp(`Jordan Ellis\\s+${code}\\s+Referrer`))

      // An administrator sees no case data: the children's pages refuse them.
      const resp = await s.goto('/children', 'children refused')
      assert.equal(resp.status(), 403)
      assert.equal(await page.title(), 'You do not have permission to see this page – Safehub')
      assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'You do not have permission to see this page')
      assert.match(await page.locator('main').innerText(), /signed in with the role: Administrator/)
      assert.equal(await nav.getByRole('link', { name: 'Children' }).count(), 0)
      await s.signOut()

      // The new user signs in to their new agency.
      assert.equal(await s.signIn(run.newUser, newPass), 'none')
      assert.equal(await page.getByTestId('current-user-name').innerText(), 'Jordan Ellis')
      assert.equal(await page.getByTestId('current-user-agency').innerText(), agencyName)
      assert.equal(await page.getByTestId('current-user-role').innerText(), 'Referrer')
      await s.signOut()
      s.assertAllChecked()
    } finally {
      await s.close()
    }
  })
}
