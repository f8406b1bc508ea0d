/*
** libFuzzer target for configuration files (config/config.h): the input is
** written to a temporary file and read with config_load_file.  The result is
** compared with a reference reader of the documented format ("name = value"
** lines, '#' starts a comment, blank lines ignored, names and values trimmed,
** lines of 4095 bytes or more refused) that applies each line with
** config_set: both must agree on success, on the settings that result and on
** the line an error names.  Loading the same file again must give the same
** settings.  Inputs holding a NUL byte are only checked for memory safety,
** since a text file has none and the reader's handling of one is not defined.
*/
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "config/config.h"
#include "fuzz.h"

#define LINE_MAX_BYTES 4095 /* config.c reads lines into 4096 bytes with fgets */

static char path[4096];

/* Removes the temporary file when libFuzzer exits normally. */
static void remove_file(void) { unlink(path); }

/* Creates the temporary file every input is written to (under $TMPDIR, which the runner sets). */
int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  const char *dir = getenv("TMPDIR");
  snprintf(path, sizeof path, "%s/safehub-fuzz-config-XXXXXX", dir && *dir ? dir : "/tmp");
  int fd = mkstemp(path);
  if (fd < 0) {
    perror("fuzz_config: mkstemp");
    abort();
  }
  close(fd);
  atexit(remove_file);
  return 0;
}

/* White space as isspace() in the C locale. */
static bool ws(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'; }

/* A new copy of S[0..N) without leading and trailing white space. */
static char *trimmed(const char *s, size_t n) {
  while (n > 0 && ws(*s)) s++, n--;
  while (n > 0 && ws(s[n - 1])) n--;
  char *t = malloc(n + 1);
  if (!t) abort();
  memcpy(t, s, n);
  t[n] = '\0';
  return t;
}

/*
** Reference reader over the text D[0..N) (no NUL in it): returns 0, or the
** 1-based number of the line that stops the load.
*/
static int ref_load(struct config *c, const char *d, size_t n) {
  int lineno = 0;
  size_t i = 0;
  while (i < n) {
    lineno++;
    const char *nl = memchr(d + i, '\n', n - i);
    size_t len = nl ? (size_t)(nl - (d + i)) : n - i;
    if (len >= LINE_MAX_BYTES) return lineno;
    const char *line = d + i;
    i += len + 1;
    const char *hash = memchr(line, '#', len);
    if (hash) len = (size_t)(hash - line);
    size_t k = 0;
    while (k < len && ws(line[k])) k++;
    if (k == len) continue;
    const char *eq = memchr(line, '=', len);
    if (!eq) return lineno;
    char *name = trimmed(line, (size_t)(eq - line));
    char *value = trimmed(eq + 1, len - (size_t)(eq - line) - 1);
    char err[256];
    int rc = config_set(c, name, value, err, sizeof err);
    free(name);
    free(value);
    if (rc != 0) return lineno;
  }
  return 0;
}

/* True when A and B are both NULL or equal strings. */
static bool same_str(const char *a, const char *b) {
  return (a == NULL) == (b == NULL) && (!a || strcmp(a, b) == 0);
}

/* True when every setting of A equals that of B (the fields of struct config in config.h). */
static bool same_config(const struct config *a, const struct config *b) {
#define S(f) same_str(a->f, b->f)
#define N(f) (a->f == b->f)
  return S(db) && S(db_replica) && N(db_pool_size) && S(listen) && S(tls_cert) && S(tls_key) &&
         S(public_url) && N(trust_proxy) && N(threads) && N(connection_timeout) &&
         N(per_ip_connection_limit) && N(max_body) && N(session_idle_timeout) &&
         N(session_absolute_timeout) && N(password_min_length) && N(login_max_failures) &&
         N(lockout_seconds) && N(password_hash_concurrency) && S(totp_roles) && S(totp_issuer) &&
         S(audit_key_file) && S(audit_checkpoint_file) && N(audit_checkpoint_interval) &&
         N(audit_batch_max) && S(access_log) && S(assets_dir) && S(risk_tool_file) &&
         S(bank_holidays_file) && S(smtp_host) && N(smtp_port) && S(smtp_from) && N(sla_interval);
#undef S
#undef N
}

/* Writes DATA to the temporary file, replacing what was there. */
static void write_file(const uint8_t *data, size_t size) {
  FILE *f = fopen(path, "wb");
  if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f) != 0) {
    perror("fuzz_config: writing the temporary file");
    abort();
  }
}

/* Loads the input as a configuration file and checks it against the reference reader. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  write_file(data, size);
  struct config got, again, want;
  char err[512] = "", err2[512] = "";
  config_defaults(&got);
  int rc = config_load_file(&got, path, err, sizeof err);
  CHECK(rc == 0 || rc == -1);
  if (rc != 0) {
    /* The error names the file and a line: "PATH:LINE: why". */
    size_t pl = strlen(path);
    CHECK(strncmp(err, path, pl) == 0 && err[pl] == ':');
  }
  /* The same file gives the same outcome. */
  config_defaults(&again);
  CHECK(config_load_file(&again, path, err2, sizeof err2) == rc);
  CHECK(strcmp(err, err2) == 0);
  CHECK(same_config(&got, &again));

  if (size == 0 || !memchr(data, '\0', size)) {
    config_defaults(&want);
    int bad_line = ref_load(&want, (const char *)data, size);
    CHECK((rc == 0) == (bad_line == 0));
    if (rc == 0) {
      CHECK(same_config(&got, &want));
    } else {
      char prefix[4200];
      snprintf(prefix, sizeof prefix, "%s:%d:", path, bad_line);
      CHECK(strncmp(err, prefix, strlen(prefix)) == 0);
    }
    config_free(&want);
  }
  config_free(&again);
  config_free(&got);
  return 0;
}
