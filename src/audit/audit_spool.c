/*
** The audit spool: an append-only file where the audit writer makes entries
** durable before their requests are answered (see audit.h).
**
** Putting an entry into the chained table costs B-tree inserts into two
** indexes and, per commit, a write of every page they touched; doing that for
** each small batch of reads is what made auditing reads expensive.  Appending
** to this file costs a write() and an fdatasync() per batch.  The writer's
** mover then puts spooled entries into the table in large transactions, and
** records in the same transaction how far it got (audit_spools), so a crash
** at any point neither loses nor repeats an entry: at start the entries after
** that mark are moved again.  The file is emptied whenever all of it has been
** moved and, since under steady use that moment may never come, rewritten
** with only the entries not yet moved once it has grown past a threshold
** (audit_spool_rewrite).
**
** A record is its body's length (4 bytes, big-endian), the body (the spool
** number, the time, and the eleven fields of an entry, each as a 4-byte length
** and its bytes, 0xFFFFFFFF for NULL) and a 16-byte BLAKE2b of the previous
** record's check, the length and the body.  Reading stops at the first record
** that is cut short or does not check: such a tail was never acknowledged (its
** fdatasync had not returned) and is cut off, with a warning in the log.  The
** chained checks also make an edit of a spooled entry stop recovery there,
** and a gap then shows between the log and the signed checkpoints.  Appending
** refuses an entry that reading back would refuse, so nothing acknowledged is
** ever cut off by a record after it.
**
** The writer asks for the file to be filled with zeros ahead of the records
** (audit_spool_prefill): a batch then overwrites blocks that already exist,
** and its fdatasync writes only them, not the file's size and allocation as
** well, which made each flush about half as expensive.  Zeros after the last
** record are an end, not damage: they are kept at open, with no warning.
*/
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <sodium.h>
#include "audit/audit.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/xalloc.h"

static const char SPOOL_TAG[] = "safehub.audit.spool.v1";

#define FIELDS 11

struct audit_spool {
  int fd;
  bool broken;                      /* a failed append could not be cut back: refuse further appends */
  char *path;
  uint8_t check[AUDIT_SPOOL_CHECK]; /* of the last record in the file; zeros when empty */
  int64_t last_no;                  /* the last spool number written (or known moved) */
  size_t size;                      /* bytes of whole records in the file */
  size_t filled;                    /* bytes of the file written: the records, then zeros (>= size) */
  size_t prefill;                   /* zeros to keep written ahead of the records (0: none) */
  size_t cut;                       /* bytes cut off at open (0: none) */
  char *cut_path;                   /* where they were kept, or NULL */
};

static bool all_zero(const uint8_t *p, size_t n) {
  for (size_t i = 0; i < n; i++) {
    if (p[i]) return false;
  }
  return true;
}

