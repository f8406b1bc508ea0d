/*
** Who is making a request: the signed-in user, their role and agency, and
** how they authenticated.  Filled by http/auth.c from a session or token.
*/
#ifndef SAFEHUB_ACCESS_PRINCIPAL_H
#define SAFEHUB_ACCESS_PRINCIPAL_H
#include <stdbool.h>
#include "access/roles.h"
#include "util/codec.h"

/* AUTH_SYSTEM is an operator at the command line, acting with the admin role. */
enum auth_kind { AUTH_NONE, AUTH_SESSION, AUTH_TOKEN, AUTH_SYSTEM };

struct principal {
  enum auth_kind kind;
  char user_id[ID_MAX];
  char username[65];
  char name[129];
  enum role role;
  char agency_id[ID_MAX];
  char agency_code[33];
  char agency_name[129];
  char manager_id[ID_MAX];
  /* sessions only */
  char session_hash[65];
  char csrf_token[64];
  char stage[8]; /* "full", or "totp"/"enrol" while the second factor is pending */
  /* tokens only */
  char token_id[ID_MAX];
};

#endif
