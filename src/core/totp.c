/*
** TOTP (see totp.h).
*/
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <gnutls/crypto.h>
#include <sodium.h>
#include "core/totp.h"
#include "util/buf.h"
#include "util/codec.h"

/* RFC 4226: the DIGITS-digit HOTP value of COUNTER under KEY. */
uint32_t hotp(const uint8_t *key, size_t keylen, uint64_t counter, int digits) {
  uint8_t msg[8], mac[20];
  for (int i = 7; i >= 0; i--) {
    msg[i] = (uint8_t)(counter & 0xff);
    counter >>= 8;
  }
  gnutls_hmac_fast(GNUTLS_MAC_SHA1, key, keylen, msg, sizeof msg, mac);
  int off = mac[19] & 0x0f;
  uint32_t bin = ((uint32_t)(mac[off] & 0x7f) << 24) | ((uint32_t)mac[off + 1] << 16) |
                 ((uint32_t)mac[off + 2] << 8) | mac[off + 3];
  uint32_t mod = 1;
  for (int i = 0; i < digits; i++) mod *= 10;
  sodium_memzero(mac, sizeof mac);
  return bin % mod;
}

/*
** Checks a six-digit CODE against SECRET_B32 at time NOW, accepting WINDOW
** steps either side for clock drift.  On success stores the matching step in
** *STEP_OUT so the caller can refuse its reuse.  Compares in constant time.
*/
bool totp_check(const char *secret_b32, const char *code, int64_t now, int window, int64_t *step_out) {
  char digits[7];
  int n = 0;
  for (const char *p = code; *p; p++) {
    if (*p == ' ') continue;
    if (!isdigit((unsigned char)*p) || n >= 6) return false;
    digits[n++] = *p;
  }
  digits[n] = '\0';
  if (n != 6) return false;
  uint8_t key[64];
  long klen = base32_decode(secret_b32, key, sizeof key);
  if (klen <= 0) return false;
  bool ok = false;
  int64_t step = now / TOTP_STEP;
  for (int d = -window; d <= window; d++) {
    char want[7];
    snprintf(want, sizeof want, "%06u", hotp(key, (size_t)klen, (uint64_t)(step + d), 6));
    if (sodium_memcmp(want, digits, 6) == 0 && !ok) {
      ok = true;
      *step_out = step + d;
    }
  }
  sodium_memzero(key, sizeof key);
  return ok;
}

/* A new random 160-bit secret in base32 (32 characters) into OUT. */
void totp_new_secret(char *out, size_t outcap) {
  uint8_t raw[TOTP_SECRET_BYTES];
  randombytes_buf(raw, sizeof raw);
  base32_encode(raw, sizeof raw, out, outcap);
  sodium_memzero(raw, sizeof raw);
}

/* The otpauth:// URI authenticator apps read; caller frees. */
char *totp_uri(const char *issuer, const char *account, const char *secret_b32) {
  struct buf b = BUF_INIT;
  static const char hex[] = "0123456789ABCDEF";
  const char *parts[] = {issuer, account};
  buf_puts(&b, "otpauth://totp/");
  for (int k = 0; k < 2; k++) {
    if (k) buf_puts(&b, ":");
    for (const unsigned char *p = (const unsigned char *)parts[k]; *p; p++) {
      if (isalnum(*p) || *p == '-' || *p == '.' || *p == '_') buf_putc(&b, (char)*p);
      else {
        char e[3] = {'%', hex[*p >> 4], hex[*p & 15]};
        buf_append(&b, e, 3);
      }
    }
  }
  buf_printf(&b, "?secret=%s&issuer=", secret_b32);
  for (const unsigned char *p = (const unsigned char *)issuer; *p; p++) {
    if (isalnum(*p)) buf_putc(&b, (char)*p);
    else {
      char e[3] = {'%', hex[*p >> 4], hex[*p & 15]};
      buf_append(&b, e, 3);
    }
  }
  buf_puts(&b, "&algorithm=SHA1&digits=6&period=30");
  return buf_steal(&b);
}
