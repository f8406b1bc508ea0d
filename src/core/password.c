/*
** Password policy and Argon2id hashing (see password.h).
*/
#include <ctype.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sodium.h>
#include "core/password.h"
#include "util/codec.h"

/* Interactive preset: about 64 MiB and a few tenths of a second per hash. */
#define OPS crypto_pwhash_OPSLIMIT_INTERACTIVE
#define MEM crypto_pwhash_MEMLIMIT_INTERACTIVE

static bool contains_ci(const char *hay, const char *needle) {
  size_t n = strlen(needle);
  if (n < 3) return false;
  for (const char *p = hay; *p; p++) {
    if (strncasecmp(p, needle, n) == 0) return true;
  }
  return false;
}

/*
** True when PASSWORD may be used: at least MIN_LEN characters, at most
** PASSWORD_MAX bytes, valid UTF-8, not mostly one character, not containing
** the username, and not one of the commonest choices.
*/
bool password_policy_ok(const char *password, const char *username, int min_len, char *why, size_t whylen) {
  static const char *const common[] = {"password", "123456", "qwerty", "letmein", "welcome",
                                       "safeguard", "iloveyou", "admin", "monkey", "dragon", NULL};
  size_t len = strlen(password);
  size_t chars = 0;
  for (const unsigned char *p = (const unsigned char *)password; *p; p++) {
    if ((*p & 0xC0) != 0x80) chars++;
  }
  if (chars < (size_t)min_len) {
    snprintf(why, whylen, "must be at least %d characters", min_len);
    return false;
  }
  if (len > PASSWORD_MAX || !utf8_valid(password, len)) {
    snprintf(why, whylen, "must be at most %d bytes of text", PASSWORD_MAX);
    return false;
  }
  int counts[256] = {0};
  int most = 0;
  for (const unsigned char *p = (const unsigned char *)password; *p; p++) {
    if (++counts[*p] > most) most = counts[*p];
  }
  if ((size_t)most * 2 > len) {
    snprintf(why, whylen, "must not be mostly one character");
    return false;
  }
  if (username && contains_ci(password, username)) {
    snprintf(why, whylen, "must not contain the username");
    return false;
  }
  for (int i = 0; common[i]; i++) {
    if (contains_ci(password, common[i]) && len < strlen(common[i]) + 6) {
      snprintf(why, whylen, "is too easy to guess");
      return false;
    }
  }
  return true;
}

/* Argon2id hash string of PASSWORD into OUT (crypto_pwhash_STRBYTES). 0 or -1 (out of memory). */
int password_hash(const char *password, char *out, size_t outcap) {
  if (outcap < crypto_pwhash_STRBYTES) return -1;
  return crypto_pwhash_str(out, password, strlen(password), OPS, MEM);
}

/* True when PASSWORD matches HASH. */
bool password_verify(const char *hash, const char *password) {
  return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}

/* True when HASH was made with weaker parameters than today's and should be replaced. */
bool password_needs_rehash(const char *hash) { return crypto_pwhash_str_needs_rehash(hash, OPS, MEM) != 0; }

/*
** Spends the time of a verification for an unknown username, so that timing
** does not reveal which usernames exist.
*/
static char dummy_hash[crypto_pwhash_STRBYTES];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void make_dummy(void) {
  if (crypto_pwhash_str(dummy_hash, "not a real password", 19, OPS, MEM) != 0) dummy_hash[0] = '\0';
}

void password_dummy_verify(const char *password) {
  pthread_once(&dummy_once, make_dummy);
  volatile int sink = crypto_pwhash_str_verify(dummy_hash, password, strlen(password));
  (void)sink;
}

/*
** Seconds an account stays locked after FAILURES consecutive failures: none
** below MAX_FAILURES, then BASE_SECONDS doubling with each further failure,
** capped at a day.
*/
int64_t password_lock_seconds(int failures, int max_failures, int base_seconds) {
  if (failures < max_failures) return 0;
  int extra = failures - max_failures;
  if (extra > 20) extra = 20;
  int64_t s = (int64_t)base_seconds << extra;
  return s > 86400 ? 86400 : s;
}
