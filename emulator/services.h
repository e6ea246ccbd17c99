/*
 * services.h - every service row the router knows (listed in router.c).
 * Each is defined at the bottom of its service's main file.
 */
#ifndef IMGPIPE_SERVICES_H
#define IMGPIPE_SERVICES_H

#include "service.h"

extern const struct service admin_service; /* admin/admin.c */
extern const struct service sts_service;   /* sts/sts.c */
extern const struct service dynamodb_service; /* dynamodb/dynamodb.c */
extern const struct service sns_service;   /* sns/sns.c */
extern const struct service lambda_runtime_service; /* lambda/lambda.c */
extern const struct service lambda_service; /* lambda/lambda.c */
extern const struct service logs_service;  /* logs/logs.c */
extern const struct service s3_service;    /* s3/s3.c (the fallback) */

#endif