static void put_u32(struct buf *b, uint32_t v) {
  uint8_t x[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
  buf_append(b, x, 4);
}

static void put_u64(struct buf *b, uint64_t v) {
  put_u32(b, (uint32_t)(v >> 32));
  put_u32(b, (uint32_t)v);
}

static uint32_t get_u32(const uint8_t *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static uint64_t get_u64(const uint8_t *p) { return (uint64_t)get_u32(p) << 32 | get_u32(p + 4); }

static void put_field(struct buf *b, const char *s) {
  if (!s) {
    put_u32(b, 0xFFFFFFFFu);
    return;
  }
  size_t n = strlen(s);
  put_u32(b, (uint32_t)n);
  buf_append(b, s, n);
}

/* The entry's fields in their spool order, as pointers into R. */
static char **field_slot(struct audit_row *r, int i) {
  char **slots[FIELDS] = {&r->actor_id, &r->actor, &r->role,    &r->agency,  &r->action, &r->object_type,
                          &r->object_id, &r->outcome, &r->purpose, &r->ip, &r->details};
  return slots[i];
}

/* The check of a record: BLAKE2b-128 over the tag, PREV, and the length and body at REC. */
static void record_check(const uint8_t prev[AUDIT_SPOOL_CHECK], const uint8_t *rec, size_t len,
                         uint8_t out[AUDIT_SPOOL_CHECK]) {
  crypto_generichash_state h;
  crypto_generichash_init(&h, NULL, 0, AUDIT_SPOOL_CHECK);
  crypto_generichash_update(&h, (const uint8_t *)SPOOL_TAG, sizeof SPOOL_TAG);
  crypto_generichash_update(&h, prev, AUDIT_SPOOL_CHECK);
  crypto_generichash_update(&h, rec, len);
  crypto_generichash_final(&h, out, AUDIT_SPOOL_CHECK);
}

/*
** Appends to OUT the record of entry R as spool number NO after a record
** whose check was CHECK, and sets CHECK to this record's.  Pure.
*/
void audit_spool_encode(struct buf *out, uint8_t check[AUDIT_SPOOL_CHECK], int64_t no, struct audit_row *r) {
  size_t start = out->len;
  put_u32(out, 0); /* the body's length, filled in below */
  put_u64(out, (uint64_t)no);
  put_u64(out, (uint64_t)r->at);
  for (int i = 0; i < FIELDS; i++) put_field(out, *field_slot(r, i));
  size_t body = out->len - start - 4;
  uint8_t *p = (uint8_t *)out->data + start;
  p[0] = (uint8_t)(body >> 24);
  p[1] = (uint8_t)(body >> 16);
  p[2] = (uint8_t)(body >> 8);
  p[3] = (uint8_t)body;
  record_check(check, (const uint8_t *)out->data + start, body + 4, check);
  buf_append(out, check, AUDIT_SPOOL_CHECK);
}

/* One body into a new entry; NULL when the fields do not fill it exactly. */
static struct audit_row *decode_body(const uint8_t *p, size_t len, int64_t *no) {
  if (len < 16) return NULL;
  struct audit_row *r = xcalloc(1, sizeof *r);
  *no = (int64_t)get_u64(p);
  r->at = (int64_t)get_u64(p + 8);
  size_t off = 16;
  for (int i = 0; i < FIELDS; i++) {
    if (len - off < 4) goto bad;
    uint32_t n = get_u32(p + off);
    off += 4;
    if (n == 0xFFFFFFFFu) continue;
    if (n > len - off || memchr(p + off, '\0', n)) goto bad;
    char *s = xmalloc((size_t)n + 1);
    memcpy(s, p + off, n);
    s[n] = '\0';
    *field_slot(r, i) = s;
    off += n;
  }
  /* The fields every entry has (audit_row_new always sets them). */
  if (off != len || !r->actor || !r->action || !r->outcome || !r->details) goto bad;
  return r;
bad:
  store_audit_row_free(r);
  free(r);
  return NULL;
}

/*
** Reads the records in BUF[LEN], a spool file's contents.  Sets *ROWS and
** *NOS (both allocated; the caller frees the rows with audit_rows_free and
** both arrays with free) to the N entries and their spool numbers, CHECK to
** the last good record's check, and returns the bytes of good records: the
** file is cut there.  Records whose numbers do not rise are not good either.
** Pure: nothing in BUF is trusted.
*/
size_t audit_spool_decode(const uint8_t *buf, size_t len, struct audit_row ***rows, int64_t **nos, int *n,
                          uint8_t check[AUDIT_SPOOL_CHECK]) {
  size_t off = 0;
  int cap = 0;
  *rows = NULL;
  *nos = NULL;
  *n = 0;
  memset(check, 0, AUDIT_SPOOL_CHECK);
  while (len - off >= 4) {
    uint32_t body = get_u32(buf + off);
    if (body > AUDIT_SPOOL_MAX_RECORD || len - off - 4 < (size_t)body + AUDIT_SPOOL_CHECK) break;
    uint8_t want[AUDIT_SPOOL_CHECK];
    record_check(check, buf + off, (size_t)body + 4, want);
    if (sodium_memcmp(want, buf + off + 4 + body, AUDIT_SPOOL_CHECK) != 0) break;
    int64_t no;
    struct audit_row *r = decode_body(buf + off + 4, body, &no);
    if (!r) break;
    if (no <= 0 || (*n > 0 && no <= (*nos)[*n - 1])) {
      store_audit_row_free(r);
      free(r);
      break;
    }
    if (*n == cap) {
      cap = cap ? cap * 2 : 64;
      *rows = xrealloc(*rows, (size_t)cap * sizeof **rows);
      *nos = xrealloc(*nos, (size_t)cap * sizeof **nos);
    }
    (*rows)[*n] = r;
    (*nos)[*n] = no;
    (*n)++;
    memcpy(check, want, AUDIT_SPOOL_CHECK);
    off += 4 + (size_t)body + AUDIT_SPOOL_CHECK;
  }
  return off;
}

/* Makes the entry of a new file in its folder durable, so the file itself survives a power cut. */
static int sync_parent(const char *path) {
  char *dir = xstrdup(path);
  char *slash = strrchr(dir, '/');
  if (slash == dir) slash[1] = '\0';
  else if (slash) *slash = '\0';
  else strcpy(dir, ".");
  int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  free(dir);
  if (dfd < 0) return -1;
  int rc = fsync(dfd);
  close(dfd);
  return rc;
}

/*
** Saves the LEN bytes at P cut off the spool at PATH beside it, as
** PATH.cut-SECONDS (mode 0600, flushed), for whoever looks into why.
** Returns the new file's path (caller frees), or NULL if it could not be
** written.
*/
static char *keep_aside(const char *path, const uint8_t *p, size_t len) {
  struct buf name = BUF_INIT;
  buf_printf(&name, "%s.cut-%lld", path, (long long)time(NULL));
  int fd = open(buf_cstr(&name), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  size_t off = 0;
  bool ok = fd >= 0;
  while (ok && off < len) {
    ssize_t w = write(fd, p + off, len - off);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) ok = false;
    else off += (size_t)w;
  }
  if (ok) ok = fdatasync(fd) == 0 && sync_parent(buf_cstr(&name)) == 0;
  if (fd >= 0) close(fd);
  if (!ok) {
    buf_free(&name);
    return NULL;
  }
  return buf_steal(&name);
}

/*
** Opens (creating it, mode 0600) the spool at PATH and takes it for this
** process: a second server on the same spool is refused.  Returns what it
** holds as audit_spool_decode does, having cut off any torn tail.  Returns
** NULL with ERR on failure.
*/
struct audit_spool *audit_spool_open(const char *path, struct audit_row ***rows, int64_t **nos, int *n, char *err,
                                     size_t errlen) {
  bool existed = access(path, F_OK) == 0;
  int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    snprintf(err, errlen, "%s: %s", path, strerror(errno));
    return NULL;
  }
  if (!existed && sync_parent(path) != 0) {
    snprintf(err, errlen, "%s: cannot make its creation durable: %s", path, strerror(errno));
    close(fd);
    return NULL;
  }
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    snprintf(err, errlen, "%s: in use by another Safehub server", path);
    close(fd);
    return NULL;
  }
  struct buf b = BUF_INIT;
  uint8_t chunk[65536];
  ssize_t got;
  while ((got = read(fd, chunk, sizeof chunk)) != 0) {
    if (got < 0) {
      if (errno == EINTR) continue;
      snprintf(err, errlen, "%s: %s", path, strerror(errno));
      buf_free(&b);
      close(fd);
      return NULL;
    }
    buf_append(&b, chunk, (size_t)got);
  }
  struct audit_spool *sp = xcalloc(1, sizeof *sp);
  sp->fd = fd;
  sp->path = xstrdup(path);
  sp->size = audit_spool_decode((const uint8_t *)b.data, b.len, rows, nos, n, sp->check);
  sp->last_no = *n > 0 ? (*nos)[*n - 1] : 0;
  /* Zeros after the records were written ahead of them: the end, kept as left. */
  bool torn = sp->size < b.len && !all_zero((const uint8_t *)b.data + sp->size, b.len - sp->size);
  sp->filled = torn ? sp->size : b.len;
  if (torn) {
    /* A crash mid-append leaves a short last batch; anything else here was damaged or altered, and may hold
       entries already acknowledged.  Either way the bytes are kept, and the caller records the cut. */
    sp->cut = b.len - sp->size;
    sp->cut_path = keep_aside(path, (const uint8_t *)b.data + sp->size, sp->cut);
    log_error("audit spool %s: %zu bytes after entry %lld are not whole records that check; cut off and kept in %s "
              "(a batch torn by a crash, or a damaged or altered file)",
              path, sp->cut, (long long)sp->last_no, sp->cut_path ? sp->cut_path : "(nowhere: they could not be saved)");
  }
  if (torn && (ftruncate(fd, (off_t)sp->size) != 0 || fdatasync(fd) != 0)) {
    snprintf(err, errlen, "%s: cannot cut off a torn tail: %s", path, strerror(errno));
    buf_free(&b);
    audit_rows_free(*rows, *n);
    free(*rows);
    free(*nos);
    audit_spool_close(sp);
    return NULL;
  }
  buf_free(&b);
  return sp;
}

