// A manager reads the audit trail of a child's record: it shows the
// referrer who found and viewed it, and the manager's own view.  JavaScript
// on uses the demo's manager, JavaScript off one of its own.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { newSession, password, addUser, searchForAnyChild, assertErrorPattern } from './lib.mjs'

const runs = [
  { javaScript: true, user: 'manager', name: 'Martin Firth' },
  { javaScript: false, user: 'manager.nojs', name: 'Maureen Atherton' }
]

for (const run of runs) {
  test(`manager: the audit trail shows who viewed a child (JavaScript ${run.javaScript ? 'on' : 'off'})`, { timeout: 90000 }, async () => {
    const pass = run.user === 'manager'
      ? password('manager')
      : addUser({ username: run.user, name: run.name, agency: 'HFCSC', role: 'manager' })

    const s = await newSession({ javaScript: run.javaScript })
    try {
      const { page } = s
      // A teacher finds and opens a child's record, and signs out.
      await s.signIn('teacher')
      await s.clickAndCheck(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Children' }), 'find')
      const { link } = await searchForAnyChild(s)
      const childName = (await link.innerText()).trim()
      await s.clickAndCheck(link, 'record')
      const childId = await page.getByTestId('child-id').innerText()
      await s.signOut()

      // Then the manager.
      await s.signIn(run.user, pass)
      assert.equal(await page.getByTestId('current-user-role').innerText(), 'Manager')
      const nav = page.getByRole('navigation', { name: 'Main' })
      assert.deepEqual((await nav.getByRole('link').allInnerTexts()).map(x => x.trim()), ['Home', 'My work', 'Referrals', 'Children', 'Risk overview', 'Intelligence', 'Problem profile', 'Possible duplicates', 'Audit trail', 'Notifications'])

      // The audit page asks for a record id, and says so when it is not one.
      await s.clickAndCheck(nav.getByRole('link', { name: 'Audit trail' }), 'audit')
      assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Audit trail')
      await page.getByLabel('Record ID').fill('not an id!')
      await s.clickAndCheck(page.getByRole('button', { name: 'Show the audit trail' }), 'audit: mistake')
      assert.equal(await s.status(), 422)
      const summary = await assertErrorPattern(page)
      assert.deepEqual(summary.items.map(i => i.href), ['#subject'])

      // A manager sees every child in the area: open the one the teacher saw.
      await s.goto(`/children/${childId}`, 'record')
      assert.equal(await page.getByTestId('child-name').innerText(), childName)
      await s.clickAndCheck(page.getByRole('link', { name: 'See who has seen or changed this record' }), 'audit trail')
      assert.equal(s.path(), '/audit')
      assert.equal(await page.title(), 'Audit trail – Safehub')
      const table = page.getByTestId('audit-entries')
      assert.match(await table.locator('caption').innerText(), new RegExp(`^\\d+ entries for record ${childId}, newest first$`))
      assert.deepEqual((await table.locator('thead th[scope=col]').allInnerTexts()).map(x => x.trim()),
        ['When', 'Who', 'Role', 'Agency', 'What', 'Outcome', 'Purpose given'])
      const rows = (await table.locator('tbody tr').allInnerTexts()).map(r => r.replace(/\s+/g, ' ').trim())
      const viewedBy = user => rows.filter(r => new RegExp(` ${user.replace('.', '\\.')} .*Viewed the record`).test(r))
      assert.ok(viewedBy('teacher').length >= 1, `the teacher's view is listed:\n${rows.join('\n')}`)
      assert.match(viewedBy('teacher')[0], / teacher Referrer HFEDU Viewed the record Done /)
      assert.ok(rows.some(r => / teacher Referrer HFEDU Found in a search /.test(r)), 'the search that found the child is listed')
      assert.match(viewedBy(run.user)[0], new RegExp(` ${run.user.replace('.', '\\.')} Manager HFCSC Viewed the record Done `))
      // Newest first: the manager's view comes before the teacher's.
      assert.ok(rows.indexOf(viewedBy(run.user)[0]) < rows.indexOf(viewedBy('teacher')[0]))
      // Times are shown in UK time, with the instant in the markup.
      assert.match(rows[0], /^\d{1,2} [A-Z][a-z]+ \d{4}, \d\d:\d\d:\d\d (GMT|BST) /)
      assert.match(await table.locator('tbody time').first().getAttribute('datetime'), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
      s.assertAllChecked()
    } finally {
      await s.close()
    }
  })
}
