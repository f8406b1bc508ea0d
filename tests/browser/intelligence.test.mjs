// Intelligence and networks in the browser, with JavaScript on and off.  A
// police officer (on) or a CSE worker (off) records a vehicle with a mistake
// first (error summary linking to the field, typed values kept), corrects
// it, records it again with the registration typed differently and is taken
// to the record already there; records a person with both ethnicities and a
// nationality ("Not known" shown in words); records intelligence graded 2C
// with handling conditions that links them, meeting the conditions' and a
// bad link row's errors first; sees the conditions on the item, on the
// person's record and on the network's links; finds both on the network
// around the person, where with JavaScript on the link chart is drawn
// (a canvas in the chart's container, no CSP or script error) and with it
// off the chart's section stays hidden; and finds the two as a group of the
// whole network.  A teacher (a referrer) is refused /intelligence.  The demo
// may hold intelligence of its own: nothing here depends on it, and every
// record is made through the pages with names and a registration of its own.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { newSession, assertErrorPattern, assertSummaryLinksFocus } from './lib.mjs'

const runs = [
  { javaScript: true, user: 'police' },
  { javaScript: false, user: 'cse.worker' }
]

// Letters drawn at random, so that each run's vehicle and person are new.
function letters (n) {
  const alphabet = 'ABCDEFGHJKLMNPRSTUVWXYZ'
  return [...randomBytes(n)].map(b => alphabet[b % alphabet.length]).join('')
}

// A registration in the current British format (two letters, two digits, three letters).
function registration () {
  const digits = [...randomBytes(2)].map(b => String(b % 10)).join('')
  return `${letters(2)}${digits}${letters(3)}`
}

const CONDITIONS = 'Share only with the CSE team and police; not with the family.'

