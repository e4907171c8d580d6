/* Master data: departments, offices with their DDO codes (the drop-down the portal relies
 * on) and employees, loaded from the HKRNL and Treasuries feeds (RULES.md §5-6). */
#ifndef IMPORT_MASTER_H
#define IMPORT_MASTER_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "auth/roles.h"

struct db;
struct actor;

struct employee {
	char	 id[CODE_MAX];
	char	 name[129];
	char	 father_name[129];
	char	 dob[11];
	char	 gender[2];
	char	 mobile[11];
	char	 family_id[10];
	char	 department_code[CODE_MAX];
	char	 office_code[CODE_MAX];
	char	 designation[129];
	int64_t	 pay_level;
	char	 engagement_mode[8];
	char	 head_of_account[21];
	int64_t	 monthly_remuneration;
	char	 joining_date[11];
	char	 source[16];
};

/* 0 found, -1 not found or error. */
int	employee_get(struct db *db, const char *id, struct employee *e);

enum import_source { IMPORT_OFFICES, IMPORT_HKRNL, IMPORT_TREASURY };

struct import_stats {
	int64_t	 import_id;
	long	 total, inserted, updated, unchanged, rejected;
	long	 flagged;	/* discrepancy flags opened (issue 14) */
	long	 held;		/* rows held for a missing office */
	long	 taken;		/* held rows taken (an offices import) */
};

/* Imports a CSV file in one transaction: good rows are inserted or updated (unchanged ones
 * are left alone, so a second run changes nothing), bad rows are refused, each named with
 * its line and reason on the report stream. Provenance (source, file name and SHA-256,
 * time, actor) is recorded. Returns 0 when the file was processed (even with refused
 * rows), -1 when the file itself is refused (missing column, unreadable, not CSV), with a
 * message in err. */
/* name is what provenance records as the file's name (NULL: path). */
int	import_csv(struct db *db, enum import_source src, const char *path, const char *name,
	    const struct actor *who, FILE *report, struct import_stats *stats, char *err,
	    size_t errlen);
int	import_source_parse(const char *s, enum import_source *out);
/* [{"code", "name", "offices": [{"code", "name", "ddo_code", "district"}]}] of every
 * department, by code; NULL on a database error. */
json_t	*master_list_json(struct db *db);

#endif
