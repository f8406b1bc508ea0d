/*
** Encodings and random identifiers (see codec.h).  Randomness comes only from
** libsodium's randombytes_buf (the kernel CSPRNG).
*/
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "util/codec.h"
#include "util/xalloc.h"

static const char B32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/*
** RFC 4648 base32 without padding.  Writes at most OUTCAP-1 chars plus NUL;
** returns the length written, or 0 when OUTCAP is too small.
*/
size_t base32_encode(const uint8_t *in, size_t n, char *out, size_t outcap) {
  size_t need = (n * 8 + 4) / 5;
  if (outcap < need + 1) return 0;
  size_t o = 0;
  uint32_t acc = 0;
  int bits = 0;
  for (size_t i = 0; i < n; i++) {
    acc = (acc << 8) | in[i];
    bits += 8;
    while (bits >= 5) {
      out[o++] = B32[(acc >> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out[o++] = B32[(acc << (5 - bits)) & 31];
  out[o] = '\0';
  return o;
}

/*
** Decodes base32 (case-insensitive; spaces, hyphens and '=' padding ignored,
** as authenticator apps show secrets in groups).  Returns the number of bytes,
** or -1 on an invalid character or overflow of OUTCAP.
*/
long base32_decode(const char *in, uint8_t *out, size_t outcap) {
  uint32_t acc = 0;
  int bits = 0;
  size_t o = 0;
  for (const char *p = in; *p; p++) {
    char c = *p;
    int v;
    if (c == ' ' || c == '-' || c == '=') continue;
    if (c >= 'a' && c <= 'z') c = (char)(c - 32);
    if (c >= 'A' && c <= 'Z') v = c - 'A';
    else if (c >= '2' && c <= '7') v = c - '2' + 26;
    else return -1;
    acc = (acc << 5) | (uint32_t)v;
    bits += 5;
    if (bits >= 8) {
      if (o >= outcap) return -1;
      out[o++] = (uint8_t)(acc >> (bits - 8));
      bits -= 8;
    }
  }
  return (long)o;
}

/* Lower-case hex of N bytes into OUT, which holds 2N+1 chars. */
void hex_encode(const uint8_t *in, size_t n, char *out) {
  sodium_bin2hex(out, n * 2 + 1, in, n);
}

/* Decodes exactly N bytes of hex (2N chars); false on anything else. */
bool hex_decode(const char *in, uint8_t *out, size_t n) {
  size_t got = 0;
  const char *end = NULL;
  if (strlen(in) != n * 2) return false;
  if (sodium_hex2bin(out, n, in, n * 2, NULL, &got, &end) != 0) return false;
  return got == n && end && *end == '\0';
}

/* URL-safe base64 without padding; caller frees. */
char *base64url_encode(const uint8_t *in, size_t n) {
  size_t len = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  char *out = xmalloc(len);
  sodium_bin2base64(out, len, in, n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  return out;
}

/*
** Strict UTF-8 check of N bytes: no overlongs, no surrogates, nothing above
** U+10FFFF, and no NUL (a NUL inside text is always an attack or a bug here).
*/
bool utf8_valid(const char *s, size_t n) {
  const unsigned char *p = (const unsigned char *)s, *e = p + n;
  while (p < e) {
    unsigned c = *p;
    if (c == 0) return false;
    if (c < 0x80) { p++; continue; }
    size_t len;
    unsigned min, cp;
    if ((c & 0xE0) == 0xC0) { len = 2; min = 0x80; cp = c & 0x1F; }
    else if ((c & 0xF0) == 0xE0) { len = 3; min = 0x800; cp = c & 0x0F; }
    else if ((c & 0xF8) == 0xF0) { len = 4; min = 0x10000; cp = c & 0x07; }
    else return false;
    if ((size_t)(e - p) < len) return false;
    for (size_t i = 1; i < len; i++) {
      if ((p[i] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (p[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    p += len;
  }
  return true;
}

/*
** A new opaque id: PREFIX, '_' and 20 lower-case base32 characters from 100
** random bits, e.g. "ch_k3v7...".  Random rather than sequential so that ids
** reveal neither volumes nor neighbours.  OUTCAP must be at least 32.
*/
void ids_new(const char *prefix, char *out, size_t outcap) {
  uint8_t raw[13];
  char enc[32];
  assert(strlen(prefix) <= 6 && outcap >= 32);
  randombytes_buf(raw, sizeof raw);
  base32_encode(raw, sizeof raw, enc, sizeof enc);
  enc[20] = '\0';
  for (char *p = enc; *p; p++) {
    if (*p >= 'A' && *p <= 'Z') *p = (char)(*p + 32);
  }
  snprintf(out, outcap, "%s_%s", prefix, enc);
}

/* True when S has the shape of an id (letters, digits, '_' and '-', 1-64 chars). */
bool ids_plausible(const char *s) {
  size_t n = 0;
  for (; s[n]; n++) {
    char c = s[n];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
          c == '-'))
      return false;
    if (n >= 64) return false;
  }
  return n > 0;
}

/* A secret bearer value: PREFIX followed by 32 random bytes in base64url. */
void random_token(const char *prefix, char *out, size_t outcap) {
  uint8_t raw[32];
  randombytes_buf(raw, sizeof raw);
  char *enc = base64url_encode(raw, sizeof raw);
  snprintf(out, outcap, "%s%s", prefix, enc);
  sodium_memzero(raw, sizeof raw);
  sodium_memzero(enc, strlen(enc));
  free(enc);
}
