/*
** Encodings and random identifiers: RFC 4648 base32 (TOTP secrets), base64url
** (session ids, tokens), hex (hashes), UTF-8 validation, and the opaque
** random ids given to every record.
*/
#ifndef SAFEHUB_UTIL_CODEC_H
#define SAFEHUB_UTIL_CODEC_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ID_MAX 32 /* room for any id from ids_new, with NUL */

size_t base32_encode(const uint8_t *in, size_t n, char *out, size_t outcap);
long base32_decode(const char *in, uint8_t *out, size_t outcap);
void hex_encode(const uint8_t *in, size_t n, char *out);
bool hex_decode(const char *in, uint8_t *out, size_t n);
char *base64url_encode(const uint8_t *in, size_t n);
bool utf8_valid(const char *s, size_t n);
void ids_new(const char *prefix, char *out, size_t outcap);
bool ids_plausible(const char *s);
void random_token(const char *prefix, char *out, size_t outcap);

#endif
