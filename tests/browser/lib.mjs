// Shared helpers for the browser tests: launching Chromium through
// playwright-core, checking every page with axe, computing TOTP codes, and
// signing in as the demo borough's users.  tests/browser/run starts the
// server and passes its address and the demo logins in the environment.

import { createHash, createHmac, randomBytes } from 'node:crypto'
import { execFileSync } from 'node:child_process'
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import assert from 'node:assert/strict'
import { after } from 'node:test'
import { chromium } from 'playwright-core'
import { AxeBuilder } from '@axe-core/playwright'

// The server under test, set by tests/browser/run.
export const BASE = process.env.SAFEHUB_URL
const LOGINS = process.env.SAFEHUB_LOGINS
const STATE = process.env.SAFEHUB_BROWSER_STATE
const BIN = process.env.SAFEHUB_BIN
const DB = process.env.SAFEHUB_DB
const SHOTS = process.env.SAFEHUB_SCREENSHOTS

if (!BASE || !LOGINS || !STATE) {
  throw new Error('run the browser tests through tests/browser/run, which starts the server')
}

// Reads the demo logins file ("USERNAME PASSWORD ROLE AGENCY ...") into {username: {password, role, agency}}.
function readLogins () {
  const out = {}
  for (const line of readFileSync(LOGINS, 'utf8').split('\n')) {
    const cols = line.trim().split(/\s+/)
    if (cols.length < 4 || cols[0] === 'USERNAME') continue
    out[cols[0]] = { password: cols[1], role: cols[2], agency: cols[3] }
  }
  return out
}
export const logins = readLogins()

// The password of demo user NAME; fails loudly when the demo did not make it.
export function password (name) {
  const l = logins[name]
  assert.ok(l, `demo login ${name} is missing from ${LOGINS}`)
  return l.password
}

// Adds a user through the command line (the server keeps running) and
// returns its password; tests that lock accounts out get their own users.
export function addUser ({ username, name, agency, role }) {
  assert.ok(BIN && DB, 'SAFEHUB_BIN and SAFEHUB_DB must be set')
  const pw = `Browser-test-${randomBytes(12).toString('hex')}`
  execFileSync(BIN, ['user', 'add', '--db', DB, '--username', username, '--name', name, '--agency', agency,
    '--role', role, '--password-stdin'], { input: pw + '\n', stdio: ['pipe', 'ignore', 'pipe'] })
  return pw
}

// ---- TOTP (RFC 6238: HMAC-SHA1, 6 digits, 30-second steps) ----

// Decodes RFC 4648 base32, ignoring spaces and padding.
export function base32Decode (s) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'
  const clean = s.replace(/[\s=]/g, '').toUpperCase()
  let bits = 0
  let value = 0
  const out = []
  for (const ch of clean) {
    const v = alphabet.indexOf(ch)
    if (v < 0) throw new Error(`not base32: ${ch}`)
    value = (value << 5) | v
    bits += 5
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff)
      bits -= 8
    }
  }
  return Buffer.from(out)
}

// The six-digit code of SECRET (base32) for time step STEP.
export function totpAt (secret, step) {
  const counter = Buffer.alloc(8)
  counter.writeBigUInt64BE(BigInt(step))
  const mac = createHmac('sha1', base32Decode(secret)).update(counter).digest()
  const off = mac[mac.length - 1] & 0x0f
  const bin = ((mac[off] & 0x7f) << 24) | (mac[off + 1] << 16) | (mac[off + 2] << 8) | mac[off + 3]
  return String(bin % 1000000).padStart(6, '0')
}

// Secrets and the last step used per user live in a file, because each test
// file runs in its own process and the server accepts each step only once.
function stateFile () { return join(STATE, 'totp.json') }
function loadState () { return existsSync(stateFile()) ? JSON.parse(readFileSync(stateFile(), 'utf8')) : {} }
function saveState (s) { writeFileSync(stateFile(), JSON.stringify(s)) }

// A fresh code for USER: the current step, or the next one (the server's
// window admits one step either side) when the current one is spent.
export function nextCode (user) {
  const s = loadState()
  const u = s[user]
  assert.ok(u, `no authenticator enrolled for ${user}`)
  const now = Math.floor(Date.now() / 1000 / 30)
  const step = Math.max(now, (u.lastStep ?? -Infinity) + 1)
  assert.ok(step <= now + 1, `${user} has used every code the server would accept in this half-minute`)
  u.lastStep = step
  saveState(s)
  return totpAt(u.secret, step)
}