for (const run of runs) {
  test(`intelligence: entities, graded intelligence with conditions, the network (JavaScript ${run.javaScript ? 'on' : 'off'})`, { timeout: 200000 }, async () => {
    const s = await newSession({ javaScript: run.javaScript })
    try {
      const { page } = s
      await s.signIn(run.user)
      const nav = page.getByRole('navigation', { name: 'Main' })
      await s.clickAndCheck(nav.getByRole('link', { name: 'Intelligence' }), 'intelligence')
      assert.equal(s.path(), '/intelligence')
      assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Intelligence')

      // A vehicle: a registration that is not one first.
      await s.clickAndCheck(page.getByRole('button', { name: 'Record a person, vehicle, phone, place or account' }), 'what are you recording')
      assert.equal(s.path(), '/entities/new')
      await page.getByRole('radio', { name: 'Vehicle' }).check()
      await s.clickAndCheck(page.getByRole('button', { name: 'Continue' }), 'vehicle form')
      assert.equal(new URL(page.url()).search, '?type=vehicle')
      assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Record a vehicle')
      await page.getByLabel('Registration').fill('A!')
      await page.getByLabel('Make (optional)').fill('Ford')
      await page.getByLabel('Model (optional)').fill('Focus')
      await s.clickAndCheck(page.getByRole('button', { name: 'Save' }), 'vehicle: mistake')
      assert.equal(await s.status(), 422)
      let summary = await assertErrorPattern(page)
      assert.deepEqual(summary.items.map(i => i.href), ['#registration'])
      assert.match(summary.items[0].text, /^Registration /)
      await assertSummaryLinksFocus(s)
      assert.equal(await page.getByLabel('Make (optional)').inputValue(), 'Ford', 'what was typed is kept')
      assert.equal(await page.getByLabel('Registration').inputValue(), 'A!')
      const reg = registration()
      await page.getByLabel('Registration').fill(reg)
      await s.clickAndCheck(page.getByRole('button', { name: 'Save' }), 'vehicle recorded')
      assert.match(s.path(), /^\/entities\/en_[a-z0-9]+$/)
      assert.match(await page.locator('.govuk-notification-banner').innerText(), /The vehicle has been recorded/)
      const vehicleId = await page.getByTestId('entity-id').innerText()
      const vehicleLabel = await page.getByTestId('entity-label').innerText()
      assert.equal(s.path(), `/entities/${vehicleId}`)
      assert.match(vehicleLabel, /Ford/)
      assert.match(await page.getByTestId('entity-details').innerText(), new RegExp(`Registration\\s+${reg}`))

      // The same vehicle again, typed in lower case with a space: its record is shown, nothing new is made.
      await s.goto('/entities/new?type=vehicle', 'vehicle form again')
      await page.getByLabel('Registration').fill(`${reg.slice(0, 4).toLowerCase()} ${reg.slice(4).toLowerCase()}`)
      await s.clickAndCheck(page.getByRole('button', { name: 'Save' }), 'vehicle already recorded')
      assert.equal(s.path(), `/entities/${vehicleId}`)
      assert.match(await page.locator('.govuk-notification-banner').innerText(), /This vehicle was already recorded/)

      // A person, with ethnicity as they describe it not known, as an officer sees it, and nationality.
      const lastName = `Vantresk${letters(5).toLowerCase()}`
      await s.goto('/entities/new?type=person', 'person form')
      assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Record a person')
      await page.getByLabel('First name (optional)').fill('Kieran')
      await page.getByLabel('Last name (optional)').fill(lastName)
      await page.getByLabel('Approximate age (optional)').fill('34')
      await page.getByRole('radio', { name: 'Male', exact: true }).check()
      await page.getByLabel('Self-defined ethnicity').selectOption('not_known')
      await page.getByLabel('Officer-observed ethnicity').selectOption('IC1')
      await page.getByLabel('Nationality').selectOption('GB')
      await s.clickAndCheck(page.getByRole('button', { name: 'Save' }), 'person recorded')
      assert.match(await page.locator('.govuk-notification-banner').innerText(), /The person has been recorded/)
      const personId = await page.getByTestId('entity-id').innerText()
      const personLabel = await page.getByTestId('entity-label').innerText()
      assert.match(personLabel, new RegExp(lastName))
      assert.equal(await page.getByTestId('ethnicity-self').innerText(), 'Not known')
      assert.equal(await page.getByTestId('ethnicity-observed').innerText(), 'White - North European (IC1)')
      assert.equal(await page.getByTestId('nationality').innerText(), 'United Kingdom (GB)')
      assert.match(await page.getByTestId('entity-details').innerText(), /Age\s+About 34/)

      // Intelligence about the person, graded 2C: handling C without its conditions, and a link to nothing, first.
      await s.clickAndCheck(page.getByRole('link', { name: 'Record intelligence about this person' }), 'intelligence form')
      assert.equal(s.path(), '/intelligence/new')
      assert.equal(await page.locator('#links-0-from').inputValue(), personId, 'the first link starts from the person')
      const summaryText = `Seen driving a Ford Focus, ${reg}, outside Holmford Academy at 15:20.\nTwo girls got in.`
      await page.getByLabel('What is the intelligence?').fill(summaryText)
      await page.getByRole('group', { name: 'Source evaluation', exact: true }).getByRole('radio', { name: /^2: / }).check()
      await page.getByRole('group', { name: 'Intelligence assessment', exact: true }).getByRole('radio', { name: /^C: / }).check()
      await page.getByRole('group', { name: 'Handling code', exact: true }).getByRole('radio', { name: /^C: / }).check()
      await page.locator('#links-0-relation').selectOption('drives')
      await page.locator('#links-0-to').fill(vehicleId)
      await page.locator('#links-1-from').fill(personId)
      await page.locator('#links-1-relation').selectOption('uses')
      await page.locator('#links-1-to').fill('en_norecordhasthisid0')
      await s.clickAndCheck(page.getByRole('button', { name: 'Save the intelligence' }), 'intelligence: mistakes')
      assert.equal(await s.status(), 422)
      summary = await assertErrorPattern(page)
      assert.deepEqual(summary.items.map(i => i.href), ['#handling_conditions', '#links-1-to'])
      assert.match(summary.items[0].text, /handling conditions/i)
      assert.match(summary.items[1].text, /^Link 2: /)
      await assertSummaryLinksFocus(s)
      assert.equal(await page.getByLabel('What is the intelligence?').inputValue(), summaryText, 'the summary is kept')
      assert.equal(await page.locator('#links-0-to').inputValue(), vehicleId)
      assert.ok(await page.getByRole('group', { name: 'Handling code', exact: true }).getByRole('radio', { name: /^C: / }).isChecked())
      await page.getByLabel('Handling conditions').fill(CONDITIONS)
      await page.locator('#links-1-from').fill('')
      await page.locator('#links-1-relation').selectOption('')
      await page.locator('#links-1-to').fill('')
      await s.clickAndCheck(page.getByRole('button', { name: 'Save the intelligence' }), 'intelligence recorded')
      assert.match(s.path(), /^\/intelligence\/in_[a-z0-9]+$/)
      assert.match(await page.locator('.govuk-notification-banner').innerText(), /The intelligence has been recorded/)
      assert.match(await page.getByTestId('handling-conditions').innerText(), new RegExp(`Handling conditions: ${CONDITIONS}`))
      assert.equal(await page.getByTestId('grade').innerText(), '2C C')
      const grading = await page.getByTestId('intel-grading').innerText()
      assert.match(grading, /Source evaluation\s+2: \S/)
      assert.match(grading, /Handling code\s+C: \S/)
      assert.equal(await page.getByTestId('intel-summary').innerText(), summaryText, 'line breaks kept')
      const links = page.getByTestId('intel-links')
      assert.match(await links.innerText(), new RegExp(`${personLabel}\\s+drives\\s+${vehicleLabel.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`))

      // The person's record lists the item, with its conditions.
      await s.clickAndCheck(links.getByRole('link', { name: personLabel, exact: true }), 'person with intelligence')
      assert.equal(s.path(), `/entities/${personId}`)
      const card = page.getByTestId('intel-item').first()
      assert.match(await card.getByTestId('handling-conditions').innerText(), new RegExp(CONDITIONS))
      assert.equal(await card.getByTestId('grade').innerText(), '2C C')

      // The network around the person: both in the table of who is in it, the link with its conditions.
      await s.clickAndCheck(page.getByRole('link', { name: 'See the network around this person' }), 'network')
      assert.equal(s.path(), '/network')
      assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), `Network around ${personLabel}`)
      const nodes = page.getByTestId('network-nodes')
      assert.equal(await nodes.getByRole('rowheader', { name: personLabel, exact: true }).count(), 1)
      assert.equal(await nodes.getByRole('rowheader', { name: vehicleLabel, exact: true }).count(), 1)
      const edges = page.getByTestId('network-links')
      const edgeRow = edges.getByRole('row').filter({ hasText: vehicleLabel })
      assert.match(await edgeRow.innerText(), /drives/)
      assert.match(await edgeRow.innerText(), new RegExp(CONDITIONS))
      const chart = page.locator('#network-chart')
      if (run.javaScript) {
        await chart.locator('canvas').first().waitFor({ state: 'attached', timeout: 10000 })
        assert.ok(await chart.locator('canvas').count() > 0, 'the link chart is drawn on a canvas')
        assert.equal(await chart.getAttribute('data-drawn'), 'true')
        assert.ok(await page.getByTestId('network-chart-section').isVisible(), 'the chart is shown')
        assert.ok(await page.getByText('Person (circle)').isVisible(), 'the chart has a key')
        assert.deepEqual(s.errors, [], 'no CSP or script error while drawing the chart')
      } else {
        assert.equal(await page.getByTestId('network-chart-section').isVisible(), false, 'no empty chart without JavaScript')
      }
      // One step out finds the same two.
      await page.getByLabel('How many steps out').selectOption('1')
      await s.clickAndCheck(page.getByRole('button', { name: 'Show the network' }), 'network, one step')
      assert.equal(new URL(page.url()).searchParams.get('depth'), '1')
      assert.equal(await page.getByTestId('network-nodes').getByRole('rowheader', { name: vehicleLabel, exact: true }).count(), 1)

      // The two form a group of the whole network, the person its key person.
      await s.goto('/network/clusters?min_size=2', 'groups')
      const group = page.getByTestId('cluster').filter({ hasText: personLabel })
      assert.equal(await group.count(), 1, 'the pair is a group')
      assert.match(await group.innerText(), /Members\s+1 person, 1 vehicle\s/)
      assert.deepEqual(s.errors, [])
      await s.signOut()

      // A referrer may not see intelligence at all.
      await s.signIn('teacher')
      assert.equal(await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Intelligence' }).count(), 0)
      await s.goto('/intelligence', 'intelligence refused')
      assert.equal(await s.status(), 403)
      assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'You do not have permission to see this page')
      s.assertAllChecked()
    } finally {
      await s.close()
    }
  })
}
