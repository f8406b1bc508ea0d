/*
** Authentication of requests: session cookies and bearer tokens, CSRF and
** same-origin checks, starting and ending sessions, and the password check
** with its throttling.
**
** Session ids and tokens are 32 random bytes; only their BLAKE2b hashes are
** stored, so the sessions table is useless to whoever copies it.  Secrets are
** compared with sodium_memcmp.  A session expires after session_idle_timeout
** without use or session_absolute_timeout after sign-in, whichever is first.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <microhttpd.h>
#include <sodium.h>
#include "core/password.h"
#include "http/app.h"
#include "http/auth.h"
#include "http/credcache.h"
#include "http/http.h"
#include "http/throttle.h"
#include "store/store.h"
#include "util/codec.h"
#include "util/timeutil.h"

/* Sessions are touched at most this often, to keep reads from writing. */
#define TOUCH_EVERY 60

/* Hex BLAKE2b-256 of SECRET into OUT[65]. */
void auth_hash_secret(const char *secret, char out[65]) {
  uint8_t h[32];
  crypto_generichash(h, sizeof h, (const uint8_t *)secret, strlen(secret), NULL, 0);
  hex_encode(h, sizeof h, out);
}

/* The session cookie's name: the __Host- prefix needs Secure, so only then. */
const char *auth_cookie_name(const struct app *app) {
  return app->secure_cookies ? "__Host-safehub" : "safehub_session";
}

static int load_principal(struct req *r, const char *user_id) {
  int rc = store_principal_for_user(req_db(r), user_id, &r->who);
  if (rc == DB_ROW) return AUTH_OK;
  memset(&r->who, 0, sizeof r->who);
  return rc == DB_DONE ? AUTH_BAD : AUTH_ERROR;
}

static int from_session(struct req *r, const char *cookie, int64_t epoch) {
  char hash[65];
  auth_hash_secret(cookie, hash);
  int64_t now = time_now();
  const struct config *cfg = r->app->cfg;
  struct cred c;
  bool cached = credcache_get(r->app->creds, hash, epoch, now, &c);
  /* Sessions and tokens share the cache: an API token sent as the cookie is no session (nor the reverse). */
  if (cached && c.who.kind != AUTH_SESSION) return AUTH_BAD;
  if (!cached) {
    struct db *db = req_db(r);
    if (!db) return AUTH_ERROR;
    struct session s;
    int rc = store_session_get(db, hash, &s);
    if (rc == DB_DONE) return AUTH_BAD;
    if (rc != DB_ROW) return AUTH_ERROR;
    rc = load_principal(r, s.user_id);
    if (rc != AUTH_OK) return rc;
    r->who.kind = AUTH_SESSION;
    snprintf(r->who.session_hash, sizeof r->who.session_hash, "%s", hash);
    snprintf(r->who.csrf_token, sizeof r->who.csrf_token, "%s", s.csrf_token);
    snprintf(r->who.stage, sizeof r->who.stage, "%s", s.stage);
    c.who = r->who;
    c.created_at = s.created_at;
    c.last_seen_at = s.last_seen_at;
    credcache_put(r->app->creds, hash, &c, epoch, now);
  }
  if (now - c.last_seen_at > cfg->session_idle_timeout || now - c.created_at > cfg->session_absolute_timeout) {
    struct db *db = req_db(r);
    if (db) store_session_delete(db, hash);
    memset(&r->who, 0, sizeof r->who);
    return AUTH_EXPIRED;
  }
  r->who = c.who;
  if (now - c.last_seen_at >= TOUCH_EVERY) {
    struct db *db = req_db(r);
    if (!db) return AUTH_ERROR;
    store_session_touch(db, hash, now);
    c.last_seen_at = now;
    credcache_put(r->app->creds, hash, &c, epoch, now);
  }
  return AUTH_OK;
}

static int from_token(struct req *r, const char *token, int64_t epoch) {
  char hash[65];
  auth_hash_secret(token, hash);
  int64_t now = time_now();
  struct cred c;
  bool cached = credcache_get(r->app->creds, hash, epoch, now, &c);
  if (cached && c.who.kind != AUTH_TOKEN) return AUTH_BAD;
  if (!cached) {
    struct db *db = req_db(r);
    if (!db) return AUTH_ERROR;
    struct api_token t;
    int rc = store_token_by_hash(db, hash, &t);
    if (rc == DB_DONE) return AUTH_BAD;
    if (rc != DB_ROW) return AUTH_ERROR;
    if (t.revoked_at) return AUTH_BAD;
    rc = load_principal(r, t.user_id);
    if (rc != AUTH_OK) return rc;
    r->who.kind = AUTH_TOKEN;
    snprintf(r->who.token_id, sizeof r->who.token_id, "%s", t.id);
    snprintf(r->who.stage, sizeof r->who.stage, "full");
    c.who = r->who;
    c.created_at = t.created_at;
    c.last_seen_at = t.last_used_at;
    credcache_put(r->app->creds, hash, &c, epoch, now);
  }
  r->who = c.who;
  if (now - c.last_seen_at >= TOUCH_EVERY) {
    struct db *db = req_db(r);
    if (!db) return AUTH_ERROR;
    store_token_touch(db, c.who.token_id, now);
    c.last_seen_at = now;
    credcache_put(r->app->creds, hash, &c, epoch, now);
  }
  return AUTH_OK;
}

