/* Listings and dashboard counts for staff, always within the viewer's scope. The scope
 * goes to SQL as a JSON array of codes (json_each), so no SQL is ever built from input. */
#include "cases/case_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"
#include "util/strict.h"
#include "util/timeutil.h"

/* The filters a caller may leave NULL; the scope is spelled out in each statement (not
 * "?6 IS NULL OR ...") so the planner can walk the office or department index, and the
 * overdue statements name due_at (and, for staff of all departments, the stage) plainly so
 * the partial indexes on due_at serve them. */
#define FILTERS \
    " WHERE (?1 IS NULL OR c.state = ?1) AND (?2 IS NULL OR c.department_code = ?2)" \
    " AND (?3 IS NULL OR c.office_code = ?3)" \
    " AND (?10 IS NULL OR c.employee_id LIKE ?10 ESCAPE '\\' OR e.name LIKE ?10 ESCAPE '\\')"
#define STAGE_ANY	" AND (?4 IS NULL OR c.stage = ?4)"
#define STAGE_IS	" AND c.stage = ?4"
#define SCOPE_ALL	" AND ?6 IS NULL AND ?7 IS NULL"
#define SCOPE_OFF	" AND c.office_code IN (SELECT value FROM json_each(?6))"
#define SCOPE_DEP	" AND c.department_code IN (SELECT value FROM json_each(?7))"
#define NOT_OVERDUE	" AND ?5 IS NULL"
#define OVERDUE		" AND c.due_at <= ?5"
/* Within an office or department scope, that scope's index is the narrow one: the unary
 * plus keeps the planner off the due_at indexes there. */
#define STAGE_IS_S	" AND +c.stage = ?4"
#define OVERDUE_S	" AND +c.due_at <= ?5"
#define COLUMNS \
    "SELECT c.employee_id, e.name, c.department_code, c.office_code, c.state, c.stage," \
    " c.due_at, c.verdict, c.updated_at FROM cases c JOIN employees e ON e.id = c.employee_id"
/* ?11 the sort a person chose (case_filter.sort); none keeps each listing's own order, so
 * the indexes still serve it. */
#define SORTED \
    " ORDER BY CASE ?11 WHEN 'name' THEN e.name WHEN 'state' THEN c.state END," \
    " CASE ?11 WHEN 'due' THEN coalesce(c.due_at, 9223372036854775807)" \
    " WHEN 'updated' THEN -c.updated_at END,"
#define BY_ID		SORTED " c.employee_id LIMIT ?8 OFFSET ?9"
#define BY_DUE		SORTED " c.due_at, c.employee_id LIMIT ?8 OFFSET ?9"
#define COUNT		"SELECT count(*) FROM cases c JOIN employees e ON e.id = c.employee_id"

enum { SC_ALL, SC_OFF, SC_DEP, SC__MAX };
enum { K_LIST, K_OVERDUE, K_OVERDUE_STAGE, K__MAX };

