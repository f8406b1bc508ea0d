// Identity resolution in the browser, every page checked with axe: a MASH
// worker records, through the Record a child form, two children who are
// already in the demo borough (one with a slip in the surname, one under a
// nickname; same date of birth, gender and postcode, read from the demo
// child's own record).  The Possible duplicates page lists each pair with
// its likelihood and a field-by-field explanation.  One pair is "not the
// same child" and leaves the queue; the other is merged, keeping the demo
// record: the kept record names the merge, the merged one points to the
// kept one and is no longer found by a search.  A manager undoes the merge
// and both records stand apart again, the pair back in the queue.  A
// referrer is refused the page.  With JavaScript on and off, each run with
// users of its own (so no other file's authenticator codes are used).

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { newSession, addUser, fillDate, assertErrorPattern, assertSummaryLinksFocus } from './lib.mjs'

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October',
  'November', 'December']

// Surnames of the demo borough not used by the other files' searches, so
// the children recorded here never turn up as someone else's first result.
const SURNAMES = ['Turner', 'Jackson', 'Thomas', 'Ward', 'Hill', 'Hirst', 'Stringer', 'Malik', 'Mahmood', 'Hassan',
  'Popescu', 'Horvath', 'Bailey', 'Atkinson', 'Osei', 'Karimi', 'Okafor', 'Gabor', 'Lakatos', 'Hoque', 'Rahimi']

// The shipped nickname table: full name (lower case) -> its nicknames.
const NICKNAMES = new Map()
for (const line of readFileSync(new URL('../../config/nicknames.csv', import.meta.url), 'utf8').split('\n')) {
  const [group, name] = line.trim().split(',')
  if (!group || !name || group.startsWith('#') || group === 'group') continue
  if (!NICKNAMES.has(group)) NICKNAMES.set(group, [])
  NICKNAMES.get(group).push(name)
}

// Ids of the children this file has used or made, so neither run uses one twice.
const used = new Set()

function capitalise (s) { return s.charAt(0).toUpperCase() + s.slice(1) }

// NAME with two letters in its middle swapped: a typing slip.
function slip (name) {
  for (let i = 1; i + 2 < name.length; i++) {
    if (name[i] !== name[i + 1]) return name.slice(0, i) + name[i + 1] + name[i] + name.slice(i + 2)
  }
  assert.fail(`no slip to make in ${name}`)
}

// The main navigation's link NAME.
function nav (page, name) {
  return page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true })
}

// The value of the summary list row KEY inside SCOPE.
async function row (scope, key) {
  const r = scope.locator('.govuk-summary-list__row', { has: scope.page().locator('dt', { hasText: new RegExp(`^${key}$`) }) })
  assert.equal(await r.count(), 1, `one "${key}" row`)
  return (await r.locator('dd').innerText()).trim()
}

// "27 August 2010" as [27, 8, 2010].
function parseLongDate (text) {
  const m = /^(\d{1,2}) ([A-Z][a-z]+) (\d{4})$/.exec(text)
  assert.ok(m && MONTHS.includes(m[2]), `a date: ${text}`)
  return [Number(m[1]), MONTHS.indexOf(m[2]) + 1, Number(m[3])]
}

