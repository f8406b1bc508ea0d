// TOTP (RFC 6238) and HOTP (RFC 4226) in JavaScript, for tests that sign in
// as users with a second factor.  Independent of Safehub's C implementation,
// so a test that enrols with a code computed here checks the server's
// arithmetic rather than repeating it.
import { createHmac } from 'node:crypto';

const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** Decodes RFC 4648 base32 (case-insensitive, padding and spaces ignored) to a Buffer. */
export function base32Decode(text) {
  const clean = text.toUpperCase().replace(/[\s=]/g, '');
  let bits = 0;
  let value = 0;
  const out = [];
  for (const ch of clean) {
    const v = B32.indexOf(ch);
    if (v < 0) throw new Error(`base32: invalid character '${ch}'`);
    value = (value << 5) | v;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** The DIGITS-digit HOTP value of COUNTER under KEY (a Buffer), as a zero-padded string. */
export function hotp(key, counter, digits = 6) {
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac('sha1', key).update(msg).digest();
  const off = mac[19] & 0x0f;
  const bin = ((mac[off] & 0x7f) << 24) | (mac[off + 1] << 16) | (mac[off + 2] << 8) | mac[off + 3];
  return String(bin % 10 ** digits).padStart(digits, '0');
}

/** The time step (30 s periods since the epoch) containing UNIX time SECONDS. */
export function stepAt(seconds, period = 30) {
  return Math.floor(seconds / period);
}

/** The TOTP code of the base32 SECRET for time step STEP. */
export function totpForStep(secret, step, digits = 6) {
  return hotp(base32Decode(secret), step, digits);
}

/** The TOTP code of the base32 SECRET at UNIX time SECONDS (default: now). */
export function totp(secret, seconds = Date.now() / 1000) {
  return totpForStep(secret, stepAt(seconds));
}

/**
 * An authenticator app for one account.  Servers accept each time step once
 * (replay protection) and a step either side of their own, so the device
 * hands out codes for strictly increasing steps: the current one, then the
 * next.  When both are used it throws rather than wait, so a test never
 * sleeps for a code; tests that need many codes move the server's clock.
 * CLOCK returns the UNIX time in seconds the server believes it is.
 */
export class TotpDevice {
  constructor(secret, clock = () => Date.now() / 1000) {
    this.secret = secret;
    this.clock = clock;
    this.lastStep = -Infinity;
  }

  /** A code for a step not used before, within the server's window. */
  nextCode() {
    const now = stepAt(this.clock());
    const step = Math.max(now, this.lastStep + 1);
    if (step > now + 1) throw new Error('TotpDevice: both usable time steps are spent; move the clock');
    this.lastStep = step;
    return totpForStep(this.secret, step);
  }

  /** A code that is certainly wrong now (differs from every code in the window). */
  wrongCode() {
    const now = stepAt(this.clock());
    const valid = new Set([-1, 0, 1].map((d) => totpForStep(this.secret, now + d)));
    for (let i = 0; ; i++) {
      const c = String((123456 + i * 7919) % 1000000).padStart(6, '0');
      if (!valid.has(c)) return c;
    }
  }
}
