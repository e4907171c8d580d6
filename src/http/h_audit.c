#include "http/handlers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"
#include "util/strict.h"
#include "util/timeutil.h"

#define PAGE_MAX 500

static const char SQL_PAGE[] =
    "SELECT id, at, actor, role, action, case_id, object, ip, before, after, hash"
    " FROM audit WHERE (?1 IS NULL OR case_id = ?1) AND (?2 IS NULL OR actor = ?2)"
    " AND (?3 IS NULL OR action = ?3) AND id < ?4 ORDER BY id DESC LIMIT ?5";

/* The page's search: parts of the employee id, the actor and the action, any case, and a
 * time range [?6, ?7). */
static const char SQL_SEARCH[] =
    "SELECT id, at, actor, role, action, case_id, object, ip, before, after, hash"
    " FROM audit WHERE (?1 IS NULL OR case_id LIKE ?1 ESCAPE '\\')"
    " AND (?2 IS NULL OR actor LIKE ?2 ESCAPE '\\') AND (?3 IS NULL OR action LIKE ?3 ESCAPE '\\')"
    " AND id < ?4 AND at >= ?6 AND at < ?7 ORDER BY id DESC LIMIT ?5";

static json_t *
json_or_text(sqlite3_stmt *st, int i)
{
	json_t *v;

	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return json_null();
	v = json_loads(db_col_text(st, i), 0, NULL);
	return v ? v : json_string(db_col_text(st, i));
}

static json_t *items_of(sqlite3_stmt *st, int64_t limit, int64_t *next_before);

json_t *
h_audit_items(struct db *db, const char *c, const char *a, const char *act, int64_t before,
    int64_t limit, int64_t *next_before)
{
	sqlite3_stmt *st;

	*next_before = 0;
	if ((st = db_prepare(db, SQL_PAGE)) == NULL)
		return NULL;
	db_bind_text(st, 1, c);
	db_bind_text(st, 2, a);
	db_bind_text(st, 3, act);
	sqlite3_bind_int64(st, 4, before);
	sqlite3_bind_int64(st, 5, limit);
	return items_of(st, limit, next_before);
}

/* A part of a value as a LIKE pattern (% _ \ as themselves); NULL for none. */
static char *
like_of(const char *v)
{
	size_t n, i, j = 0;
	char *p;

	if (v == NULL || (n = strlen(v)) == 0 || (p = malloc(2 * n + 3)) == NULL)
		return NULL;
	p[j++] = '%';
	for (i = 0; i < n; i++) {
		if (v[i] == '%' || v[i] == '_' || v[i] == '\\')
			p[j++] = '\\';
		p[j++] = v[i];
	}
	p[j++] = '%';
	p[j] = '\0';
	return p;
}

json_t *
h_audit_search(struct db *db, const char *c, const char *a, const char *act, int64_t from,
    int64_t to, int64_t before, int64_t limit, int64_t *next_before)
{
	sqlite3_stmt *st;
	char *p;

	*next_before = 0;
	if ((st = db_prepare(db, SQL_SEARCH)) == NULL)
		return NULL;
	if ((p = like_of(c)) != NULL)
		sqlite3_bind_text(st, 1, p, -1, free);
	if ((p = like_of(a)) != NULL)
		sqlite3_bind_text(st, 2, p, -1, free);
	if ((p = like_of(act)) != NULL)
		sqlite3_bind_text(st, 3, p, -1, free);
	sqlite3_bind_int64(st, 4, before);
	sqlite3_bind_int64(st, 5, limit);
	sqlite3_bind_int64(st, 6, from);
	sqlite3_bind_int64(st, 7, to);
	return items_of(st, limit, next_before);
}

/* The rows of a prepared page query; finishes st. */
static json_t *
items_of(sqlite3_stmt *st, int64_t limit, int64_t *next_before)
{
	json_t *items, *o;
	int64_t last = 0;
	char at[21];

	items = json_array();
	while (sqlite3_step(st) == SQLITE_ROW) {
		last = sqlite3_column_int64(st, 0);
		time_iso_utc(sqlite3_column_int64(st, 1), at);
		o = json_pack("{s:I, s:s, s:s, s:s, s:s, s:o, s:s, s:s, s:o, s:o, s:s}",
		    "id", (json_int_t)last, "at", at, "actor", db_col_text(st, 2),
		    "role", db_col_text(st, 3), "action", db_col_text(st, 4),
		    "case_id", sqlite3_column_type(st, 5) == SQLITE_NULL ? json_null() :
		    json_string(db_col_text(st, 5)),
		    "object", db_col_text(st, 6), "ip", db_col_text(st, 7),
		    "before", json_or_text(st, 8), "after", json_or_text(st, 9),
		    "hash", db_col_text(st, 10));
		json_array_append_new(items, o);
	}
	db_done(st);
	if ((int64_t)json_array_size(items) == limit)
		*next_before = last;
	return items;
}

/* Newest first; "before" is the id to page from (the next_before of the last page). */
enum MHD_Result
h_audit_list(struct req *r)
{
	char qcase[64], qactor[96], qaction[64], qbefore[24], qlimit[8];
	const char *c, *a, *act, *b, *l;
	int64_t before = INT64_MAX, limit = 100, next;
	json_t *items, *o;
	struct db *db;

	c = req_query(r, "case", qcase, sizeof(qcase));
	a = req_query(r, "actor", qactor, sizeof(qactor));
	act = req_query(r, "action", qaction, sizeof(qaction));
	b = req_query(r, "before", qbefore, sizeof(qbefore));
	l = req_query(r, "limit", qlimit, sizeof(qlimit));
	if ((b && strict_int64(b, 1, INT64_MAX, &before) != 0) ||
	    (l && strict_int64(l, 1, PAGE_MAX, &limit) != 0))
		return reply_error(r, ERR_INVALID_FIELD,
		    "before must be a record id and limit a number from 1 to 500.");
	if ((db = db_thread()) == NULL ||
	    (items = h_audit_items(db, c, a, act, before, limit, &next)) == NULL)
		return reply_error(r, ERR_UNAVAILABLE, NULL);
	o = json_pack("{s:o}", "items", items);
	json_object_set_new(o, "next_before", next ? json_integer(next) : json_null());
	return reply_json(r, 200, o);
}
