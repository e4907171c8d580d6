/* The notification outbox: rows written in the transaction of the change they tell of
 * (notify.h). */
#include "notify/notify.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"
#include "util/timeutil.h"

static const char *const kind_names[NOTIFY__MAX] = {
	"returned", "verified", "discrepancy", "approved", "rejected", "revoked",
};

static const char SQL_MOBILE[] = "SELECT mobile FROM employees WHERE id = ?1";
/* the same event twice is one message: the second insert does nothing */
static const char SQL_PUT[] =
    "INSERT INTO notifications (event, kind, employee_id, mobile, vars, created_at, next_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6) ON CONFLICT (event) DO NOTHING";

const char *
notify_kind_name(enum notify_kind k)
{
	return (unsigned)k < NOTIFY__MAX ? kind_names[k] : NULL;
}

static int
put(struct db *db, enum notify_kind k, const char *employee_id, const char *event,
    json_t *vars)
{
	char mobile[16] = "", *v = NULL;
	sqlite3_stmt *st;
	int rc = -1;

	if ((st = db_prepare(db, SQL_MOBILE)) == NULL)
		goto out;
	db_bind_text(st, 1, employee_id);
	if (sqlite3_step(st) == SQLITE_ROW)
		snprintf(mobile, sizeof(mobile), "%s", db_col_text(st, 0));
	db_done(st);
	/* no mobile on record: no one to tell (the case page still shows it) */
	if (mobile[0] == '\0') {
		rc = 0;
		goto out;
	}
	if ((v = json_dumps(vars, JSON_COMPACT)) == NULL ||
	    (st = db_prepare(db, SQL_PUT)) == NULL)
		goto out;
	db_bind_text(st, 1, event);
	db_bind_text(st, 2, kind_names[k]);
	db_bind_text(st, 3, employee_id);
	db_bind_text(st, 4, mobile);
	db_bind_text(st, 5, v);
	sqlite3_bind_int64(st, 6, time_now());
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
	db_done(st);
out:
	free(v);
	json_decref(vars);
	return rc;
}

int
notify_case_move(struct db *db, const char *employee_id, const char *state,
    int64_t history_id, const char *after)
{
	enum notify_kind k;
	char event[64], ref[64] = "";
	json_t *vars;
	int i;

	for (i = 0; i < NOTIFY_REVOKED; i++)
		if (strcmp(state, kind_names[i]) == 0)
			break;
	if (i == NOTIFY_REVOKED)
		return 0;
	k = (enum notify_kind)i;
	if (k == NOTIFY_APPROVED && after != NULL) {
		json_t *a = json_loads(after, 0, NULL);
		const char *r = json_string_value(json_object_get(a, "letter_ref"));

		snprintf(ref, sizeof(ref), "%s", r ? r : "");
		json_decref(a);
	}
	snprintf(event, sizeof(event), "case-history:%lld", (long long)history_id);
	vars = k == NOTIFY_APPROVED ? json_pack("[s, s]", employee_id, ref) :
	    json_pack("[s]", employee_id);
	return vars ? put(db, k, employee_id, event, vars) : -1;
}

int
notify_letter_revoked(struct db *db, const char *employee_id, const char *ref)
{
	char event[96];
	json_t *vars = json_pack("[s]", ref);

	snprintf(event, sizeof(event), "letter-revoked:%s", ref);
	return vars ? put(db, NOTIFY_REVOKED, employee_id, event, vars) : -1;
}

int
notify_fill(const char *text, const char *const *vars, size_t nvars, char *out,
    size_t outlen)
{
	static const char place[] = "{#var#}";
	const char *p = text, *q;
	size_t used = 0, n = 0, len;

	if (outlen == 0)
		return -1;
	out[0] = '\0';
	for (;;) {
		q = strstr(p, place);
		len = q ? (size_t)(q - p) : strlen(p);
		if (used + len >= outlen)
			return -1;
		memcpy(out + used, p, len);
		used += len;
		out[used] = '\0';
		if (q == NULL)
			break;
		if (n >= nvars)
			return -1;
		len = strlen(vars[n]);
		if (used + len >= outlen)
			return -1;
		memcpy(out + used, vars[n++], len);
		used += len;
		out[used] = '\0';
		p = q + sizeof(place) - 1;
	}
	return n == nvars ? 0 : -1;
}