/* [kind][scope]: the page, then the count. */
static const char *const sql_page[K__MAX][SC__MAX] = {
	{ COLUMNS FILTERS STAGE_ANY SCOPE_ALL NOT_OVERDUE BY_ID,
	  COLUMNS FILTERS STAGE_ANY SCOPE_OFF NOT_OVERDUE BY_ID,
	  COLUMNS FILTERS STAGE_ANY SCOPE_DEP NOT_OVERDUE BY_ID },
	{ COLUMNS FILTERS STAGE_ANY SCOPE_ALL OVERDUE BY_DUE,
	  COLUMNS FILTERS STAGE_ANY SCOPE_OFF OVERDUE_S BY_DUE,
	  COLUMNS FILTERS STAGE_ANY SCOPE_DEP OVERDUE_S BY_DUE },
	{ COLUMNS FILTERS STAGE_IS SCOPE_ALL OVERDUE BY_DUE,
	  COLUMNS FILTERS STAGE_IS_S SCOPE_OFF OVERDUE_S BY_DUE,
	  COLUMNS FILTERS STAGE_IS_S SCOPE_DEP OVERDUE_S BY_DUE },
};
static const char *const sql_count[K__MAX][SC__MAX] = {
	{ COUNT FILTERS STAGE_ANY SCOPE_ALL NOT_OVERDUE,
	  COUNT FILTERS STAGE_ANY SCOPE_OFF NOT_OVERDUE,
	  COUNT FILTERS STAGE_ANY SCOPE_DEP NOT_OVERDUE },
	{ COUNT FILTERS STAGE_ANY SCOPE_ALL OVERDUE,
	  COUNT FILTERS STAGE_ANY SCOPE_OFF OVERDUE_S,
	  COUNT FILTERS STAGE_ANY SCOPE_DEP OVERDUE_S },
	{ COUNT FILTERS STAGE_IS SCOPE_ALL OVERDUE,
	  COUNT FILTERS STAGE_IS_S SCOPE_OFF OVERDUE_S,
	  COUNT FILTERS STAGE_IS_S SCOPE_DEP OVERDUE_S },
};
static const char SQL_COUNTS_ALL[] =
    "SELECT c.department_code, c.office_code, c.state, count(*),"
    " sum(c.due_at IS NOT NULL AND c.due_at <= ?1) FROM cases c"
    " WHERE ?2 IS NULL AND ?3 IS NULL"
    " GROUP BY c.department_code, c.office_code, c.state";
static const char SQL_COUNTS_OFF[] =
    "SELECT c.department_code, c.office_code, c.state, count(*),"
    " sum(c.due_at IS NOT NULL AND c.due_at <= ?1) FROM cases c"
    " WHERE c.office_code IN (SELECT value FROM json_each(?2)) AND ?3 IS NULL"
    " GROUP BY c.department_code, c.office_code, c.state";
static const char SQL_COUNTS_DEP[] =
    "SELECT c.department_code, c.office_code, c.state, count(*),"
    " sum(c.due_at IS NOT NULL AND c.due_at <= ?1) FROM cases c"
    " WHERE ?2 IS NULL AND c.department_code IN (SELECT value FROM json_each(?3))"
    " GROUP BY c.department_code, c.office_code, c.state";

/* The scope of a staff member as JSON arrays (NULL: no limit); -1 for a role that does
 * not list cases. */
static int
scope_arrays(const struct principal *p, char **offices, char **departments)
{
	json_t *a;
	size_t i;

	*offices = *departments = NULL;
	switch (p->role) {
	case ROLE_DDO:
		a = json_array();
		for (i = 0; i < p->noffices; i++)
			json_array_append_new(a, json_string(p->offices[i]));
		*offices = json_dumps(a, JSON_COMPACT);
		json_decref(a);
		return *offices ? 0 : -1;
	case ROLE_HOD:
	case ROLE_ADMIN_SECRETARY:
		a = json_array();
		for (i = 0; i < p->ndepartments; i++)
			json_array_append_new(a, json_string(p->departments[i]));
		*departments = json_dumps(a, JSON_COMPACT);
		json_decref(a);
		return *departments ? 0 : -1;
	case ROLE_FINANCE:
	case ROLE_AUDITOR:
	case ROLE_ADMIN:
		return 0;
	default:
		return -1;
	}
}

/* The stage whose overdue cases are this role's to act on; NULL: every stage. */
static const char *
own_stage(enum role r)
{
	switch (r) {
	case ROLE_DDO:
		return "verification";
	case ROLE_FINANCE:
		return "posts";
	case ROLE_HOD:
		return "approval";
	default:
		return NULL;
	}
}