/* The authentication epoch, from the cache while it may be trusted (credcache.h). */
static int current_epoch(struct req *r, int64_t *epoch) {
  uint64_t commits = db_commits(); /* before the read: a commit racing it forces the next one */
  int64_t now_ms = time_mono_ms();
  if (credcache_epoch(r->app->creds, commits, now_ms, epoch)) return DB_OK;
  if (!req_db(r) || store_auth_epoch(req_db(r), epoch) != DB_OK) return DB_ERROR;
  credcache_epoch_put(r->app->creds, *epoch, commits, now_ms);
  return DB_OK;
}

/*
** Works out who is calling from the Authorization header (bearer token) or
** the session cookie.  Returns AUTH_OK with r->who filled, AUTH_NONE_GIVEN when no
** credentials came, AUTH_BAD/AUTH_EXPIRED when they did not hold, or
** AUTH_ERROR when the database failed.
*/
int auth_authenticate(struct req *r) {
  memset(&r->who, 0, sizeof r->who);
  const char *authz = req_header(r, MHD_HTTP_HEADER_AUTHORIZATION);
  if (authz) {
    if (strncasecmp(authz, "Bearer ", 7) != 0 || strlen(authz + 7) < 20 || strlen(authz + 7) > 200)
      return AUTH_BAD;
    int64_t epoch;
    if (current_epoch(r, &epoch) != DB_OK) return AUTH_ERROR;
    return from_token(r, authz + 7, epoch);
  }
  const char *cookie = MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, auth_cookie_name(r->app));
  if (!cookie || !*cookie) return AUTH_NONE_GIVEN;
  if (strlen(cookie) > 100) return AUTH_BAD;
  int64_t epoch;
  if (current_epoch(r, &epoch) != DB_OK) return AUTH_ERROR;
  return from_session(r, cookie, epoch);
}

/* True when TOKEN equals the session's CSRF token (constant time). */
bool auth_csrf_ok(const struct req *r, const char *token) {
  if (!token) return false;
  size_t n = strlen(r->who.csrf_token);
  return n > 0 && strlen(token) == n && sodium_memcmp(token, r->who.csrf_token, n) == 0;
}

/*
** Refuses cross-site requests: Sec-Fetch-Site must be same-origin or none
** when sent, and Origin must name this host when sent.  Browsers send at least
** one on every unsafe request, so a forged form post from elsewhere fails here
** even before its missing CSRF token is noticed.
*/
bool auth_same_origin(struct req *r) {
  const char *site = req_header(r, "Sec-Fetch-Site");
  if (site && strcmp(site, "same-origin") != 0 && strcmp(site, "none") != 0) return false;
  const char *origin = req_header(r, "Origin");
  if (!origin) return true;
  /* Privacy modes may send "Origin: null"; trust it only beside the browser's own same-origin mark. */
  if (strcmp(origin, "null") == 0) return site && strcmp(site, "same-origin") == 0;
  const char *host = req_header(r, MHD_HTTP_HEADER_HOST);
  if (!host) return false;
  const char *p = strstr(origin, "://");
  if (!p) return false;
  return strcmp(p + 3, host) == 0;
}

static void set_session_cookie(struct req *r, const char *value, int max_age) {
  char cookie[256];
  snprintf(cookie, sizeof cookie, "%s=%s; Path=/; HttpOnly; SameSite=Strict%s; Max-Age=%d",
           auth_cookie_name(r->app), value, r->app->secure_cookies ? "; Secure" : "", max_age);
  resp_set_cookie(r, cookie);
}

