// The problem profile in the browser, with JavaScript on and off.  The
// strategic lead (an elected member of the board) opens it from the
// navigation and finds data completeness first, then the figures in tables
// with captions, with no child's name anywhere; asks for a period with an
// impossible date (error summary linking to the date, the typed values kept)
// and then for a good one.  The analyst reads it too; a teacher is refused
// it and is not offered it in the navigation.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { newSession, assertErrorPattern, assertSummaryLinksFocus } from './lib.mjs'

for (const javaScript of [true, false]) {
  test(`problem profile: completeness first, figures in tables, a period chosen (JavaScript ${javaScript ? 'on' : 'off'})`, { timeout: 200000 }, async () => {
    const s = await newSession({ javaScript })
    try {
      const { page } = s
      await s.signIn('strategic')
      const nav = page.getByRole('navigation', { name: 'Main' })
      assert.deepEqual((await nav.getByRole('link').allInnerTexts()).map(x => x.trim()), ['Home', 'Problem profile', 'Notifications'],
        'the strategic lead is offered the figures and no child')
      await s.clickAndCheck(nav.getByRole('link', { name: 'Problem profile' }), 'problem profile')
      assert.equal(s.path(), '/reports/problem-profile')
      assert.match(await page.getByRole('heading', { level: 1 }).innerText(), /Problem profile/)

      // Completeness comes before any breakdown, so nobody reads one without it.
      const headings = (await page.getByRole('heading', { level: 2 }).allInnerTexts()).map(x => x.trim())
      assert.ok(headings.indexOf('Data completeness') >= 0, headings.join(' | '))
      assert.ok(headings.indexOf('Data completeness') < headings.indexOf('Referrals'), 'completeness first')
      assert.equal(await page.getByTestId('completeness').count(), 1)
      // Every table says what it counts.
      const tables = page.locator('table.govuk-table')
      const n = await tables.count()
      assert.ok(n >= 6, `${n} tables`)
      for (let i = 0; i < n; i++) assert.ok((await tables.nth(i).locator('caption').innerText()).trim().length > 0, `table ${i} has a caption`)
      // Counts only: no link to any child's or person's record.
      assert.equal(await page.locator('a[href^="/children/"], a[href^="/entities/"]').count(), 0)

      // An impossible date: the error summary, the field marked, what was typed kept.
      await page.locator('#from-day').fill('31')
      await page.locator('#from-month').fill('2')
      await page.locator('#from-year').fill('2026')
      await s.clickAndCheck(page.getByRole('button', { name: 'Show the figures' }), 'problem profile, a mistake')
      assert.equal(await s.status(), 422)
      await assertErrorPattern(page)
      assert.equal(await page.locator('#from-day').inputValue(), '31')
      if (javaScript) await assertSummaryLinksFocus(s)

      // A good period.
      await page.locator('#from-day').fill('1')
      await page.locator('#from-month').fill('1')
      await page.locator('#from-year').fill('2026')
      await s.clickAndCheck(page.getByRole('button', { name: 'Show the figures' }), 'problem profile, a period')
      assert.equal(await s.status(), 200)
      assert.equal(new URL(page.url()).searchParams.get('from-year'), '2026')
      assert.deepEqual(s.errors, [])
      await s.signOut()

      // The analyst reads it as well; a teacher may not.
      await s.signIn('analyst')
      await s.goto('/reports/problem-profile', 'problem profile as the analyst')
      assert.equal(await s.status(), 200)
      await s.signOut()
      await s.signIn('teacher')
      assert.equal(await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Problem profile' }).count(), 0)
      await s.goto('/reports/problem-profile', 'problem profile refused')
      assert.equal(await s.status(), 403)
      s.assertAllChecked()
    } finally {
      await s.close()
    }
  })
}
