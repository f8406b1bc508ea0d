/*
** Throttling of sign-in attempts for usernames that do not exist.  Known
** accounts count failures in the database; unknown names count here, in
** memory, so that both lock after the same number of failures and a 429
** never reveals whether a username exists.
*/
#ifndef SAFEHUB_HTTP_THROTTLE_H
#define SAFEHUB_HTTP_THROTTLE_H
#include <stdint.h>

struct throttle;
struct throttle *throttle_new(void);
void throttle_free(struct throttle *t);
int64_t throttle_locked(struct throttle *t, const char *name, int64_t now);
int throttle_fail(struct throttle *t, const char *name, int64_t now);
void throttle_lock(struct throttle *t, const char *name, int64_t now, int64_t until);
unsigned throttle_slot(const struct throttle *t, const char *name);

#endif
