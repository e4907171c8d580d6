/* Who is stuck (issue 14): employees who cannot log in until their office certifies their
 * particulars, counted by reason, office and age for the certifiers in scope. The scope
 * goes to SQL as JSON arrays (json_each), as in case_list.c. */
#include "cases/case_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"
#include "util/timeutil.h"

#define BLOCKING	"('mobile', 'family_id', 'dob')"
#define SCOPE \
    " (?1 IS NULL OR e.office_code IN (SELECT value FROM json_each(?1)))" \
    " AND (?2 IS NULL OR e.department_code IN (SELECT value FROM json_each(?2)))"

/* No valid mobile, or an open flag that stops the login: the two indexed sets, joined. */
static const char SQL_STUCK[] =
    "WITH ids AS (SELECT id FROM employees WHERE mobile = ''"
    "  UNION SELECT employee_id FROM employee_flags WHERE closed_at IS NULL"
    "  AND particular IN " BLOCKING ")"
    " SELECT e.id, e.name, e.department_code, e.office_code, o.ddo_code,"
    " (SELECT group_concat(particular || '_' || reason, ' ') FROM (SELECT particular, reason"
    "  FROM employee_flags f WHERE f.employee_id = e.id AND f.closed_at IS NULL"
    "  AND f.particular IN " BLOCKING " ORDER BY particular, reason)),"
    " coalesce((SELECT min(since) FROM employee_flags f WHERE f.employee_id = e.id"
    "  AND f.closed_at IS NULL AND f.particular IN " BLOCKING "), e.updated_at)"
    " FROM ids JOIN employees e ON e.id = ids.id JOIN offices o ON o.code = e.office_code"
    " WHERE" SCOPE " ORDER BY 7, e.id";
static const char SQL_CERTIFIED[] =
    "SELECT count(DISTINCT f.employee_id) FROM employee_flags f"
    " JOIN employees e ON e.id = f.employee_id WHERE f.closed_how = 'certified'"
    " AND f.closed_at >= ?3 AND" SCOPE;

static const char *
age_bucket(int64_t days)
{
	return days < 7 ? "under_7_days" : days <= 30 ? "7_to_30_days" : "over_30_days";
}

static void
bump(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	json_object_set_new(o, key, json_integer((v ? json_integer_value(v) : 0) + 1));
}

static int
csv_row(struct buf *b, sqlite3_stmt *st, const char *reasons, const char *since,
    int64_t days, int overdue)
{
	int i, rc = 0;

	for (i = 0; i < 5 && rc == 0; i++)
		rc = case_csv_cell(b, db_col_text(st, i)) || buf_puts(b, ",");
	return rc || case_csv_cell(b, reasons) ||
	    buf_printf(b, ",%s,%lld,%s\r\n", since, (long long)days, overdue ? "yes" : "no");
}

enum err
case_stuck(const struct case_ctx *cx, int64_t now, int64_t overdue_days, int64_t max,
    int only_overdue, json_t **json_out, struct buf *csv_out, char *msg, size_t msglen)
{
	char *offices = NULL, *departments = NULL;
	json_t *o = NULL, *items = NULL, *by_reason, *by_office, *by_age;
	int64_t total = 0, overdue = 0;
	sqlite3_stmt *st = NULL;
	enum err e = ERR_INTERNAL;
	int rc = 0;

	if (json_out != NULL)
		*json_out = NULL;
	if (case_scope_arrays(cx->who, &offices, &departments) != 0 ||
	    cx->who->role == ROLE_FINANCE) {
		snprintf(msg, msglen, "Only DDOs, HoDs, administrative secretaries, auditors and "
		    "administrators see who cannot log in.");
		e = ERR_FORBIDDEN;
		goto out;
	}
	by_reason = json_object();
	by_office = json_object();
	by_age = json_pack("{s:i, s:i, s:i}", "under_7_days", 0, "7_to_30_days", 0,
	    "over_30_days", 0);
	items = json_array();
	o = json_pack("{s:o, s:o, s:o}", "by_reason", by_reason, "by_office", by_office,
	    "by_age", by_age);
	if (o == NULL || items == NULL)
		goto out;
	if (csv_out != NULL)
		rc = buf_puts(csv_out, "employee_id,name,department_code,office_code,ddo_code,"
		    "reasons,since,days,overdue\r\n");
	if ((st = db_prepare(cx->db, SQL_STUCK)) == NULL)
		goto out;
	db_bind_text(st, 1, offices);
	db_bind_text(st, 2, departments);
	while (rc == 0 && total < max && sqlite3_step(st) == SQLITE_ROW) {
		const char *reasons = db_col_text(st, 5);
		int64_t since = sqlite3_column_int64(st, 6), days = (now - since) / 86400;
		char at[21], one[64];
		const char *p, *sp;
		int late = days >= overdue_days;

		if (only_overdue && !late)
			continue;
		if (reasons[0] == '\0')
			reasons = "mobile_missing";
		time_iso_utc(since, at);
		total++;
		overdue += late;
		for (p = reasons; *p; p = sp ? sp + 1 : p + strlen(p)) {
			sp = strchr(p, ' ');
			snprintf(one, sizeof(one), "%.*s", (int)(sp ? sp - p : (long)strlen(p)), p);
			bump(by_reason, one);
		}
		bump(by_office, db_col_text(st, 3));
		bump(by_age, age_bucket(days));
		if (csv_out != NULL)
			rc = csv_row(csv_out, st, reasons, at, days, late);
		else
			json_array_append_new(items, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s,"
			    " s:I, s:b}", "employee_id", db_col_text(st, 0), "name",
			    db_col_text(st, 1), "department_code", db_col_text(st, 2),
			    "office_code", db_col_text(st, 3), "ddo_code", db_col_text(st, 4),
			    "reasons", reasons, "since", at, "days", (json_int_t)days, "overdue",
			    late));
	}
	db_done(st);
	st = NULL;
	if (rc != 0) {
		snprintf(msg, msglen, "The listing is too large for one file.");
		e = ERR_TOO_LARGE;
		goto out;
	}
	if ((st = db_prepare(cx->db, SQL_CERTIFIED)) == NULL)
		goto out;
	db_bind_text(st, 1, offices);
	db_bind_text(st, 2, departments);
	sqlite3_bind_int64(st, 3, now - 7 * 86400);
	if (sqlite3_step(st) != SQLITE_ROW)
		goto out;
	json_object_set_new(o, "certified_this_week", json_integer(sqlite3_column_int64(st, 0)));
	json_object_set_new(o, "total", json_integer(total));
	json_object_set_new(o, "overdue", json_integer(overdue));
	json_object_set_new(o, "overdue_days", json_integer(overdue_days));
	json_object_set_new(o, "truncated", json_boolean(total >= max));
	if (json_out != NULL) {
		json_object_set(o, "items", items);
		*json_out = o;
		o = NULL;
	}
	e = ERR_OK;
out:
	if (st != NULL)
		db_done(st);
	json_decref(o);
	json_decref(items);
	free(offices);
	free(departments);
	return e;
}
