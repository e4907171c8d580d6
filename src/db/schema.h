#ifndef DB_SCHEMA_H
#define DB_SCHEMA_H

#include <stddef.h>

/* Migrations are numbered from 1; schema_migration(0) is migration 1. */
size_t	schema_count(void);
const char *schema_migration(size_t i);

#endif
