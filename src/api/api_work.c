/*
** Work lists, notifications, bank holidays and the child's chronology.
*/
#include <stdlib.h>
#include <string.h>
#include "api/api.h"
#include "service/service.h"
#include "store/casework.h"
#include "util/timeutil.h"

/* GET /api/v1/work */
void api_work_mine(struct req *r) {
  json_t *items = NULL;
  if (svc_work_mine(r, &items) != SVC_OK) {
    resp_db_error(r);
    return;
  }
  resp_json(r, 200, json_pack("{s:o}", "items", items));
}

/* GET /api/v1/work/team */
void api_work_team(struct req *r) {
  json_t *items = NULL;
  if (svc_work_team(r, &items) != SVC_OK) {
    resp_db_error(r);
    return;
  }
  resp_json(r, 200, json_pack("{s:o}", "items", items));
}

/* GET /api/v1/notifications */
void api_notifications_list(struct req *r) {
  json_t *items = NULL;
  int64_t unread = 0;
  if (store_notifications_for_user(req_db(r), r->who.user_id, 200, &items) != DB_OK ||
      store_notifications_unread(req_db(r), r->who.user_id, &unread) != DB_OK) {
    json_decref(items);
    resp_db_error(r);
    return;
  }
  resp_json(r, 200, json_pack("{s:o,s:I}", "notifications", items, "unread", (json_int_t)unread));
}

/* POST /api/v1/notifications/{id}/read */
void api_notification_read(struct req *r) {
  int rc = store_notification_read(req_db(r), req_param(r, 0), r->who.user_id, time_now());
  if (rc == DB_DONE) resp_error(r, 404, "not_found", "There is no such unread notification of yours.");
  else if (rc != DB_OK) resp_db_error(r);
  else {
    r->status = 204;
    buf_reset(&r->out);
  }
}

/* GET /api/v1/bank-holidays */
void api_holidays_list(struct req *r) {
  json_t *items = NULL;
  if (store_holiday_list(req_db(r), &items) != DB_OK) {
    resp_db_error(r);
    return;
  }
  resp_json(r, 200, json_pack("{s:o}", "bank_holidays", items));
}

/* POST /api/v1/bank-holidays {"date","name"} */
void api_holidays_add(struct req *r) {
  struct field_errors errs;
  ferr_init(&errs);
  int rc = svc_holiday_add(r, r->json, &errs);
  if (!api_answer_failure(r, rc, &errs)) {
    resp_json(r, 201, json_pack("{s:O,s:O}", "date", json_object_get(r->json, "date"), "name",
                                json_object_get(r->json, "name")));
  }
  ferr_free(&errs);
}

/* DELETE /api/v1/bank-holidays/{date} */
void api_holidays_delete(struct req *r) {
  if (!api_answer_failure(r, svc_holiday_delete(r, req_param(r, 0)), NULL)) {
    r->status = 204;
    buf_reset(&r->out);
  }
}

/* GET /api/v1/children/{id}/chronology[?agency=CODE&type=TYPE] */
void api_children_chronology(struct req *r) {
  json_t *events = NULL;
  int rc = svc_chronology_list(r, req_param(r, 0), req_query(r, "agency"), req_query(r, "type"), &events);
  if (!api_answer_failure(r, rc, NULL)) resp_json(r, 200, events);
}
