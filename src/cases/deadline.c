#include "cases/deadline.h"

#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "cases/case.h"
#include "db/db.h"
#include "util/log.h"
#include "util/strict.h"
#include "util/timeutil.h"

/* The latest extension naming the department or all of them. */
static const char SQL_EXT[] =
    "SELECT closes_at FROM deadline_extensions WHERE stage = ?1"
    " AND (department_code IS NULL OR department_code = ?2) ORDER BY id DESC LIMIT 1";
static const char SQL_EXT_INS[] =
    "INSERT INTO deadline_extensions (stage, department_code, closes_at, reason, by, at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
static const char SQL_DEPT_EXISTS[] = "SELECT 1 FROM departments WHERE code = ?1";
static const char SQL_DEPTS[] = "SELECT code FROM departments ORDER BY code";
static const char SQL_DUE_SET[] =
    "UPDATE cases SET due_at = ?3 WHERE stage = ?1 AND department_code = ?2"
    " AND due_at IS NOT ?3";
static const char SQL_EXT_LIST[] =
    "SELECT id, stage, department_code, closes_at, reason, by, at FROM deadline_extensions"
    " ORDER BY id";

int64_t
deadline_get(struct db *db, const struct rules_params *rules, enum rules_stage stage,
    const char *department, int *extended)
{
	sqlite3_stmt *st = db_prepare(db, SQL_EXT);
	int64_t t = rules->deadline[stage];
	int rc;

	if (extended)
		*extended = 0;
	if (st == NULL)
		return -1;
	db_bind_text(st, 1, rules_stage_name(stage));
	db_bind_text(st, 2, department);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		t = sqlite3_column_int64(st, 0);
		if (extended)
			*extended = 1;
	} else if (rc != SQLITE_DONE)
		t = -1;
	db_done(st);
	return t;
}

void
deadline_format(int64_t minute, char out[24])
{
	char ist[26];

	time_iso_ist(minute, ist);
	/* "2026-01-31T23:59:00+05:30" -> "2026-01-31 23:59 IST" */
	snprintf(out, 24, "%.10s %.5s IST", ist, ist + 11);
}

enum err
deadline_check(struct db *db, const struct rules_params *rules, enum rules_stage stage,
    const char *department, int64_t now, char *msg, size_t msglen)
{
	int64_t t = deadline_get(db, rules, stage, department, NULL);
	char when[24];

	if (t < 0)
		return ERR_INTERNAL;
	if (now < t + 60)
		return ERR_OK;
	deadline_format(t, when);
	snprintf(msg, msglen, "The %s window closed at %s (department %s); this action is no "
	    "longer accepted unless an administrator extends the window.",
	    rules_stage_name(stage), when, department);
	return ERR_WINDOW_CLOSED;
}

