/*
** Periodic work the server does by itself, driven once a second from the
** main thread: purging expired sessions, checkpointing the SQLite WAL,
** evaluating deadlines and escalating overdue work, and sending queued e-mail.
*/
#ifndef SAFEHUB_JOBS_JOBS_H
#define SAFEHUB_JOBS_JOBS_H

struct app;
struct jobs;

struct jobs *jobs_new(struct app *app);
void jobs_tick(struct jobs *j);
void jobs_free(struct jobs *j);

#endif