static enum err
check_filter(const struct case_filter *f, char *msg, size_t msglen)
{
	enum case_state s;
	enum rules_stage g;

	if ((f->state && case_state_parse(f->state, &s) != 0) ||
	    (f->stage && case_stage_parse(f->stage, &g) != 0) ||
	    (f->department && strict_code(f->department) != 0) ||
	    (f->office && strict_code(f->office) != 0) || f->page < 1 || f->page > 1000000 ||
	    f->per_page < 1 || f->per_page > CASE_PER_PAGE_MAX) {
		snprintf(msg, msglen, "Filters: state and stage from their lists, department and "
		    "office as codes, page from 1, per_page from 1 to %d.", CASE_PER_PAGE_MAX);
		return ERR_INVALID_FIELD;
	}
	if ((f->q != NULL && strict_text(f->q, CASE_Q_MAX) != 0) || (f->sort != NULL &&
	    strcmp(f->sort, "id") && strcmp(f->sort, "name") && strcmp(f->sort, "due") &&
	    strcmp(f->sort, "updated") && strcmp(f->sort, "state"))) {
		snprintf(msg, msglen, "q is text of at most %d bytes; sort is id, name, due, "
		    "updated or state.", CASE_Q_MAX);
		return ERR_INVALID_FIELD;
	}
	return ERR_OK;
}

/* q as a LIKE pattern: part of an id or a name, any case (ASCII; Devanagari has none),
 * spaces at the ends dropped, % _ and \ taken as themselves. */
static char *
q_pattern(const char *q)
{
	size_t n, i, j = 0;
	char *p;

	if (q == NULL)
		return NULL;
	while (*q == ' ')
		q++;
	n = strlen(q);
	while (n > 0 && q[n - 1] == ' ')
		n--;
	if (n == 0 || (p = malloc(2 * n + 3)) == NULL)
		return NULL;
	p[j++] = '%';
	for (i = 0; i < n; i++) {
		if (q[i] == '%' || q[i] == '_' || q[i] == '\\')
			p[j++] = '\\';
		p[j++] = q[i];
	}
	p[j++] = '%';
	p[j] = '\0';
	return p;
}

static void
bind_filter(sqlite3_stmt *st, const struct case_ctx *cx, const struct case_filter *f,
    int64_t now, const char *offices, const char *departments)
{
	const char *stage = f->stage;

	if (f->overdue && stage == NULL)
		stage = own_stage(cx->who->role);
	db_bind_text(st, 1, f->state);
	db_bind_text(st, 2, f->department);
	db_bind_text(st, 3, f->office);
	db_bind_text(st, 4, stage);
	if (f->overdue)
		sqlite3_bind_int64(st, 5, now);
	db_bind_text(st, 6, offices);
	db_bind_text(st, 7, departments);
	if (f->q != NULL) {
		char *pat = q_pattern(f->q);

		if (pat != NULL)
			sqlite3_bind_text(st, 10, pat, -1, free);
	}
	db_bind_text(st, 11, f->sort != NULL && strcmp(f->sort, "id") != 0 ? f->sort : NULL);
}

static void
pick(const struct case_ctx *cx, const struct case_filter *f, int *kind, int *scope)
{
	enum role r = cx->who->role;

	*scope = r == ROLE_DDO ? SC_OFF : r == ROLE_HOD || r == ROLE_ADMIN_SECRETARY ? SC_DEP :
	    SC_ALL;
	if (!f->overdue)
		*kind = K_LIST;
	else
		*kind = f->stage != NULL || own_stage(r) != NULL ? K_OVERDUE_STAGE : K_OVERDUE;
}

static json_t *
item_json(sqlite3_stmt *st, int64_t now)
{
	char due[26], at[21];
	int has_due = sqlite3_column_type(st, 6) != SQLITE_NULL;

	if (has_due)
		time_iso_ist(sqlite3_column_int64(st, 6), due);
	time_iso_utc(sqlite3_column_int64(st, 8), at);
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:b, s:o, s:s}",
	    "employee_id", db_col_text(st, 0), "name", db_col_text(st, 1),
	    "department_code", db_col_text(st, 2), "office_code", db_col_text(st, 3),
	    "state", db_col_text(st, 4),
	    "stage", sqlite3_column_type(st, 5) == SQLITE_NULL ? json_null() :
	    json_string(db_col_text(st, 5)),
	    "due", has_due ? json_string(due) : json_null(),
	    "overdue", has_due && sqlite3_column_int64(st, 6) <= now,
	    "verdict", sqlite3_column_type(st, 7) == SQLITE_NULL ? json_null() :
	    json_string(db_col_text(st, 7)),
	    "updated_at", at);
}

