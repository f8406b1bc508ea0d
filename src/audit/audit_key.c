/*
** Checkpoint signing keys and the writing of checkpoints (see audit.h).
**
** The Ed25519 secret key lives in a file outside the database (mode 0600),
** so someone who can rewrite the database cannot forge a checkpoint.  Each
** checkpoint is stored in the database and appended to a separate file,
** meant to be shipped off the host, so a wholesale rewrite of the table is
** caught by comparing the two.  A line left without its newline by a crash
** part-way through an append is closed before the next line is written, so
** that the next checkpoint is never glued onto it.
*/
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "audit/audit.h"
#include "util/codec.h"
#include "util/log.h"
#include "util/timeutil.h"

/*
** Creates a new key at PATH (hex secret key, mode 0600) and PATH.pub (hex
** public key).  Refuses to overwrite an existing key: losing it would orphan
** every checkpoint made with it.  Returns 0, 1 when the key already existed,
** or -1 with ERR.
*/
int audit_key_create(const char *path, char *err, size_t errlen) {
  int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == EEXIST) return 1;
    snprintf(err, errlen, "%s: %s", path, strerror(errno));
    return -1;
  }
  uint8_t pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
  crypto_sign_keypair(pk, sk);
  char hex[crypto_sign_SECRETKEYBYTES * 2 + 2];
  hex_encode(sk, sizeof sk, hex);
  sodium_memzero(sk, sizeof sk);
  strcat(hex, "\n");
  ssize_t w = write(fd, hex, strlen(hex));
  sodium_memzero(hex, sizeof hex);
  if (w < 0 || fsync(fd) != 0 || close(fd) != 0) {
    snprintf(err, errlen, "%s: %s", path, strerror(errno));
    unlink(path);
    return -1;
  }
  char pubpath[4096];
  snprintf(pubpath, sizeof pubpath, "%s.pub", path);
  FILE *f = fopen(pubpath, "w");
  if (!f) {
    snprintf(err, errlen, "%s: %s", pubpath, strerror(errno));
    return -1;
  }
  char pkhex[crypto_sign_PUBLICKEYBYTES * 2 + 1];
  hex_encode(pk, sizeof pk, pkhex);
  fprintf(f, "%s\n", pkhex);
  fclose(f);
  return 0;
}

/* Reads the first line of PATH into BUF without its line ending; 0, or -1 with ERR. */
static int read_line(const char *path, char *buf, size_t n, char *err, size_t errlen) {
  FILE *f = fopen(path, "r");
  if (!f) {
    snprintf(err, errlen, "%s: %s", path, strerror(errno));
    return -1;
  }
  if (!fgets(buf, (int)n, f)) {
    fclose(f);
    snprintf(err, errlen, "%s: empty", path);
    return -1;
  }
  fclose(f);
  buf[strcspn(buf, "\r\n")] = '\0';
  return 0;
}

/*
** Loads the key at PATH: a secret key file (64 bytes in hex), or a public
** key file (32 bytes in hex, as PATH.pub) for verifying only.  Returns 0 or
** -1 with ERR.
*/
int audit_key_load(const char *path, struct audit_key *key, char *err, size_t errlen) {
  char line[300];
  memset(key, 0, sizeof *key);
  if (read_line(path, line, sizeof line, err, errlen) != 0) return -1;
  if (strlen(line) == crypto_sign_SECRETKEYBYTES * 2) {
    if (!hex_decode(line, key->sk, sizeof key->sk)) goto bad;
    crypto_sign_ed25519_sk_to_pk(key->pk, key->sk);
    key->has_secret = true;
  } else if (strlen(line) == crypto_sign_PUBLICKEYBYTES * 2) {
    if (!hex_decode(line, key->pk, sizeof key->pk)) goto bad;
  } else {
    goto bad;
  }
  sodium_memzero(line, sizeof line);
  return 0;
bad:
  sodium_memzero(line, sizeof line);
  snprintf(err, errlen, "%s: not an audit key", path);
  return -1;
}

/* Zeroes the key, secret and public halves alike. */
void audit_key_wipe(struct audit_key *key) { sodium_memzero(key, sizeof *key); }

/*
** True when FD is a regular file whose last byte is not a newline: the
** last append was cut short (a crash part-way through writing its line).
** False too when that cannot be read (FD opened for writing only).
*/
static bool ends_torn(int fd) {
  struct stat sb;
  char last;
  if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) || sb.st_size == 0) return false;
  return pread(fd, &last, 1, sb.st_size - 1) == 1 && last != '\n';
}

/*
** Signs the current head of the chain, if newer than the last checkpoint, in
** its own transaction, and appends it to FILE (when given).  *SEQ_OUT gets
** the checkpointed seq (0 when there was nothing new).  Returns DB_OK or an
** error.
*/
int audit_checkpoint_now(struct db *db, const struct audit_key *key, const char *file, int64_t *seq_out) {
  *seq_out = 0;
  if (!key->has_secret) return DB_ERROR;
  int rc = db_begin(db);
  if (rc != DB_OK) return rc;
  rc = db_lock_audit(db);
  int64_t seq = 0, last = 0;
  char hash_hex[65];
  if (rc == DB_OK) rc = store_audit_head(db, &seq, hash_hex);
  if (rc == DB_OK) rc = store_audit_last_checkpoint(db, &last);
  if (rc != DB_OK || seq == 0 || seq <= last) {
    db_rollback(db);
    return rc;
  }
  uint8_t hash[AUDIT_HASH_BYTES], msg[56], sig[crypto_sign_BYTES];
  if (!hex_decode(hash_hex, hash, sizeof hash)) {
    db_rollback(db);
    return DB_ERROR;
  }
  int64_t at = time_now();
  audit_checkpoint_message(seq, hash, at, msg);
  crypto_sign_detached(sig, NULL, msg, sizeof msg, key->sk);
  char sig_hex[crypto_sign_BYTES * 2 + 1], pk_hex[crypto_sign_PUBLICKEYBYTES * 2 + 1];
  hex_encode(sig, sizeof sig, sig_hex);
  hex_encode(key->pk, sizeof key->pk, pk_hex);
  rc = store_audit_checkpoint_insert(db, seq, hash_hex, at, pk_hex, sig_hex);
  if (rc == DB_OK) rc = db_commit(db);
  if (rc != DB_OK) {
    db_rollback(db);
    return rc;
  }
  if (file && *file) {
    /* The checkpoint is committed either way; a copy that could not be kept
       off the database is said loudly, since that copy is what catches a
       wholesale rewrite of the table. */
    int fd = open(file, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    /* Read access is only for checking the last byte; a file we may only write is appended to unchecked. */
    if (fd < 0 && errno == EACCES) fd = open(file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    if (fd < 0) {
      log_error("audit: checkpoint %lld not written to %s: %s", (long long)seq, file, strerror(errno));
    } else {
      bool torn = ends_torn(fd);
      if (torn) log_warn("audit: %s ended part-way through a line; checkpoint %lld starts a new one", file,
                         (long long)seq);
      char line[512];
      int n = snprintf(line, sizeof line, "%s%lld %s %lld %s %s\n", torn ? "\n" : "", (long long)seq, hash_hex,
                       (long long)at, pk_hex, sig_hex);
      assert(n > 0 && (size_t)n < sizeof line);
      ssize_t w = write(fd, line, (size_t)n);
      if (w != n || fsync(fd) != 0) {
        log_error("audit: checkpoint %lld not fully written to %s: %s", (long long)seq, file, strerror(errno));
      }
      close(fd);
    }
  }
  *seq_out = seq;
  return DB_OK;
}