// Searches the demo surnames and opens the record of the first child not yet
// used whose date of birth and postcode are known and who passes ACCEPT
// (given the first name); returns its details as the record page shows them.
async function openDemoChild (s, accept) {
  const { page } = s
  for (const surname of SURNAMES) {
    await s.clickAndCheck(nav(page, 'Children'), 'find a child')
    await page.getByLabel('Name, date of birth, postcode or NHS number').fill(surname)
    await s.clickAndCheck(page.getByRole('button', { name: 'Search' }), `search ${surname}`)
    const rows = page.getByTestId('search-results').locator('tbody tr')
    for (let i = 0; i < await rows.count(); i++) {
      const cells = (await rows.nth(i).locator('th, td').allInnerTexts()).map(t => t.trim())
      const href = await rows.nth(i).getByRole('link').getAttribute('href')
      const id = href.split('/').pop()
      const [first, last] = cells[0].split(' ')
      if (used.has(id) || last !== surname || cells[1] === 'Not known' || cells[2] === 'Not known' || !accept(first)) continue
      await s.clickAndCheck(rows.nth(i).getByRole('link'), `demo child ${cells[0]}`)
      assert.equal(s.path(), `/children/${id}`)
      assert.equal(await page.getByTestId('child-id').innerText(), id)
      assert.equal(await page.getByTestId('child-name').innerText(), `${first} ${last}`)
      const details = page.getByTestId('child-details')
      const child = {
        id,
        first,
        last,
        born: await row(details, 'Date of birth'),
        gender: await row(details, 'Gender'),
        postcode: await row(details, 'Postcode'),
        otherNames: await row(details, 'Other names')
      }
      assert.equal(child.born, cells[1], 'the record and the search agree on the date of birth')
      assert.equal(child.postcode, cells[2], 'the record and the search agree on the postcode')
      used.add(id)
      return child
    }
  }
  assert.fail('no demo child fits')
}

// Records, through the Record a child form, a child with FIRST and LAST
// and the date of birth, gender and postcode of DEMO; returns the new id.
async function recordChild (s, demo, first, last) {
  const { page } = s
  await s.clickAndCheck(nav(page, 'Children'), 'find a child')
  await s.clickAndCheck(page.getByRole('link', { name: 'Record a child who is not found' }), 'record a child')
  assert.equal(s.path(), '/children/new')
  await page.getByLabel('First name').fill(first)
  await page.getByLabel('Last name').fill(last)
  await fillDate(page, 'date_of_birth', ...parseLongDate(demo.born))
  await page.getByLabel('Gender').selectOption({ label: demo.gender })
  await page.getByLabel('Ethnicity').selectOption({ label: 'Information not yet obtained' })
  await page.getByLabel('Postcode (optional)').fill(demo.postcode)
  await page.locator('#looked_after-2').check()
  await s.clickAndCheck(page.getByRole('button', { name: 'Save' }), `recorded ${first} ${last}`)
  assert.match(s.path(), /^\/children\/[^/]+$/)
  assert.equal(await page.locator('.govuk-notification-banner__heading').innerText(), 'The child has been recorded')
  assert.equal(await page.getByTestId('child-name').innerText(), `${first} ${last}`)
  const id = await page.getByTestId('child-id').innerText()
  assert.notEqual(id, demo.id)
  used.add(id)
  return id
}

// The pair of the queue holding child ID.
function pairOf (page, id) {
  return page.locator('.app-duplicate', { hasText: id })
}

