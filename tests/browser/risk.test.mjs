// The CSE risk assessment in the browser, with JavaScript on and off: a
// social worker opens a child's Risk tab, makes mistakes on the assessment
// form (GOV.UK error summary in page order, links to the fields, typed
// values kept), is told that a lower level than the tool's needs a manager,
// names one and saves; the page shows the child's words first, the level in
// force (the tool's, while the lowering waits), the history chart with its
// table, and the assessment's indicators.  The manager finds the request in
// their notifications, countersigns it, sees the lower level in force, and
// finds the child on the risk overview.  Every page passes axe.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { newSession, password, addUser, searchForAnyChild, assertErrorPattern, errorSummary, assertSummaryLinksFocus } from './lib.mjs'

const runs = [
  { javaScript: true, manager: 'manager', managerName: 'Martin Firth' },
  { javaScript: false, manager: 'risk.manager.nojs', managerName: 'Rhona Keswick' }
]

for (const run of runs) {
  test(`risk: an assessment with a lowering, countersigned by a manager (JavaScript ${run.javaScript ? 'on' : 'off'})`, { timeout: 200000 }, async () => {
    const managerPass = run.manager === 'manager'
      ? password('manager')
      : addUser({ username: run.manager, name: run.managerName, agency: 'HFCSC', role: 'manager' })
    const s = await newSession({ javaScript: run.javaScript })
    try {
      const { page } = s
      await s.signIn('social.worker')
      await s.clickAndCheck(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Children' }), 'find')
      const { link } = await searchForAnyChild(s)
      await s.clickAndCheck(link, 'record')
      const childId = await page.getByTestId('child-id').innerText()
      const childName = await page.getByTestId('child-name').innerText()
      await s.clickAndCheck(page.getByRole('navigation', { name: 'About this child' }).getByRole('link', { name: 'Risk' }), 'risk tab')
      assert.equal(s.path(), `/children/${childId}/risk`)
      assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Risk of sexual exploitation')
      assert.equal(await page.title(), 'Risk of sexual exploitation – Safehub')
      assert.equal(await page.getByRole('link', { name: 'Risk', exact: true }).getAttribute('aria-current'), 'page')
      const form = page.getByTestId('risk-form')
      // The indicators are listed by group, each with its guidance.
      for (const group of ['Vulnerabilities', 'Moderate risk indicators', 'Significant risk indicators']) {
        assert.equal(await form.getByRole('group', { name: group }).count(), 1, group)
      }
      assert.equal(await form.getByRole('checkbox').count(), 35 + 4, '35 indicators and 4 exploitation types')

      // First attempt: three significant indicators, one without evidence; the child's view not answered;
      // a lower level with no reasons.
      for (const label of ['Repeated missing episodes', 'Relationship with a controlling or much older adult', 'Getting into or out of cars driven by unknown adults']) {
        await form.getByRole('checkbox', { name: label, exact: true }).check()
      }
      await page.getByLabel('Evidence for Repeated missing episodes').fill('Missing overnight three times in October.')
      await page.getByLabel('Evidence for Getting into or out of cars driven by unknown adults').fill('Seen getting into a silver car outside school.')
      await form.getByRole('radio', { name: 'Low risk' }).check()
      await s.clickAndCheck(page.getByRole('button', { name: 'Save the assessment' }), 'risk: mistakes')
      assert.equal(await s.status(), 422)
      let summary = await assertErrorPattern(page)
      assert.deepEqual(summary.items.map(i => i.href), ['#evidence-S02', '#childs_view', '#judgement_rationale'])
      assert.deepEqual(summary.items.map(i => i.text), [
        'Enter the evidence for Relationship with a controlling or much older adult',
        "Select yes if the child's own view was gathered",
        'Enter the reasons for your judgement'
      ])
      await assertSummaryLinksFocus(s)
      // What was typed is kept.
      assert.equal(await page.getByLabel('Evidence for Repeated missing episodes').inputValue(), 'Missing overnight three times in October.')
      assert.ok(await form.getByRole('checkbox', { name: 'Getting into or out of cars driven by unknown adults', exact: true }).isChecked())
      assert.ok(await form.getByRole('radio', { name: 'Low risk' }).isChecked())

      // Second attempt: everything but the manager who will countersign.
      await page.getByLabel('Evidence for Relationship with a controlling or much older adult').fill('Boyfriend aged 24 collects her from school.')
      await page.locator('#childs_view').check()
      await page.getByLabel('If yes: the child’s own words').fill("He's my boyfriend, he looks after me.\nI'm not a kid.")
      await form.getByRole('checkbox', { name: 'Peer exploitation' }).check()
      await page.getByLabel('Reasons for your judgement').fill('The adult is known to the family and a safety plan is in place.')
      await s.clickAndCheck(page.getByRole('button', { name: 'Save the assessment' }), 'risk: no countersigner')
      assert.equal(await s.status(), 422)
      summary = await errorSummary(page)
      assert.deepEqual(summary.items.map(i => i.href), ['#countersign_by'])
      assert.match(summary.items[0].text, /needs a manager's countersignature/)
      await assertErrorPattern(page)

      // Third attempt: name the manager.
      await page.getByLabel('Manager who will countersign a lower level').selectOption(run.manager)
      await s.clickAndCheck(page.getByRole('button', { name: 'Save the assessment' }), 'risk: saved')
      assert.equal(s.path(), `/children/${childId}/risk`)
      assert.match(await page.locator('.govuk-notification-banner').innerText(), /The risk assessment has been saved/)
      // The child's own words come first, line breaks kept.
      const words = page.getByTestId('childs-words')
      assert.equal(await words.innerText(), "He's my boyfriend, he looks after me.\nI'm not a kid.")
      const firstHeading = await page.locator('main h2:not(.govuk-notification-banner__title)').first().innerText()
      assert.equal(firstHeading, 'In the child’s words')
      // The tool's level stays in force until the manager decides.
      assert.equal(await page.getByTestId('risk-level').innerText(), 'Medium risk')
      const current = await page.getByTestId('risk-summary').innerText()
      assert.match(current, /The tool's level\s+Medium risk, from a score of 15/)
      assert.match(current, new RegExp(`Waiting for ${run.managerName}\\. Until then the tool's level stays in force\\.`))
      assert.match(current, /Type of exploitation\s+Peer exploitation/)
      // The history: a chart described for screen readers, and its figures in a table beside it.
      const chart = page.getByRole('img', { name: 'Risk level in force at each assessment' })
      assert.equal(await chart.count(), 1)
      const rows = await page.getByTestId('risk-history-table').locator('tbody tr').count()
      assert.ok(rows >= 1)
      assert.match(await page.getByTestId('risk-history-table').locator('tbody tr').last().innerText(), /15\s+Medium risk/)
      // The indicators and evidence on the assessment's own page.
      await s.clickAndCheck(page.getByRole('link', { name: 'See the indicators and evidence of this assessment' }), 'assessment')
      const assessmentPath = s.path()
      assert.match(assessmentPath, new RegExp(`^/children/${childId}/risk/ra_[a-z0-9]{20}$`))
      const table = await page.getByTestId('risk-indicators').innerText()
      assert.match(table, /Repeated missing episodes[\s\S]*Missing overnight three times in October\./)
      assert.match(table, /Boyfriend aged 24 collects her from school\./)
      // A social worker cannot countersign.
      assert.equal(await page.getByRole('button', { name: 'Record the decision' }).count(), 0)
      await s.signOut()

      // The manager: the request is in their notifications, naming the assessment and not the child.
      await s.signIn(run.manager, managerPass)
      await s.clickAndCheck(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Notifications' }), 'notifications')
      const request = page.getByRole('link', { name: /Countersignature requested: a lower CSE risk level in assessment ra_/ }).first()
      assert.doesNotMatch(await request.innerText(), new RegExp(childName.split(' ')[0]))
      await s.clickAndCheck(request, 'countersign')
      assert.equal(s.path(), assessmentPath)
      await s.clickAndCheck(page.getByRole('button', { name: 'Record the decision' }), 'countersign: mistake')
      assert.equal(await s.status(), 422)
      summary = await assertErrorPattern(page)
      assert.deepEqual(summary.items.map(i => i.href), ['#decision'])
      await page.getByRole('radio', { name: 'Agree: Low risk comes into force' }).check()
      await page.getByLabel('Your comments').fill('Discussed in supervision; agreed.')
      await s.clickAndCheck(page.getByRole('button', { name: 'Record the decision' }), 'countersigned')
      assert.match(await page.locator('.govuk-notification-banner').innerText(), /The decision has been recorded/)
      assert.equal(await page.getByTestId('risk-level').innerText(), 'Low risk')
      assert.match(await page.getByTestId('risk-summary').innerText(), new RegExp(`Agreed by ${run.managerName} on \\d{1,2} [A-Z][a-z]+ \\d{4}: Discussed in supervision; agreed\\.`))

      // The risk overview lists the child among levels changed by judgement.
      const nav = page.getByRole('navigation', { name: 'Main' })
      await s.clickAndCheck(nav.getByRole('link', { name: 'Risk overview' }), 'risk overview')
      assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Risk overview')
      const byLevel = await page.getByTestId('risk-by-level').innerText()
      assert.match(byLevel, /No apparent risk[\s\S]*Low risk[\s\S]*Medium risk[\s\S]*High risk/)
      const judged = page.getByTestId('judged-table')
      assert.ok(await judged.getByRole('link', { name: childName }).count() >= 1, 'the child is listed')
      await s.clickAndCheck(judged.getByRole('link', { name: childName }).first(), 'back to the child')
      assert.equal(s.path(), `/children/${childId}/risk`)
      s.assertAllChecked()
    } finally {
      await s.close()
    }
  })
}
