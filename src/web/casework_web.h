/*
** Pages of casework (casework.c): the child's "Missing episodes",
** "Meetings and support" and "Notes and allocation" tabs with the forms
** behind them, a meeting with its actions, a support referral, and the
** caseload pages.  routes_casework.c lists them with the roles they admit;
** the role sets below are the same as the API's for the same work.
*/
#ifndef SAFEHUB_WEB_CASEWORK_WEB_H
#define SAFEHUB_WEB_CASEWORK_WEB_H
#include "web/web.h"

/* Who records missing episodes and meetings: police, social care, CSE workers, the MASH, managers. */
#define WEB_MISSING_RECORDERS                                                                               \
  (R(ROLE_MASH) | R(ROLE_SOCIAL_WORKER) | R(ROLE_CSE_WORKER) | R(ROLE_POLICE) | R(ROLE_MANAGER) |           \
   R(ROLE_DIRECTOR))
/* Who records return-home interviews and support referrals. */
#define WEB_CARERS (R(ROLE_MASH) | R(ROLE_SOCIAL_WORKER) | R(ROLE_CSE_WORKER) | R(ROLE_MANAGER) | R(ROLE_DIRECTOR))
/* Who writes case notes. */
#define WEB_NOTE_WRITERS (WEB_MISSING_RECORDERS | R(ROLE_REFERRER))
/* Who allocates lead workers and sees every caseload. */
#define WEB_MANAGERS (R(ROLE_MANAGER) | R(ROLE_DIRECTOR))
/* Who may hold an allocation. */
#define WEB_LEADS (R(ROLE_SOCIAL_WORKER) | R(ROLE_CSE_WORKER) | R(ROLE_MANAGER))

void web_missing_page(struct req *r);
void web_missing_new_form(struct req *r);
void web_missing_new(struct req *r);
void web_missing_return_form(struct req *r);
void web_missing_return(struct req *r);
void web_interview_form(struct req *r);
void web_interview(struct req *r);
void web_notes_page(struct req *r);
void web_note_new_form(struct req *r);
void web_note_new(struct req *r);
void web_allocate(struct req *r);
void web_allocation_end(struct req *r);
void web_meetings_page(struct req *r);
void web_meeting_new_form(struct req *r);
void web_meeting_new(struct req *r);
void web_meeting_view(struct req *r);
void web_action_complete(struct req *r);
void web_support_new_form(struct req *r);
void web_support_new(struct req *r);
void web_support_view(struct req *r);
void web_support_update(struct req *r);
void web_caseloads(struct req *r);
void web_caseload_mine(struct req *r);

#endif