void audit_spool_close(struct audit_spool *sp) {
  if (!sp) return;
  close(sp->fd);
  free(sp->path);
  free(sp->cut_path);
  free(sp);
}

/* Bytes cut off at open (0: none), and in *KEPT_IN where they were kept (NULL if nowhere; owned by SP). */
size_t audit_spool_cut(const struct audit_spool *sp, const char **kept_in) {
  *kept_in = sp->cut_path;
  return sp->cut;
}

/* The last spool number written; numbers continue from at least MOVED after a restart. */
int64_t audit_spool_last(const struct audit_spool *sp) { return sp->last_no; }
void audit_spool_continue_after(struct audit_spool *sp, int64_t moved) {
  if (moved > sp->last_no) sp->last_no = moved;
}
size_t audit_spool_size(const struct audit_spool *sp) { return sp->size; }

/* From now on keeps up to BYTES of zeros written after the records (0: none); see fill_ahead. */
void audit_spool_prefill(struct audit_spool *sp, size_t bytes) { sp->prefill = bytes; }

/*
** Writes zeros from the end of what is written to END and then some: twice
** what the spool holds, at least 64 KiB, at most the prefill.  So a spool
** emptied every second under light use writes little, and a busy one extends
** rarely.  On failure puts the file back as it was and returns -1 (the batch
** is then simply appended, growing the file).
*/
static int fill_ahead(struct audit_spool *sp, size_t end) {
  static const uint8_t zeros[65536];
  size_t ahead = 2 * sp->size > sizeof zeros ? 2 * sp->size : sizeof zeros;
  if (ahead > sp->prefill) ahead = sp->prefill;
  size_t target = end + ahead;
  size_t at = sp->filled;
  while (at < target) {
    size_t len = target - at < sizeof zeros ? target - at : sizeof zeros;
    ssize_t w = pwrite(sp->fd, zeros, len, (off_t)at);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) {
      log_warn("audit spool %s: cannot write ahead (%s); appending without", sp->path, w < 0 ? strerror(errno) : "short write");
      if (ftruncate(sp->fd, (off_t)sp->filled) != 0) sp->broken = true;
      return -1;
    }
    at += (size_t)w;
  }
  /* Flushed now, on their own: otherwise each later batch's fdatasync would write out zeros it then overwrites. */
  if (fdatasync(sp->fd) != 0) {
    log_warn("audit spool %s: cannot flush the zeros written ahead (%s); appending without", sp->path, strerror(errno));
    if (ftruncate(sp->fd, (off_t)sp->filled) != 0) sp->broken = true;
    return -1;
  }
  sp->filled = target;
  return 0;
}

