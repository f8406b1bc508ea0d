/*
** Request parsing used by the server core (see request.c).
*/
#ifndef SAFEHUB_HTTP_REQUEST_H
#define SAFEHUB_HTTP_REQUEST_H
#include <stddef.h>
#include <jansson.h>
#include "http/http.h"

int req_parse_query(struct req *r);
int req_parse_body(struct req *r);
int req_check_form_fields(struct req *r);
json_t *form_parse(const char *body, size_t len);

#endif
