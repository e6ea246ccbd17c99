/*
 * services.h - every service row the router knows (listed in router.c).
 * Each is defined at the bottom of its service's main file.
 */
#ifndef IMGPIPE_SERVICES_H
#define IMGPIPE_SERVICES_H

#include "service.h"

extern const struct service admin_service; /* admin/admin.c */
extern const struct service sts_service;   /* sts/sts.c */

#endif