enum err
case_list(const struct case_ctx *cx, const struct case_filter *f, int64_t now, json_t **out,
    char *msg, size_t msglen)
{
	char *offices = NULL, *departments = NULL;
	sqlite3_stmt *st;
	json_t *items = NULL;
	int64_t total = 0;
	int kind, scope;
	enum err e;

	*out = NULL;
	if (scope_arrays(cx->who, &offices, &departments) != 0) {
		snprintf(msg, msglen, "Only staff list cases.");
		return ERR_FORBIDDEN;
	}
	if ((e = check_filter(f, msg, msglen)) != ERR_OK)
		goto out;
	e = ERR_INTERNAL;
	pick(cx, f, &kind, &scope);
	if ((st = db_prepare(cx->db, sql_count[kind][scope])) == NULL)
		goto out;
	bind_filter(st, cx, f, now, offices, departments);
	if (sqlite3_step(st) == SQLITE_ROW)
		total = sqlite3_column_int64(st, 0);
	db_done(st);
	if ((st = db_prepare(cx->db, sql_page[kind][scope])) == NULL)
		goto out;
	bind_filter(st, cx, f, now, offices, departments);
	sqlite3_bind_int64(st, 8, f->per_page);
	sqlite3_bind_int64(st, 9, (f->page - 1) * f->per_page);
	items = json_array();
	while (sqlite3_step(st) == SQLITE_ROW)
		json_array_append_new(items, item_json(st, now));
	db_done(st);
	*out = json_pack("{s:o, s:I, s:I, s:I}", "items", items, "page", (json_int_t)f->page,
	    "per_page", (json_int_t)f->per_page, "total", (json_int_t)total);
	e = *out ? ERR_OK : ERR_INTERNAL;
out:
	free(offices);
	free(departments);
	return e;
}

int
case_csv_cell(struct buf *b, const char *s)
{
	size_t i;
	int quote = 0;

	if (s == NULL)
		s = "";
	for (i = 0; s[i]; i++)
		if (s[i] == ',' || s[i] == '"' || s[i] == '\n' || s[i] == '\r')
			quote = 1;
	/* OWASP CSV injection: a leading = + - @ (or tab, CR) would start a formula. */
	if (strchr("=+-@\t\r", s[0]) != NULL && s[0] != '\0')
		quote = 2;
	if (!quote)
		return buf_puts(b, s);
	if (buf_puts(b, "\"") || (quote == 2 && buf_puts(b, "'")))
		return -1;
	for (i = 0; s[i]; i++)
		if ((s[i] == '"' && buf_puts(b, "\"\"")) || (s[i] != '"' && buf_append(b, s + i, 1)))
			return -1;
	return buf_puts(b, "\"");
}

enum err
case_list_csv(const struct case_ctx *cx, const struct case_filter *f, int64_t now,
    struct buf *out, char *msg, size_t msglen)
{
	char *offices = NULL, *departments = NULL;
	struct case_filter all = *f;
	sqlite3_stmt *st;
	enum err e;
	int rc = 0, kind, scope;