// Records USER's authenticator key, as read from the enrolment page.
export function rememberSecret (user, secret) {
  const s = loadState()
  s[user] = { secret: secret.replace(/\s/g, ''), lastStep: s[user]?.lastStep }
  saveState(s)
}

// ---- the browser ----

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync']

// Chromium on a fresh profile directory (so no cookie or cache is shared
// with anything else); returns the context and the directory to remove.
async function launchChromium (javaScript) {
  const profile = mkdtempSync(join(tmpdir(), 'safehub-chromium-'))
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
    javaScriptEnabled: javaScript,
    baseURL: BASE,
    viewport: { width: 1200, height: 900 }
  })
  return { context, profile }
}

// A new session: its own Chromium with JavaScript on unless told otherwise.
// Close it with close(), which also removes the profile.
export async function newSession ({ javaScript = true } = {}) {
  const { context, profile } = await launchChromium(javaScript)
  const page = context.pages()[0] || await context.newPage()
  const errors = []
  page.on('pageerror', e => errors.push(String(e)))
  // A page answering 4xx is a normal outcome here (a form with mistakes, a
  // refusal), but a script or stylesheet that fails to load is a fault.
  page.on('console', m => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) errors.push(m.text())
  })
  page.on('response', r => {
    if (r.status() >= 400 && !r.request().isNavigationRequest()) errors.push(`${r.status()} for ${r.url()}`)
  })
  page.on('requestfailed', req => {
    if (!req.isNavigationRequest()) errors.push(`request failed: ${req.url()}`)
  })
  const session = new Session(context, page, errors, javaScript, profile)
  page.on('load', () => { session.loads.push(page.url()) })
  return session
}

const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']

// Runs axe on PAGE and fails, listing them, on any serious or critical violation.
// axe needs script, so PAGE must allow it (see Session.check for pages that do not).
export async function assertAccessible (page, label = page.url()) {
  // Safehub's pages have no frames, so axe's cross-frame run (which opens a
  // blank page for every check) buys nothing; the in-page run is twice as fast.
  const result = await new AxeBuilder({ page }).withTags(AXE_TAGS).setLegacyMode(true).analyze()
  const bad = result.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
  const report = bad.map(v => `${v.impact} ${v.id}: ${v.help}\n` +
    v.nodes.map(n => `    ${n.target.join(' ')}: ${n.failureSummary.replace(/\n/g, ' ')}`).join('\n')).join('\n')
  assert.equal(bad.length, 0, `axe found serious or critical violations on ${label}:\n${report}`)
  return result
}

// The browser that checks copies of pages shown without script: one per
// test file, started when first needed and closed after the file's tests.
// Its one page answers the copied document itself and fetches the rest
// (styles, fonts, images) from the server.
let checkerBrowser = null
let checkerPage = null
let copyDocument = null
async function copyPage () {
  if (!checkerPage) {
    checkerBrowser = await launchChromium(true)
    checkerPage = checkerBrowser.context.pages()[0] || await checkerBrowser.context.newPage()
    await checkerPage.route(u => copyDocument !== null && u.href === copyDocument.url, route =>
      route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: copyDocument.body }))
  }
  return checkerPage
}
after(async () => {
  if (!checkerBrowser) return
  await checkerBrowser.context.close()
  rmSync(checkerBrowser.profile, { recursive: true, force: true })
  checkerBrowser = checkerPage = null
})

// Pages axe has passed in this run, shared by the test files (each runs in
// a process of its own) through a file in the run's state directory.
function axeFile () { return join(STATE, 'axe-passed.txt') }
function axePassed (key) {
  return existsSync(axeFile()) && readFileSync(axeFile(), 'utf8').split('\n').includes(key)
}
function rememberAxePassed (key) { appendFileSync(axeFile(), key + '\n') }

let shotCounter = 0

// One browser tab with its own cookies.  Every page reached through it is
// checked with axe (a page is "visited" when it loads), and console errors
// (CSP refusals among them) fail the test.
export class Session {
  constructor (context, page, errors, javaScript, profile) {
    this.context = context
    this.profile = profile
    this.page = page
    this.errors = errors
    this.javaScript = javaScript
    this.loads = []
    this.checked = []
  }

