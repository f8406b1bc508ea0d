// The shared harness (tests/lib) checked on its own, since every suite's
// verdict rests on it: sanitizer reports on a server's or a command's stderr
// fail the test that ran it, the TAP summary is read right, TOTP devices
// never hand out a code twice, cookies and NHS numbers are parsed right.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  Safehub,
  testBin,
  sanitizerReport,
  parseTapSummary,
  parseSetCookie,
  TotpDevice,
  totpForStep,
  stepAt,
  nhsCheckDigit,
  nhsNumber,
  badNhsNumber,
} from '../lib/index.mjs';

/**
 * A stand-in for the binary that runs the real one and then, for the
 * commands named in REPORT_ON, prints a sanitizer report on stderr as an
 * instrumented build would.  Signals reach the real process.
 */
function reportingWrapper(dir, reportOn, report) {
  const path = join(dir, 'safehub-wrapper');
  writeFileSync(
    path,
    `#!/bin/sh
"${testBin()}" "$@" &
child=$!
trap 'kill -TERM $child' TERM
trap 'kill -INT $child' INT
wait $child
rc=$?
wait $child 2>/dev/null && rc=$?
case " ${reportOn} " in *" $1 "*) printf '%s\\n' '${report}' >&2 ;; esac
exit $rc
`,
  );
  chmodSync(path, 0o755);
  return path;
}

test('a sanitizer report on the server\'s stderr fails stop(), even when it exits 0', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'safehub-wrap-'));
  try {
    const bin = reportingWrapper(dir, 'serve', '==42==ERROR: AddressSanitizer: heap-use-after-free on address 0x602000000010');
    const sh = await Safehub.create({ bin });
    try {
      await sh.start();
      assert.equal((await sh.client().get('/healthz')).status, 200);
      await assert.rejects(sh.stop(), /sanitizer report from the server[\s\S]*heap-use-after-free/);
    } finally {
      await sh.destroy().catch(() => {});
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a sanitizer report from a command fails cli()', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'safehub-wrap-'));
  try {
    const bin = reportingWrapper(dir, 'routes', 'src/http/router.c:12:3: runtime error: signed integer overflow');
    const sh = await Safehub.create({ bin });
    try {
      await assert.rejects(sh.cli(['routes']), /sanitizer report from safehub routes[\s\S]*runtime error/);
      assert.equal((await sh.cli(['init'])).code, 0, 'other commands are unaffected');
    } finally {
      await sh.destroy();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('sanitizerReport recognises ASan, LSan and UBSan output and nothing else', () => {
  assert.ok(sanitizerReport('x\n==1==ERROR: LeakSanitizer: detected memory leaks\n'));
  assert.ok(sanitizerReport('a.c:3:9: runtime error: load of misaligned address'));
  assert.ok(sanitizerReport('SUMMARY: AddressSanitizer: stack-buffer-overflow a.c:3'));
  assert.equal(sanitizerReport('{"level":"error","msg":"database: no connection"}\n'), null);
  assert.equal(sanitizerReport(''), null);
});

test('the TAP summary is read into counts; a missing summary is not a pass', () => {
  const tap = 'TAP version 13\nok 1 - a\n1..1\n# tests 7\n# suites 0\n# pass 5\n# fail 1\n# cancelled 1\n# skipped 0\n# todo 0\n';
  assert.deepEqual(parseTapSummary(tap), { pass: 5, fail: 1, cancelled: 1, skipped: 0, todo: 0 });
  assert.equal(parseTapSummary('ok 1 - a\n'), null);
});

test('a TOTP device never gives the same step twice and refuses to run ahead of the window', () => {
  let now = 1_700_000_000;
  const d = new TotpDevice('JBSWY3DPEHPK3PXP', () => now);
  const a = d.nextCode();
  const b = d.nextCode();
  assert.equal(a, totpForStep('JBSWY3DPEHPK3PXP', stepAt(now)));
  assert.equal(b, totpForStep('JBSWY3DPEHPK3PXP', stepAt(now) + 1));
  assert.throws(() => d.nextCode(), /move the clock/);
  now += 60;
  assert.equal(d.nextCode(), totpForStep('JBSWY3DPEHPK3PXP', stepAt(now)));
  const wrong = d.wrongCode();
  for (const s of [-1, 0, 1]) assert.notEqual(wrong, totpForStep('JBSWY3DPEHPK3PXP', stepAt(now) + s));
});

test('Set-Cookie headers are parsed with their attributes', () => {
  const c = parseSetCookie('__Host-safehub=abc=def; Path=/; HttpOnly; SameSite=Strict; Secure; Max-Age=43200');
  assert.deepEqual(c, {
    name: '__Host-safehub',
    value: 'abc=def',
    attrs: { path: '/', httponly: true, samesite: 'Strict', secure: true, 'max-age': '43200' },
  });
});

test('NHS numbers are made with the mod-11 check digit, and spoilt ones fail it', () => {
  assert.equal(nhsCheckDigit('943476591'), 9, 'the NHS\'s own example 943 476 5919');
  for (let i = 0; i < 50; i++) {
    const n = nhsNumber();
    assert.match(n, /^999\d{7}$/);
    assert.equal(nhsCheckDigit(n.slice(0, 9)), Number(n[9]));
    assert.notEqual(nhsCheckDigit(n.slice(0, 9)), Number(badNhsNumber(n)[9]));
  }
});