	if (scope_arrays(cx->who, &offices, &departments) != 0) {
		snprintf(msg, msglen, "Only staff list cases.");
		return ERR_FORBIDDEN;
	}
	all.page = 1;
	all.per_page = 1;
	if ((e = check_filter(&all, msg, msglen)) != ERR_OK)
		goto out;
	e = ERR_INTERNAL;
	pick(cx, f, &kind, &scope);
	if ((st = db_prepare(cx->db, sql_page[kind][scope])) == NULL)
		goto out;
	bind_filter(st, cx, &all, now, offices, departments);
	sqlite3_bind_int64(st, 8, -1);
	sqlite3_bind_int64(st, 9, 0);
	rc = buf_puts(out, "employee_id,name,department_code,office_code,state,stage,due,"
	    "overdue,verdict,updated_at\r\n");
	while (rc == 0 && sqlite3_step(st) == SQLITE_ROW) {
		char due[26] = "", at[21];
		int has_due = sqlite3_column_type(st, 6) != SQLITE_NULL, i;

		if (has_due)
			time_iso_ist(sqlite3_column_int64(st, 6), due);
		time_iso_utc(sqlite3_column_int64(st, 8), at);
		for (i = 0; i < 6 && rc == 0; i++)
			rc = case_csv_cell(out, db_col_text(st, i)) || buf_puts(out, ",");
		if (rc == 0)
			rc = buf_printf(out, "%s,%s,", due, has_due &&
			    sqlite3_column_int64(st, 6) <= now ? "yes" : "no") ||
			    case_csv_cell(out, db_col_text(st, 7)) ||
			    buf_printf(out, ",%s\r\n", at);
	}
	db_done(st);
	if (rc != 0) {
		snprintf(msg, msglen, "The listing is too large for one file; narrow the filters.");
		e = ERR_TOO_LARGE;
		goto out;
	}
	e = ERR_OK;
out:
	free(offices);
	free(departments);
	return e;
}

static void
bump(json_t *o, const char *key, json_int_t n)
{
	json_t *v = json_object_get(o, key);

	json_object_set_new(o, key, json_integer((v ? json_integer_value(v) : 0) + n));
}

static json_t *
child(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	if (v == NULL) {
		v = json_object();
		json_object_set_new(o, key, v);
	}
	return v;
}

enum err
case_counts(const struct case_ctx *cx, int64_t now, json_t **out)
{
	char *offices = NULL, *departments = NULL;
	json_t *by_state, *by_dep, *by_off, *overdue_dep;
	json_int_t total = 0, overdue = 0;
	sqlite3_stmt *st;
	int i;

	*out = NULL;
	if (scope_arrays(cx->who, &offices, &departments) != 0)
		return ERR_FORBIDDEN;
	st = db_prepare(cx->db, offices ? SQL_COUNTS_OFF : departments ? SQL_COUNTS_DEP :
	    SQL_COUNTS_ALL);
	if (st == NULL) {
		free(offices);
		free(departments);
		return ERR_INTERNAL;
	}
	by_state = json_object();
	by_dep = json_object();
	by_off = json_object();
	overdue_dep = json_object();
	for (i = 0; i < CASE__MAX; i++)
		json_object_set_new(by_state, case_state_name((enum case_state)i), json_integer(0));
	sqlite3_bind_int64(st, 1, now);
	db_bind_text(st, 2, offices);
	db_bind_text(st, 3, departments);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *dep = db_col_text(st, 0), *off = db_col_text(st, 1);
		const char *state = db_col_text(st, 2);
		json_int_t n = sqlite3_column_int64(st, 3), od = sqlite3_column_int64(st, 4);

		total += n;
		overdue += od;
		bump(by_state, state, n);
		bump(child(by_dep, dep), state, n);
		bump(child(by_off, off), state, n);
		if (od)
			bump(overdue_dep, dep, od);
	}
	db_done(st);
	free(offices);
	free(departments);
	*out = json_pack("{s:I, s:I, s:o, s:o, s:o, s:o}", "total", total, "overdue", overdue,
	    "by_state", by_state, "by_department", by_dep, "by_office", by_off,
	    "overdue_by_department", overdue_dep);
	return *out ? ERR_OK : ERR_INTERNAL;
}

int
case_scope_arrays(const struct principal *p, char **offices, char **departments)
{
	return scope_arrays(p, offices, departments);
}
