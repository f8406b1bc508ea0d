/*
** Password policy and hashing.  Hashes are Argon2id strings from libsodium
** (crypto_pwhash_str) at the interactive preset or stronger; verification is
** libsodium's, in constant time.  The policy follows NCSC guidance: length
** over composition rules, and no obvious choices.
*/
#ifndef SAFEHUB_CORE_PASSWORD_H
#define SAFEHUB_CORE_PASSWORD_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PASSWORD_MAX 256

bool password_policy_ok(const char *password, const char *username, int min_len, char *why, size_t whylen);
int password_hash(const char *password, char *out, size_t outcap);
bool password_verify(const char *hash, const char *password);
bool password_needs_rehash(const char *hash);
void password_dummy_verify(const char *password);
int64_t password_lock_seconds(int failures, int max_failures, int base_seconds);

#endif
