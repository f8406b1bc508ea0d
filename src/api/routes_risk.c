/*
** Routes of the risk feature (see routes.c for what a route entry means).
*/
#include "api/api.h"

const struct route api_risk_routes[] = {
    {NULL, NULL, 0, 0, NULL, NULL, NULL},
};