  // axe runs inside the page, and cannot where script is off.  For such a
  // page, the same HTML, less its script elements, is shown at the same
  // address in a second browser that allows script (exactly what a user
  // without JavaScript gets, styles included), and axe checks it there.
  async axeWithoutPageScript (html, label) {
    const copy = await copyPage()
    const url = this.page.url().replace(/#.*$/, '')
    copyDocument = { url, body: html.replace(/<script\b[^>]*>[\s\S]*?<\/script>/gi, '') }
    await copy.goto(url)
    assert.equal(await copy.title(), await this.page.title(), 'axe checks a copy of the page itself')
    assert.equal(await copy.evaluate(() => document.scripts.length), 0, 'the copy checked by axe has no page script')
    await assertAccessible(copy, label)
  }

  // Checks the page now showing: accessible (WCAG 2.2 AA by axe), ids
  // unique, no script or resource errors; then, when SAFEHUB_SCREENSHOTS
  // names a directory, saves a screenshot for people to review.  A page
  // whose markup is identical to one already checked in this run (after
  // blanking the per-session CSRF token) is not run through axe again:
  // the result could not differ.
  async check (label) {
    const { page } = this
    await page.waitForLoadState('load')
    const where = `${label || ''} ${page.url()}`.trim()
    const html = await page.content()
    const key = createHash('sha256').update(`${this.javaScript}\n${page.url()}\n`)
      .update(html.replace(/(name="csrf_token" value=")[^"]*/g, '$1')).digest('hex')
    if (!axePassed(key)) {
      if (this.javaScript) await assertAccessible(page, where)
      else await this.axeWithoutPageScript(html, where)
      rememberAxePassed(key)
    }
    await assertUniqueIds(page)
    assert.deepEqual(this.errors, [], `errors in the browser console on ${page.url()}`)
    this.checked.push(page.url())
    if (SHOTS) {
      mkdirSync(SHOTS, { recursive: true })
      const name = `${String(++shotCounter).padStart(2, '0')}-${(label || 'page').replace(/[^a-z0-9]+/gi, '-')}` +
        `${this.javaScript ? '' : '-nojs'}-${process.pid}.png`
      await page.screenshot({ path: join(SHOTS, name), fullPage: true })
    }
  }

  // The HTTP status of the page now showing (after any redirects).
  async status () {
    return this.page.evaluate(() => performance.getEntriesByType('navigation')[0].responseStatus)
  }

  // The path of the page now showing.
  path () { return new URL(this.page.url()).pathname }

  // Goes to PATH and checks the page; returns the response.
  async goto (path, label) {
    const resp = await this.page.goto(path)
    await this.check(label || path)
    return resp
  }

  // Clicks LOCATOR, waits for the page it leads to, and checks it.
  async clickAndCheck (locator, label) {
    await Promise.all([this.page.waitForEvent('load'), locator.click()])
    await this.check(label)
  }

  // Signs in as USER with PASS, completing the second factor: enrols an
  // authenticator on first sign-in (reading the key from the page) or gives
  // the next code.  Returns which second step was shown: 'none', 'enrol' or 'code'.
  async signIn (user, pass = password(user)) {
    const { page } = this
    await this.goto('/sign-in', 'sign-in')
    await page.getByLabel('Username').fill(user)
    await page.getByLabel('Password', { exact: true }).fill(pass)
    await this.clickAndCheck(page.getByRole('button', { name: 'Sign in' }), 'after sign-in')
    let step = 'none'
    if (new URL(page.url()).pathname === '/sign-in/enrol') {
      step = 'enrol'
      const secret = await page.getByTestId('totp-secret').innerText()
      assert.match(secret.replace(/\s/g, ''), /^[A-Z2-7]{16,}$/)
      rememberSecret(user, secret)
      await page.getByLabel('Code from the app').fill(nextCode(user))
      await this.clickAndCheck(page.getByRole('button', { name: 'Continue' }), 'after enrolment')
    } else if (new URL(page.url()).pathname === '/sign-in/second-factor') {
      step = 'code'
      await page.getByLabel('Security code').fill(nextCode(user))
      await this.clickAndCheck(page.getByRole('button', { name: 'Continue' }), 'after code')
    }
    assert.equal(new URL(page.url()).pathname, '/', `signing in as ${user} should end on the home page`)
    return step
  }

  // Signs out with the header's control, from the keyboard (it is a real
  // button, so Enter works), and checks the sign-in page follows.
  async signOut () {
    const { page } = this
    const button = page.getByRole('button', { name: 'Sign out' })
    await button.focus()
    await Promise.all([page.waitForEvent('load'), page.keyboard.press('Enter')])
    await this.check('signed out')
    assert.equal(this.path(), '/sign-in')
    await assertNoSignedInUser(page)
  }

  // Asserts that every page loaded in this session was checked with axe.
  assertAllChecked () {
    assert.deepEqual(this.checked, this.loads, 'every page visited is checked with axe')
  }

  // Ends the browser and removes its profile directory.
  async close () {
    await this.context.close()
    rmSync(this.profile, { recursive: true, force: true })
  }
}

// Fills the GOV.UK date input NAME with day D, month M and year Y.
export async function fillDate (page, name, d, m, y) {
  await page.locator(`[id="${name}-day"]`).fill(String(d))
  await page.locator(`[id="${name}-month"]`).fill(String(m))
  await page.locator(`[id="${name}-year"]`).fill(String(y))
}

// A valid NHS number (modulus 11): the first nine digits from START (in the
// 999 test range) upwards that have a check digit, followed by it.
export function nhsNumber (start) {
  for (let n = Number(start); ; n++) {
    const nine = String(n).padStart(9, '0')
    const sum = [...nine].reduce((acc, d, i) => acc + Number(d) * (10 - i), 0)
    const check = 11 - (sum % 11)
    if (check !== 10) return nine + String(check === 11 ? 0 : check)
  }
}

// Clicks each link of the error summary and checks it moves focus to its
// field (the design system's script does this with JavaScript on; without
// it, the browser focuses the link's target).
export async function assertSummaryLinksFocus (session) {
  const { page } = session
  const s = await errorSummary(page)
  for (const it of s.items) {
    const link = page.locator('.govuk-error-summary__list a', { hasText: it.text }).first()
    await link.click()
    const active = await page.evaluate(() => document.activeElement && document.activeElement.id)
    assert.equal(`#${active}`, it.href, `the summary link "${it.text}" focuses its field`)
  }
}

// Surnames common in the demo borough's name lists, tried in turn to find a
// child open to the signed-in user without depending on one generated name.
const SURNAMES = ['Smith', 'Jones', 'Taylor', 'Brown', 'Wilson', 'Walker', 'Khan', 'Hussain', 'Ahmed', 'Patel',
  'Singh', 'Wright', 'Robinson', 'Thompson', 'Hughes', 'Green', 'Hall', 'Wood', 'Harris', 'Clarke']

// From the Children page, searches surnames until one finds a child, and
// returns the results' first link and the surname.
export async function searchForAnyChild (session) {
  const { page } = session
  for (const surname of SURNAMES) {
    await page.getByLabel('Name, date of birth, postcode or NHS number').fill(surname)
    await session.clickAndCheck(page.getByRole('button', { name: 'Search' }), `search ${surname}`)
    const links = page.getByTestId('search-results').locator('tbody a')
    if (await links.count() > 0) return { link: links.first(), surname }
  }
  assert.fail('no common surname found a child')
}

// The header shows no user once signed out.
export async function assertNoSignedInUser (page) {
  assert.equal(await page.getByTestId('current-user').count(), 0, 'a signed-out page still names a user')
}

// The page's error summary: its title, its links' text and targets.
export async function errorSummary (page) {
  const summary = page.locator('.govuk-error-summary')
  if (await summary.count() === 0) return null
  const links = summary.locator('.govuk-error-summary__list a')
  const items = []
  for (let i = 0; i < await links.count(); i++) {
    items.push({ text: (await links.nth(i).innerText()).trim(), href: await links.nth(i).getAttribute('href') })
  }
  return { title: (await summary.locator('.govuk-error-summary__title').innerText()).trim(), items }
}

// Checks the GOV.UK error pattern on the page now showing: the title starts
// "Error: ", the summary is there with a link per error, each link's target
// exists, and each message is also shown beside its field.
export async function assertErrorPattern (page) {
  assert.match(await page.title(), /^Error: /, 'a page with errors has a title starting "Error: "')
  const s = await errorSummary(page)
  assert.ok(s, 'the error summary is shown')
  assert.equal(s.title, 'There is a problem')
  assert.ok(s.items.length > 0, 'the summary lists at least one error')
  for (const it of s.items) {
    assert.match(it.href, /^#/)
    const id = it.href.slice(1)
    const target = page.locator(`[id="${id}"]`)
    assert.equal(await target.count(), 1, `the summary link ${it.href} has exactly one target`)
    const field = id.replace(/-(day|month|year|yes|no)$/, '')
    const msg = page.locator(`[id="${field}-error"]`)
    assert.equal(await msg.count(), 1, `the field ${field} shows its own error message`)
    assert.ok((await msg.innerText()).includes(it.text), `the message beside ${field} matches the summary`)
  }
  return s
}

// Ids must be unique on every page (axe checks ARIA references; this checks all).
export async function assertUniqueIds (page) {
  const dups = await page.evaluate(() => {
    const seen = new Map()
    for (const el of document.querySelectorAll('[id]')) seen.set(el.id, (seen.get(el.id) || 0) + 1)
    return [...seen].filter(([, n]) => n > 1).map(([id]) => id)
  })
  assert.deepEqual(dups, [], 'duplicate ids on the page')
}