// Checks the pair of DEMO and the child NEWID: both records described, the
// likelihood at or above the queue's threshold, and the explanation of each
// detail; returns which side ('a' or 'b') is the demo record and the
// explanation as {field: level}.
async function checkPair (page, demo, newId, newName) {
  const pair = pairOf(page, newId)
  assert.equal(await pair.count(), 1, `the queue lists the pair of ${newName} once`)
  // The heading names both children, so that pairs can be told apart by heading.
  const heading = (await pair.getByRole('heading', { level: 2 }).innerText()).trim()
  assert.ok(heading.includes(`${demo.first} ${demo.last}`) && heading.includes(newName), `the heading names both: ${heading}`)
  const likely = (await pair.locator('p.govuk-body').first().innerText()).trim()
  const m = /^(?:(\d{1,3}\.\d)%|More than 99\.9%) likely to be the same child\.$/.exec(likely)
  assert.ok(m, `the pair gives its likelihood: ${likely}`)
  assert.ok(m[1] === undefined || (Number(m[1]) >= 90 && Number(m[1]) <= 99.9), `likely enough to be queued, never rounded to certainty: ${likely}`)

  const sides = pair.locator('.govuk-grid-column-one-half')
  assert.deepEqual((await sides.locator('h3').allInnerTexts()).map(t => t.trim()), ['Record A', 'Record B'])
  const ids = [await row(sides.nth(0), 'Safehub ID'), await row(sides.nth(1), 'Safehub ID')]
  assert.deepEqual([...ids].sort(), [demo.id, newId].sort(), 'the pair is the demo child and the new one')
  const demoSide = ids[0] === demo.id ? 0 : 1
  const d = sides.nth(demoSide)
  const n = sides.nth(1 - demoSide)
  assert.equal(await row(d, 'Name'), `${demo.first} ${demo.last}`)
  assert.equal(await row(n, 'Name'), newName)
  for (const side of [d, n]) {
    assert.equal(await row(side, 'Date of birth'), demo.born)
    assert.equal(await row(side, 'Postcode'), demo.postcode)
  }
  assert.equal(await d.getByRole('link', { name: `Open this record (Record ${demoSide ? 'B' : 'A'})` }).getAttribute('href'),
    `/children/${demo.id}`)

  // The explanation is folded away until asked for.
  const why = pair.locator('details')
  assert.equal(await why.getAttribute('open'), null)
  await why.locator('summary', { hasText: 'Why they may be the same child' }).click()
  assert.notEqual(await why.getAttribute('open'), null)
  const table = why.locator('table')
  assert.equal(await table.locator('caption').innerText(), 'How each detail compares')
  assert.deepEqual((await table.locator('thead th').allInnerTexts()).map(t => t.trim()), ['Detail', 'How they compare', 'Weight'])
  const explained = {}
  for (const tr of await table.locator('tbody tr').all()) {
    const field = (await tr.locator('th').innerText()).trim()
    const [level, weight] = (await tr.locator('td').allInnerTexts()).map(t => t.trim())
    assert.match(weight, /^[+-]\d+\.\d$/, `the weight of ${field}`)
    explained[field] = { level, weight: Number(weight) }
  }
  for (const field of ['Date of birth', 'Postcode']) {
    assert.equal(explained[field]?.level, 'exact', `${field} is the same in both records`)
    assert.ok(explained[field].weight > 0, `the same ${field} counts towards a match`)
  }
  return { keep: demoSide ? 'B' : 'A', explained }
}

