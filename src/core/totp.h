/*
** Time-based one-time passwords (RFC 6238 over RFC 4226 HOTP, HMAC-SHA1, six
** digits, 30-second steps): the defaults every common authenticator app uses.
** Pure apart from the HMAC, which comes from GnuTLS.
*/
#ifndef SAFEHUB_CORE_TOTP_H
#define SAFEHUB_CORE_TOTP_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TOTP_STEP 30
#define TOTP_SECRET_BYTES 20

uint32_t hotp(const uint8_t *key, size_t keylen, uint64_t counter, int digits);
bool totp_check(const char *secret_b32, const char *code, int64_t now, int window, int64_t *step_out);
void totp_new_secret(char *out, size_t outcap);
char *totp_uri(const char *issuer, const char *account, const char *secret_b32);

#endif
