/*
** Pages of the casework feature (see routes.c for what a route entry means).
*/
#include "web/web.h"

const struct route web_casework_routes[] = {
    {NULL, NULL, 0, 0, NULL, NULL, NULL},
};
