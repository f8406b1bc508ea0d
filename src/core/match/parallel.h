/*
** Running numbered tasks on a few threads.  Workers take the next task
** number from a shared counter, so which worker runs a task varies from run
** to run: callers keep results per task (or add integers) and combine them
** in task order, which makes the outcome the same for any thread count.
*/
#ifndef SAFEHUB_CORE_MATCH_PARALLEL_H
#define SAFEHUB_CORE_MATCH_PARALLEL_H
#include <stddef.h>

int match_threads(int requested);
void match_parallel(int threads, size_t ntasks, void (*fn)(void *ctx, size_t task, int worker), void *ctx);

#endif
