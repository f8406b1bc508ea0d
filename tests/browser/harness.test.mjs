// The checks the other tests rely on can fail: axe rejects an inaccessible
// page, the error-pattern check rejects a broken summary, and the TOTP
// codes match RFC 6238's test vectors.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { newSession, assertAccessible, assertErrorPattern, assertUniqueIds, totpAt, base32Decode } from './lib.mjs'

test('TOTP codes match the RFC 6238 SHA-1 test vectors', () => {
  // The RFC's key is the ASCII "12345678901234567890"; its codes are 8 digits, ours the last 6.
  const secret = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ'
  assert.equal(base32Decode(secret).toString('ascii'), '12345678901234567890')
  assert.equal(totpAt(secret, Math.floor(59 / 30)), '287082')
  assert.equal(totpAt(secret, Math.floor(1111111109 / 30)), '081804')
  assert.equal(totpAt(secret, Math.floor(1234567890 / 30)), '005924')
  assert.equal(totpAt(secret, Math.floor(2000000000 / 30)), '279037')
})

test('the page checks reject what they should', { timeout: 60000 }, async () => {
  const s = await newSession()
  try {
    const { page } = s
    // An unlabelled box and grey-on-white text fail WCAG AA.
    await page.setContent('<!DOCTYPE html><html lang="en"><head><title>Bad</title></head><body><main>' +
      '<h1>Bad</h1><p style="color:#ccc">Faint text</p><input type="text"></main></body></html>')
    await assert.rejects(assertAccessible(page, 'a bad page'), /serious|critical/)
    await assert.rejects(assertAccessible(page, 'a bad page'), /label|color-contrast/)

    // A summary whose link has no target, and a title without "Error: ".
    await page.setContent('<!DOCTYPE html><html lang="en"><head><title>Form</title></head><body><main>' +
      '<div class="govuk-error-summary"><h2 class="govuk-error-summary__title">There is a problem</h2>' +
      '<ul class="govuk-error-summary__list"><li><a href="#missing">Enter a name</a></li></ul></div>' +
      '<label for="name">Name</label><input id="name"></main></body></html>')
    await assert.rejects(assertErrorPattern(page), /Error: /)
    await page.evaluate(() => { document.title = 'Error: Form' })
    await assert.rejects(assertErrorPattern(page), /exactly one target/)

    // Two elements with one id.
    await page.setContent('<!DOCTYPE html><html lang="en"><head><title>Ids</title></head><body>' +
      '<p id="a">one</p><p id="a">two</p></body></html>')
    await assert.rejects(assertUniqueIds(page), /duplicate ids/)
  } finally {
    await s.close()
  }
})