static int
sync_one(struct db *db, const struct rules_params *rules, enum rules_stage s,
    const char *dept)
{
	int64_t t = deadline_get(db, rules, s, dept, NULL);
	sqlite3_stmt *st;
	int rc;

	if (t < 0 || (st = db_prepare(db, SQL_DUE_SET)) == NULL)
		return -1;
	db_bind_text(st, 1, rules_stage_name(s));
	db_bind_text(st, 2, dept);
	sqlite3_bind_int64(st, 3, t + 60);
	rc = sqlite3_step(st);
	db_done(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

int
deadline_sync_cases(struct db *db, const struct rules_params *rules)
{
	sqlite3_stmt *st;
	int s, rc = 0;

	/* SQLite lets the department walk stay open while the updates of cases run. */
	if ((st = db_prepare(db, SQL_DEPTS)) == NULL)
		return -1;
	while (rc == 0 && sqlite3_step(st) == SQLITE_ROW)
		for (s = 0; rc == 0 && s < RULES_STAGE__MAX; s++)
			rc = sync_one(db, rules, (enum rules_stage)s, db_col_text(st, 0));
	db_done(st);
	return rc;
}

enum err
deadline_extend(struct db *db, const struct rules_params *rules, const struct actor *a,
    enum rules_stage stage, const char *const *depts, size_t ndept, int64_t closes_at,
    const char *reason, char *msg, size_t msglen)
{
	struct audit_rec ar = { 0 };
	sqlite3_stmt *st;
	char when[24], after[512], object[64];
	enum err e = ERR_INTERNAL;
	size_t i;
	int rc;

	if (reason == NULL || strict_text(reason, 1000) != 0) {
		snprintf(msg, msglen, "Give the reason for the extension (text, at most 1000 "
		    "bytes).");
		return ERR_INVALID_FIELD;
	}
	if (db_begin(db) != 0)
		return ERR_UNAVAILABLE;
	for (i = 0; i < ndept; i++) {
		if (depts[i] == NULL || strict_code(depts[i]) != 0 ||
		    (st = db_prepare(db, SQL_DEPT_EXISTS)) == NULL) {
			snprintf(msg, msglen, "A department code is not valid.");
			e = ERR_INVALID_FIELD;
			goto fail;
		}
		db_bind_text(st, 1, depts[i]);
		rc = sqlite3_step(st);
		db_done(st);
		if (rc != SQLITE_ROW) {
			snprintf(msg, msglen, "There is no department %s.", depts[i]);
			e = ERR_INVALID_FIELD;
			goto fail;
		}
	}
	deadline_format(closes_at, when);
	for (i = 0; i < (ndept ? ndept : 1); i++) {
		const char *d = ndept ? depts[i] : NULL;
		int64_t old = deadline_get(db, rules, stage, d ? d : "", NULL);
		char was[24];

		if (old < 0 || (st = db_prepare(db, SQL_EXT_INS)) == NULL)
			goto fail;
		db_bind_text(st, 1, rules_stage_name(stage));
		db_bind_text(st, 2, d);
		sqlite3_bind_int64(st, 3, closes_at);
		db_bind_text(st, 4, reason);
		db_bind_text(st, 5, a->name);
		sqlite3_bind_int64(st, 6, time_now());
		rc = sqlite3_step(st);
		db_done(st);
		if (rc != SQLITE_DONE)
			goto fail;
		deadline_format(old, was);
		snprintf(object, sizeof(object), "deadline:%s:%s", rules_stage_name(stage),
		    d ? d : "*");
		json_t *jb = json_pack("{s:s}", "closes", was);
		json_t *ja = json_pack("{s:s, s:s}", "closes", when, "reason", reason);
		char *sb = json_dumps(jb, JSON_COMPACT), *sa = json_dumps(ja, JSON_COMPACT);

		json_decref(jb);
		json_decref(ja);
		snprintf(after, sizeof(after), "%s", sa ? sa : "{}");
		ar.actor = a->name;
		ar.role = a->role;
		ar.action = "deadline.extend";
		ar.object = object;
		ar.ip = a->ip;
		ar.before = sb;
		ar.after = sa;
		rc = audit_append(db, &ar);
		free(sb);
		free(sa);
		if (rc != 0)
			goto fail;
	}
	if (deadline_sync_cases(db, rules) != 0 || db_commit(db) != 0)
		goto fail;
	snprintf(msg, msglen, "The %s window now closes at %s for %s.", rules_stage_name(stage),
	    when, ndept ? "the departments named" : "all departments");
	return ERR_OK;
fail:
	db_rollback(db);
	return e;
}

static json_t *
window_json(int64_t t, int64_t now)
{
	char when[26];

	time_iso_ist(t, when);
	return json_pack("{s:s, s:b}", "closes", when, "open", now < t + 60);
}

json_t *
deadline_json_department(struct db *db, const struct rules_params *rules,
    const char *department, int64_t now)
{
	json_t *arr = json_array(), *o;
	int s, ext;

	for (s = 0; s < RULES_STAGE__MAX; s++) {
		int64_t t = deadline_get(db, rules, (enum rules_stage)s, department, &ext);

		if (t < 0)
			continue;
		o = window_json(t, now);
		json_object_set_new(o, "stage", json_string(rules_stage_name((enum rules_stage)s)));
		json_object_set_new(o, "extended", json_boolean(ext));
		json_array_append_new(arr, o);
	}
	return arr;
}

json_t *
deadline_json(struct db *db, const struct rules_params *rules, int64_t now)
{
	json_t *stages = json_array(), *exts = json_array(), *deps;
	sqlite3_stmt *st;
	char at[21];
	int s;

	for (s = 0; s < RULES_STAGE__MAX; s++) {
		json_t *o = window_json(rules->deadline[s], now), *so;

		deps = json_object();
		if ((st = db_prepare(db, SQL_DEPTS)) != NULL) {
			while (sqlite3_step(st) == SQLITE_ROW) {
				const char *code = db_col_text(st, 0);
				int64_t t = deadline_get(db, rules, (enum rules_stage)s, code, NULL);

				if (t >= 0)
					json_object_set_new(deps, code, window_json(t, now));
			}
			db_done(st);
		}
		so = json_pack("{s:s, s:o, s:o}", "stage", rules_stage_name((enum rules_stage)s),
		    "default", o, "departments", deps);
		json_array_append_new(stages, so);
	}
	if ((st = db_prepare(db, SQL_EXT_LIST)) != NULL) {
		while (sqlite3_step(st) == SQLITE_ROW) {
			char when[26];

			time_iso_ist(sqlite3_column_int64(st, 3), when);
			time_iso_utc(sqlite3_column_int64(st, 6), at);
			json_array_append_new(exts, json_pack("{s:I, s:s, s:o, s:s, s:s, s:s, s:s}",
			    "id", (json_int_t)sqlite3_column_int64(st, 0),
			    "stage", db_col_text(st, 1),
			    "department", sqlite3_column_type(st, 2) == SQLITE_NULL ? json_null() :
			    json_string(db_col_text(st, 2)),
			    "closes", when, "reason", db_col_text(st, 4), "by", db_col_text(st, 5),
			    "at", at));
		}
		db_done(st);
	}
	return json_pack("{s:o, s:o}", "stages", stages, "extensions", exts);
}