/*
** Appends ROWS[N] with the next spool numbers and makes them durable (one
** write and one fdatasync).  Returns the last number given, or 0 on failure,
** when the file is put back as it was and nothing is numbered.
*/
int64_t audit_spool_append(struct audit_spool *sp, struct audit_row **rows, int n) {
  assert(n > 0);
  if (sp->broken) return 0;
  struct buf b = BUF_INIT;
  uint8_t check[AUDIT_SPOOL_CHECK];
  memcpy(check, sp->check, sizeof check);
  for (int i = 0; i < n; i++) {
    /* Only what reading back accepts may be acknowledged: a record refused there would cut off all after it. */
    size_t at = b.len;
    struct audit_row *r = rows[i];
    audit_spool_encode(&b, check, sp->last_no + 1 + i, r);
    if (b.len - at - 4 - AUDIT_SPOOL_CHECK > AUDIT_SPOOL_MAX_RECORD || !r->actor || !r->action || !r->outcome ||
        !r->details) {
      log_error("audit spool %s: an entry is too large or lacks a required field; %d entries refused", sp->path, n);
      buf_free(&b);
      return 0;
    }
  }
  if (sp->prefill > 0 && sp->size + b.len > sp->filled) fill_ahead(sp, sp->size + b.len);
  size_t off = 0;
  bool ok = !sp->broken;
  while (ok && off < b.len) {
    ssize_t w = pwrite(sp->fd, b.data + off, b.len - off, (off_t)(sp->size + off));
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) {
      ok = false;
      break;
    }
    off += (size_t)w;
  }
  if (ok && fdatasync(sp->fd) != 0) ok = false;
  if (!ok) {
    log_error("audit spool %s: cannot append %d entries: %s", sp->path, n, strerror(errno));
    /* Records of a batch reported unwritten must not survive to be read back (and numbered again). */
    if (ftruncate(sp->fd, (off_t)sp->size) != 0 || fdatasync(sp->fd) != 0) {
      log_error("audit spool %s: cannot cut back (%s): refusing further entries until restarted", sp->path,
                strerror(errno));
      sp->broken = true;
    }
    sp->filled = sp->size;
    buf_free(&b);
    return 0;
  }
  sp->size += b.len;
  if (sp->filled < sp->size) sp->filled = sp->size;
  sp->last_no += n;
  memcpy(sp->check, check, sizeof check);
  buf_free(&b);
  return sp->last_no;
}