/*
** Starts a new session for USER_ID at STAGE ("full", "totp" or "enrol"),
** ending any session the request came with (the id always changes at sign-in
** and at each step up, so a planted id is worthless).  Fills r->who and sets
** the cookie.  Returns DB_OK or an error.
*/
int auth_start_session(struct req *r, const char *user_id, const char *stage) {
  struct db *db = req_db(r);
  if (!db) return DB_ERROR;
  if (r->who.kind == AUTH_SESSION && r->who.session_hash[0]) {
    store_session_delete(db, r->who.session_hash);
  }
  uint8_t raw[32];
  randombytes_buf(raw, sizeof raw);
  char *id = base64url_encode(raw, sizeof raw);
  sodium_memzero(raw, sizeof raw);
  struct session s = {0};
  auth_hash_secret(id, s.id_hash);
  snprintf(s.user_id, sizeof s.user_id, "%s", user_id);
  randombytes_buf(raw, sizeof raw);
  char *csrf = base64url_encode(raw, sizeof raw);
  snprintf(s.csrf_token, sizeof s.csrf_token, "%s", csrf);
  free(csrf);
  snprintf(s.stage, sizeof s.stage, "%s", stage);
  s.created_at = s.last_seen_at = time_now();
  int rc = store_session_insert(db, &s);
  if (rc == DB_OK) rc = load_principal(r, user_id) == AUTH_OK ? DB_OK : DB_ERROR;
  if (rc == DB_OK) {
    r->who.kind = AUTH_SESSION;
    snprintf(r->who.session_hash, sizeof r->who.session_hash, "%s", s.id_hash);
    snprintf(r->who.csrf_token, sizeof r->who.csrf_token, "%s", s.csrf_token);
    snprintf(r->who.stage, sizeof r->who.stage, "%s", stage);
    snprintf(r->started_session, sizeof r->started_session, "%s", s.id_hash);
    set_session_cookie(r, id, r->app->cfg->session_absolute_timeout);
  }
  sodium_memzero(id, strlen(id));
  free(id);
  return rc;
}

/* Ends the request's session (if any) and clears the cookie. */
int auth_end_session(struct req *r) {
  int rc = DB_OK;
  if (r->who.kind == AUTH_SESSION && r->who.session_hash[0]) {
    struct db *db = req_db(r);
    rc = db ? store_session_delete(db, r->who.session_hash) : DB_ERROR;
    /* Whatever the database said, this process stops honouring the session at once. */
    credcache_forget(r->app->creds, r->who.session_hash);
  }
  set_session_cookie(r, "", 0);
  return rc;
}

/*
** Counts a failed sign-in for user U (NULL when USERNAME names nobody) and
** locks it once failures reach login_max_failures, for lockout_seconds
** doubling with each further failure.  Known and unknown names lock alike,
** so a 429 tells nobody whether a username exists.  Returns LOGIN_BAD,
** LOGIN_LOCKED (with *RETRY_AFTER) or LOGIN_ERROR.
*/
int auth_count_failure(struct req *r, const struct user *u, const char *username, int64_t *retry_after) {
  const struct config *cfg = r->app->cfg;
  int64_t now = time_now();
  int failed;
  if (u) {
    if (store_user_count_failure(req_db(r), u->id, now, &failed) != DB_OK) return LOGIN_ERROR;
  } else {
    if (!r->app->unknown_names) return LOGIN_BAD;
    failed = throttle_fail(r->app->unknown_names, username, now);
  }
  int64_t lock = password_lock_seconds(failed, cfg->login_max_failures, cfg->lockout_seconds);
  if (!lock) return LOGIN_BAD;
  if (u) {
    if (store_user_lock(req_db(r), u->id, now + lock) != DB_OK) return LOGIN_ERROR;
  } else {
    throttle_lock(r->app->unknown_names, username, now, now + lock);
  }
  *retry_after = lock;
  r->retry_after = lock;
  return LOGIN_LOCKED;
}

/*
** Checks USERNAME and PASSWORD with throttling, at most
** password_hash_concurrency hashes at once, spending a hash's time on every
** path (unknown name, locked account) so timing reveals nothing.  Fills *U
** for a known user.  Returns LOGIN_OK, LOGIN_BAD (unknown user or wrong
** password, told apart to nobody), LOGIN_LOCKED (with *RETRY_AFTER seconds),
** LOGIN_DISABLED or LOGIN_ERROR.  A success does not clear the failure count:
** that happens only when the whole sign-in, second factor included, succeeds.
*/
int auth_check_password(struct req *r, const char *username, const char *password, struct user *u,
                        int64_t *retry_after) {
  struct db *db = req_db(r);
  if (!db) return LOGIN_ERROR;
  int rc = store_user_by_username(db, username, u);
  if (rc < 0) return LOGIN_ERROR;
  int64_t now = time_now();
  bool known = rc == DB_ROW;
  int64_t locked = known ? (u->locked_until > now ? u->locked_until - now : 0)
                         : (r->app->unknown_names ? throttle_locked(r->app->unknown_names, username, now) : 0);
  sem_wait(&r->app->hash_slots);
  bool ok = false, rehash = false;
  char fresh[crypto_pwhash_STRBYTES];
  if (!known || locked) {
    password_dummy_verify(password);
  } else {
    ok = password_verify(u->password_hash, password);
    rehash = ok && password_needs_rehash(u->password_hash);
    if (rehash && password_hash(password, fresh, sizeof fresh) != 0) rehash = false;
  }
  sem_post(&r->app->hash_slots);
  if (locked) {
    *retry_after = locked;
    r->retry_after = locked;
    return LOGIN_LOCKED;
  }
  if (!ok) return auth_count_failure(r, known ? u : NULL, username, retry_after);
  if (u->disabled) return LOGIN_DISABLED;
  if (rehash) store_user_set_password(db, u->id, fresh, now);
  return LOGIN_OK;
}