for (const run of [
  { javaScript: true, suffix: 'js', mash: 'Rehana Dulwich', manager: 'Gareth Pinfold', referrer: 'Owen Treacy' },
  { javaScript: false, suffix: 'nojs', mash: 'Siobhan Marsh', manager: 'Helena Crabtree', referrer: 'Tobias Quill' }
]) {
  test(`duplicates: record a child already known, decide "not the same", merge, undo as a manager; a referrer is refused (JavaScript ${run.javaScript ? 'on' : 'off'})`, { timeout: 200000 }, async () => {
    const mashUser = `mash.dup.${run.suffix}`
    const managerUser = `manager.dup.${run.suffix}`
    const referrerUser = `referrer.dup.${run.suffix}`
    const mashPass = addUser({ username: mashUser, name: run.mash, agency: 'HFCSC', role: 'mash' })
    const managerPass = addUser({ username: managerUser, name: run.manager, agency: 'HFCSC', role: 'manager' })
    const referrerPass = addUser({ username: referrerUser, name: run.referrer, agency: 'HFEDU', role: 'referrer' })
    const s = await newSession({ javaScript: run.javaScript })
    try {
      const { page } = s
      assert.equal(await s.signIn(mashUser, mashPass), 'enrol')

      // Two demo children, read from their records: one to record again
      // with a slip in the surname, one under a nickname.
      const slipped = await openDemoChild(s, () => true)
      const nicknamed = await openDemoChild(s, first => NICKNAMES.has(first.toLowerCase()))
      const slipName = [slipped.first, slip(slipped.last)]
      const nickName = [capitalise(NICKNAMES.get(nicknamed.first.toLowerCase())[0]), nicknamed.last]
      const slipId = await recordChild(s, slipped, ...slipName)
      const nickId = await recordChild(s, nicknamed, ...nickName)

      // The queue lists both pairs, each explained.
      await s.clickAndCheck(nav(page, 'Possible duplicates'), 'possible duplicates')
      assert.equal(s.path(), '/duplicates')
      assert.equal(await page.title(), 'Possible duplicates – Safehub')
      assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Possible duplicates')
      assert.equal(await nav(page, 'Possible duplicates').getAttribute('aria-current'), 'page')
      const slipPair = await checkPair(page, slipped, slipId, slipName.join(' '))
      assert.equal(slipPair.explained['First name']?.level, 'exact')
      assert.ok(!['exact', 'different', 'missing'].includes(slipPair.explained['Last name']?.level),
        `the slipped surname is similar, not the same: ${slipPair.explained['Last name']?.level}`)
      const nickPair = await checkPair(page, nicknamed, nickId, nickName.join(' '))
      assert.equal(nickPair.explained['First name']?.level, 'nickname or variant')
      assert.equal(nickPair.explained['Last name']?.level, 'exact')

      // A decision without a choice or a reason is refused in the GOV.UK error pattern, on that pair,
      // keeping what was typed.
      let pair = pairOf(page, slipId)
      await pair.getByLabel('Reason').fill('Checked with the school')
      await s.clickAndCheck(pair.getByRole('button', { name: 'Save decision' }), 'decision without a choice')
      assert.equal(await s.status(), 422)
      await assertErrorPattern(page)
      await assertSummaryLinksFocus(s)
      pair = pairOf(page, slipId)
      assert.equal(await pair.getByLabel('Reason').inputValue(), 'Checked with the school', 'what was typed is kept')
      assert.match(await pair.locator('.govuk-error-message').innerText(), /Select what you decide/)

      // The first: not the same child.  The pair leaves the queue.
      await pair.getByLabel('They are not the same child').check()
      await pair.getByLabel('Reason').fill('Different school and GP: the school confirms these are two children.')
      await s.clickAndCheck(pair.getByRole('button', { name: 'Save decision' }), 'decided: not the same child')
      assert.equal(`${s.path()}${new URL(page.url()).search}`, '/duplicates?done=decided')
      assert.equal(await page.locator('.govuk-notification-banner').getByText('Your decision has been saved').count(), 1)
      assert.equal(await pairOf(page, slipId).count(), 0, 'a pair decided "not the same child" leaves the queue')
      assert.equal(await pairOf(page, nickId).count(), 1, 'the other pair is still waiting')

      // The second: the same child, merged into the demo record, which is kept.
      pair = pairOf(page, nickId)
      const other = nickPair.keep === 'A' ? 'B' : 'A'
      await pair.getByLabel(`The same child: merge ${other} into ${nickPair.keep} (keep ${nickPair.keep})`).check()
      await pair.getByLabel('Reason').fill('Same date of birth and address; the nickname is on the school roll.')
      await s.clickAndCheck(pair.getByRole('button', { name: 'Save decision' }), 'decided: merged')
      assert.equal(`${s.path()}${new URL(page.url()).search}`, '/duplicates?done=merged')
      assert.equal(await page.locator('.govuk-notification-banner').getByText('The records have been merged').count(), 1)
      assert.equal(await pairOf(page, nickId).count(), 0, 'a merged pair leaves the queue')

      // The kept record names the merge and takes the other name as an alias;
      // MASH cannot undo it.
      await s.goto(`/children/${nicknamed.id}`, 'kept record')
      assert.equal(await page.getByTestId('child-name').innerText(), `${nicknamed.first} ${nicknamed.last}`)
      const keptWarning = page.locator('main .govuk-warning-text')
      assert.equal(await keptWarning.count(), 1)
      assert.match((await keptWarning.innerText()).replace(/\s+/g, ' '),
        new RegExp(`Record ${nickId} was merged into this one by ${mashUser.replace(/\./g, '\\.')}\\.$`))
      assert.match(await row(page.getByTestId('child-details'), 'Other names'), new RegExp(nickName.join(' ')))
      assert.equal(await page.getByRole('button', { name: 'Undo this merge' }).count(), 0, 'only a manager may undo a merge')

      // The merged record points to the kept one.
      await s.goto(`/children/${nickId}`, 'merged record')
      assert.equal(await page.getByTestId('child-name').innerText(), nickName.join(' '))
      const mergedWarning = page.locator('main .govuk-warning-text')
      assert.equal(await mergedWarning.count(), 1)
      assert.match(await mergedWarning.innerText(), new RegExp(`This record was merged into record ${nicknamed.id}\\. Work on that record\\.`))
      await s.clickAndCheck(mergedWarning.getByRole('link', { name: `record ${nicknamed.id}` }), 'to the kept record')
      assert.equal(s.path(), `/children/${nicknamed.id}`)

      // A search no longer finds the merged record, only the kept one.
      await s.clickAndCheck(nav(page, 'Children'), 'find a child')
      await page.getByLabel('Name, date of birth, postcode or NHS number').fill(nicknamed.last)
      await s.clickAndCheck(page.getByRole('button', { name: 'Search' }), 'search after the merge')
      let results = page.getByTestId('search-results')
      assert.equal(await results.locator(`a[href="/children/${nickId}"]`).count(), 0, 'the merged record is not found')
      assert.equal(await results.locator(`a[href="/children/${nicknamed.id}"]`).count(), 1, 'the kept record is found')
      await s.signOut()

      // A manager undoes the merge, from the kept record.
      assert.equal(await s.signIn(managerUser, managerPass), 'enrol')
      await s.goto(`/children/${nicknamed.id}`, 'kept record (manager)')
      assert.match(await page.locator('main .govuk-warning-text').innerText(), new RegExp(`Record ${nickId} was merged into this one`))
      await s.clickAndCheck(page.getByRole('button', { name: 'Undo this merge' }), 'merge undone')
      assert.equal(s.path(), `/children/${nickId}`, 'undoing leads to the record that was merged')
      assert.equal(await s.status(), 200)
      assert.equal(await page.getByTestId('child-name').innerText(), nickName.join(' '))
      assert.equal(await page.locator('main .govuk-warning-text').count(), 0, 'the record is no longer marked merged')
      assert.equal(await page.getByRole('button', { name: 'Undo this merge' }).count(), 0)

      // Both records stand apart again: the kept one loses the alias the merge added.
      await s.goto(`/children/${nicknamed.id}`, 'kept record after the undo')
      assert.equal(await page.locator('main .govuk-warning-text').count(), 0, 'the kept record no longer names the merge')
      assert.equal(await page.getByRole('button', { name: 'Undo this merge' }).count(), 0)
      assert.equal(await row(page.getByTestId('child-details'), 'Other names'), nicknamed.otherNames)

      await s.clickAndCheck(nav(page, 'Children'), 'find a child')
      await page.getByLabel('Name, date of birth, postcode or NHS number').fill(nicknamed.last)
      await s.clickAndCheck(page.getByRole('button', { name: 'Search' }), 'search after the undo')
      results = page.getByTestId('search-results')
      assert.equal(await results.getByRole('link', { name: nickName.join(' '), exact: true }).getAttribute('href'), `/children/${nickId}`)
      assert.equal(await results.locator(`a[href="/children/${nicknamed.id}"]`).count(), 1)

      // The pair is waiting in the queue again; the one decided "not the same" is not.
      await s.clickAndCheck(nav(page, 'Possible duplicates'), 'possible duplicates (manager)')
      assert.equal(await pairOf(page, nickId).count(), 1, 'after an undo the pair can be decided again')
      assert.equal(await pairOf(page, slipId).count(), 0)
      await s.signOut()

      // A referrer is refused the queue, and is not offered it.
      await s.signIn(referrerUser, referrerPass)
      assert.equal(await nav(page, 'Possible duplicates').count(), 0)
      const resp = await s.goto('/duplicates', 'duplicates refused')
      assert.equal(resp.status(), 403)
      assert.equal(await page.title(), 'You do not have permission to see this page – Safehub')
      assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'You do not have permission to see this page')
      assert.match(await page.locator('main').innerText(), /signed in with the role: Referrer/)
      assert.equal(await page.locator('.app-duplicate').count(), 0, 'no pair is shown to a referrer')
      s.assertAllChecked()
    } finally {
      await s.close()
    }
  })
}
