/*
** Pages of the risk feature (see routes.c for what a route entry means).
*/
#include "web/web.h"

const struct route web_risk_routes[] = {
    {NULL, NULL, 0, 0, NULL, NULL, NULL},
};
