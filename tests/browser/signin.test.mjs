// Signing in: the error summary for a wrong password and for missing
// details, the session cookie, the lockout after five failures, and a page
// that does not exist, with JavaScript on and off; and changing one's own
// password.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { newSession, password, addUser, assertErrorPattern, assertSummaryLinksFocus, errorSummary } from './lib.mjs'

for (const javaScript of [true, false]) {
  const mode = `JavaScript ${javaScript ? 'on' : 'off'}`

  test(`sign-in: wrong password and missing details (${mode})`, { timeout: 60000 }, async () => {
    const s = await newSession({ javaScript })
    try {
      const { page } = s
      await s.goto('/sign-in', 'sign-in')
      assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Sign in to Safehub')
      // The password box is a password box, labelled, and offers to show it only with JavaScript.
      assert.equal(await page.getByLabel('Password', { exact: true }).getAttribute('type'), 'password')
      assert.equal(await page.getByLabel('Password', { exact: true }).getAttribute('autocomplete'), 'current-password')
      assert.equal(await page.getByLabel('Username').getAttribute('autocomplete'), 'username')
      assert.equal(await page.getByRole('button', { name: 'Show password' }).isVisible(), javaScript)

      await s.clickAndCheck(page.getByRole('button', { name: 'Sign in' }), 'sign-in: nothing entered')
      assert.equal(await s.status(), 422)
      const both = await assertErrorPattern(page)
      assert.deepEqual(both.items, [{ text: 'Enter your username', href: '#username' },
        { text: 'Enter your password', href: '#password' }])
      await assertSummaryLinksFocus(s)

      await page.getByLabel('Username').fill('teacher')
      await page.getByLabel('Password', { exact: true }).fill(password('teacher') + 'x')
      await s.clickAndCheck(page.getByRole('button', { name: 'Sign in' }), 'sign-in: wrong password')
      assert.equal(await s.status(), 401)
      assert.equal(await page.title(), 'Error: Sign in – Safehub')
      const wrong = await assertErrorPattern(page)
      assert.deepEqual(wrong.items, [{ text: 'Enter a correct username and password', href: '#username' }])
      await assertSummaryLinksFocus(s)
      // The username is kept; the password never comes back.
      assert.equal(await page.getByLabel('Username').inputValue(), 'teacher')
      assert.equal(await page.getByLabel('Password', { exact: true }).inputValue(), '')
      assert.equal(await page.getByTestId('current-user').count(), 0)

      // The right password still works after a wrong one, and the session
      // cookie is out of reach of script and of other sites.
      assert.equal(await s.signIn('teacher'), 'none')
      const cookies = await s.context.cookies()
      assert.equal(cookies.length, 1, 'one cookie: the session')
      assert.equal(cookies[0].httpOnly, true)
      assert.equal(cookies[0].sameSite, 'Strict')
      // A page that does not exist says so, in the same frame.
      const resp = await s.goto('/no-such-page', 'not found')
      assert.equal(resp.status(), 404)
      assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Page not found')
      assert.equal(await page.title(), 'Page not found – Safehub')
      s.assertAllChecked()
    } finally {
      await s.close()
    }
  })

  test(`sign-in: five failures lock the account (${mode})`, { timeout: 60000 }, async () => {
    const user = `locked.${javaScript ? 'js' : 'nojs'}`
    const pass = addUser({ username: user, name: 'Lee Locked', agency: 'HFNHS', role: 'referrer' })
    const s = await newSession({ javaScript })
    try {
      const { page } = s
      await s.goto('/sign-in', 'sign-in')
      for (let i = 1; i <= 5; i++) {
        await page.getByLabel('Username').fill(user)
        await page.getByLabel('Password', { exact: true }).fill(`wrong-password-${i}`)
        await s.clickAndCheck(page.getByRole('button', { name: 'Sign in' }), `failure ${i}`)
        const summary = await errorSummary(page)
        if (i < 5) {
          assert.equal(await s.status(), 401)
          assert.equal(summary.items[0].text, 'Enter a correct username and password')
        } else {
          assert.equal(await s.status(), 429)
          await assertErrorPattern(page)
          assert.match(summary.items[0].text, /^Your account is locked after too many failed attempts\. Try again in \d+ minutes?$/)
        }
      }
      // Locked, even the right password is refused until the time is up.
      await page.getByLabel('Username').fill(user)
      await page.getByLabel('Password', { exact: true }).fill(pass)
      await s.clickAndCheck(page.getByRole('button', { name: 'Sign in' }), 'locked: right password')
      assert.equal(await s.status(), 429)
      assert.match((await errorSummary(page)).items[0].text, /^Your account is locked/)
      assert.equal(s.path(), '/sign-in')
      assert.equal(await page.getByTestId('current-user').count(), 0)
      s.assertAllChecked()
    } finally {
      await s.close()
    }
  })
}

test('account: a user changes their password and signs in with the new one (JavaScript off)', { timeout: 60000 }, async () => {
  const user = 'password.changer'
  const old = addUser({ username: user, name: 'Pat Changer', agency: 'HFHSG', role: 'referrer' })
  const fresh = 'kestrel umber lantern orchard'
  const s = await newSession({ javaScript: false })
  try {
    const { page } = s
    await s.signIn(user, old)
    await s.clickAndCheck(page.getByRole('link', { name: 'Your account' }), 'your account')
    assert.equal(await page.getByRole('link', { name: 'Your account' }).getAttribute('aria-current'), 'page')
    // A new password that breaks the policy is refused with the reason.
    await page.getByLabel('Current password').fill(old)
    await page.getByLabel('New password').fill('short')
    await s.clickAndCheck(page.getByRole('button', { name: 'Change password' }), 'change password: too short')
    const summary = await assertErrorPattern(page)
    assert.deepEqual(summary.items.map(i => i.href), ['#new_password'])
    assert.match(summary.items[0].text, /^New password must be at least \d+ characters$/)

    await page.getByLabel('Current password').fill(old)
    await page.getByLabel('New password').fill(fresh)
    await s.clickAndCheck(page.getByRole('button', { name: 'Change password' }), 'password changed')
    assert.equal(await page.locator('.govuk-notification-banner__heading').innerText(), 'Your password has been changed')
    await s.signOut()

    // The old password no longer works; the new one does.
    await page.getByLabel('Username').fill(user)
    await page.getByLabel('Password', { exact: true }).fill(old)
    await s.clickAndCheck(page.getByRole('button', { name: 'Sign in' }), 'old password')
    assert.equal(await s.status(), 401)
    assert.equal(await s.signIn(user, fresh), 'none')
    s.assertAllChecked()
  } finally {
    await s.close()
  }
})
