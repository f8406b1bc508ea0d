/*
** Bank holidays: seeding from the shipped table, and administrators' changes
** (each audited).
*/
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "service/service.h"
#include "store/casework.h"
#include "core/calendar.h"
#include "util/buf.h"
#include "util/embedded.h"
#include "util/timeutil.h"

/*
** Loads the England and Wales table into an empty bank_holidays table: the
** partnership's FILE (bank_holidays_file, CSV "date,name") when given, else
** the shipped config/bank-holidays.csv.  A table that already has days is
** left alone (administrators keep it).  *ADDED says how many were added.
** Call inside a write transaction; on failure ERR says why.
*/
int svc_holidays_seed(struct db *db, const char *file, int *added, char *err, size_t errlen) {
  *added = 0;
  json_t *existing = NULL;
  int rc = store_holiday_list(db, &existing);
  if (rc != DB_OK) return rc;
  size_t have = json_array_size(existing);
  json_decref(existing);
  if (have > 0) return DB_OK;
  char *owned = NULL;
  const char *text;
  const char *source = "shipped";
  if (file && *file) {
    FILE *fp = fopen(file, "r");
    if (!fp) {
      snprintf(err, errlen, "%s: %s", file, strerror(errno));
      return DB_ERROR;
    }
    struct buf b = BUF_INIT;
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0) buf_append(&b, chunk, n);
    fclose(fp);
    owned = buf_steal(&b);
    text = owned;
    source = "bank_holidays_file";
    /* Check the whole file first: a bad line refuses it all, naming the line. */
    struct calendar check;
    calendar_init(&check, 540, 1020);
    char why[256];
    int bad = calendar_load_csv(&check, text, why, sizeof why);
    calendar_free(&check);
    if (bad != 0) {
      snprintf(err, errlen, "%s: %s", file, why);
      free(owned);
      return DB_ERROR;
    }
  } else {
    const struct embedded_file *f = embedded_find("bank-holidays.csv");
    if (!f) return DB_OK;
    text = f->data;
  }
  int64_t now = time_now();
  const char *p = text;
  int line = 0;
  while (*p) {
    const char *nl = strchr(p, '\n');
    size_t len = nl ? (size_t)(nl - p) : strlen(p);
    char row[256];
    snprintf(row, sizeof row, "%.*s", (int)(len < sizeof row ? len : sizeof row - 1), p);
    p = nl ? nl + 1 : p + len;
    if (line++ == 0 || strlen(row) < 12 || row[10] != ',') continue;
    row[10] = '\0';
    int64_t day;
    if (!date_parse(row, &day)) continue;
    rc = store_holiday_add(db, row, row + 11, source, now);
    if (rc == DB_CONSTRAINT) continue; /* the same day listed twice */
    if (rc != DB_OK) {
      snprintf(err, errlen, "%s", db_error(db));
      free(owned);
      return rc;
    }
    (*added)++;
  }
  free(owned);
  return DB_OK;
}

static bool check_day(json_t *v, char *why, size_t n) {
  int64_t d;
  if (date_parse(json_string_value(v), &d)) return true;
  snprintf(why, n, "must be a real date written YYYY-MM-DD");
  return false;
}

static const struct field_spec HOLIDAY_FIELDS[] = {
    {"date", F_STRING, F_REQUIRED, 10, check_day, NULL},
    {"name", F_STRING, F_REQUIRED, 100, NULL, NULL},
    {NULL, 0, 0, 0, NULL, NULL},
};

/* Adds a bank holiday from INPUT {"date","name"}; SVC_CONFLICT when that day is one already. */
int svc_holiday_add(struct req *r, json_t *input, struct field_errors *errs) {
  if (!fields_check(input, HOLIDAY_FIELDS, NULL, false, errs)) return SVC_INVALID;
  struct db *db = req_db(r);
  if (!db) return SVC_ERROR;
  const char *day = json_string_value(json_object_get(input, "date"));
  int rc = db_begin(db);
  if (rc == DB_OK) rc = store_holiday_add(db, day, json_string_value(json_object_get(input, "name")), r->who.username,
                                          time_now());
  if (rc == DB_CONSTRAINT) {
    db_rollback(db);
    ferr_add(errs, "date", "is already a bank holiday");
    return SVC_CONFLICT;
  }
  json_t *d = json_pack("{s:s}", "date", day);
  if (rc == DB_OK) rc = req_audit_tx(r, "bank_holiday.add", "bank_holiday", day, d);
  if (rc == DB_OK) rc = db_commit(db);
  json_decref(d);
  if (rc != DB_OK) {
    db_rollback(db);
    return SVC_ERROR;
  }
  return SVC_OK;
}

/* Removes the bank holiday on DAY; SVC_NOT_FOUND when it is not one. */
int svc_holiday_delete(struct req *r, const char *day) {
  struct db *db = req_db(r);
  if (!db) return SVC_ERROR;
  int rc = db_begin(db);
  if (rc == DB_OK) rc = store_holiday_delete(db, day);
  if (rc == DB_DONE) {
    db_rollback(db);
    return SVC_NOT_FOUND;
  }
  if (rc == DB_OK) rc = req_audit_tx(r, "bank_holiday.delete", "bank_holiday", day, NULL);
  if (rc == DB_OK) rc = db_commit(db);
  if (rc != DB_OK) {
    db_rollback(db);
    return SVC_ERROR;
  }
  return SVC_OK;
}