/* Empties the file once everything in it is in the table; numbering goes on. */
int audit_spool_reset(struct audit_spool *sp) {
  if (ftruncate(sp->fd, 0) != 0) {
    log_error("audit spool %s: cannot empty: %s", sp->path, strerror(errno));
    return -1;
  }
  sp->size = 0;
  sp->filled = 0;
  memset(sp->check, 0, sizeof sp->check);
  return 0;
}

/*
** Replaces the file with one holding only ROWS[N], the entries not yet moved,
** numbered FIRST_NO on, so that a spool never empty under steady use does not
** grow without bound.  The new file is written, flushed and locked beside the
** old one, renamed over it and the rename made durable, so a crash leaves
** either file whole, and each holds every entry not yet in the table.
** Numbering goes on from the last number given.  Returns 0, or -1 with the
** old file still in use (or, if the rename could not be made durable, with
** further appends refused until a restart: they might not survive).
*/
int audit_spool_rewrite(struct audit_spool *sp, struct audit_row **rows, int64_t first_no, int n) {
  assert(n >= 0);
  assert(n == 0 || first_no + n - 1 == sp->last_no);
  if (sp->broken) return -1;
  if (n == 0) return audit_spool_reset(sp);
  struct buf b = BUF_INIT;
  uint8_t check[AUDIT_SPOOL_CHECK] = {0};
  for (int i = 0; i < n; i++) audit_spool_encode(&b, check, first_no + i, rows[i]);
  struct buf tmp = BUF_INIT;
  buf_printf(&tmp, "%s.new", sp->path);
  int fd = open(buf_cstr(&tmp), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  bool ok = fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0;
  size_t off = 0;
  while (ok && off < b.len) {
    ssize_t w = pwrite(fd, b.data + off, b.len - off, (off_t)off);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) ok = false;
    else off += (size_t)w;
  }
  if (ok) ok = fdatasync(fd) == 0 && rename(buf_cstr(&tmp), sp->path) == 0;
  if (!ok) {
    log_error("audit spool %s: cannot rewrite it without its moved entries (%s); it goes on growing", sp->path,
              strerror(errno));
    if (fd >= 0) {
      close(fd);
      unlink(buf_cstr(&tmp));
    }
    buf_free(&tmp);
    buf_free(&b);
    return -1;
  }
  buf_free(&tmp);
  buf_free(&b);
  close(sp->fd); /* the old file is no longer in the folder; its lock goes with it */
  sp->fd = fd;
  sp->size = sp->filled = off;
  memcpy(sp->check, check, sizeof check);
  if (sync_parent(sp->path) != 0) {
    log_error("audit spool %s: cannot make its rewrite durable (%s): refusing further entries until restarted",
              sp->path, strerror(errno));
    sp->broken = true;
    return -1;
  }
  return 0;
}

/*
** The name the table keeps the spool's progress under (caller frees): the
** host's name and the file's absolute path, so that servers on several hosts
** sharing one PostgreSQL database never take each other's marks.
*/
char *audit_spool_name(const char *path) {
  char host[256] = "";
  if (gethostname(host, sizeof host) != 0) host[0] = '\0';
  host[sizeof host - 1] = '\0';
  char *abs = realpath(path, NULL);
  struct buf b = BUF_INIT;
  buf_printf(&b, "%s:%s", host, abs ? abs : path);
  free(abs);
  return buf_steal(&b);
}
