#include "audit/audit.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "db/db.h"
#include "util/buf.h"
#include "util/crypt.h"
#include "util/log.h"
#include "util/timeutil.h"

#define GENESIS "0000000000000000000000000000000000000000000000000000000000000000"

static const char SQL_LAST[] = "SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1";
static const char SQL_INSERT[] =
    "INSERT INTO audit (id, at, actor, role, action, case_id, object, ip, before, after,"
    " prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)";
static const char SQL_HEAD_SET[] =
    "INSERT INTO meta (key, value) VALUES ('audit_head', ?1)"
    " ON CONFLICT (key) DO UPDATE SET value = excluded.value";
static const char SQL_HEAD_GET[] = "SELECT value FROM meta WHERE key = 'audit_head'";
static const char SQL_ALL[] =
    "SELECT id, at, actor, role, action, case_id, object, ip, before, after, prev_hash, hash"
    " FROM audit ORDER BY id";

/* Length-prefixed fields, so no choice of values can make two records serialise alike. */
static int
field(struct buf *b, const char *s)
{
	if (s == NULL)
		return buf_puts(b, "-|");
	return buf_printf(b, "%zu:", strlen(s)) || buf_puts(b, s) || buf_puts(b, "|");
}

static int
record_hash(int64_t id, int64_t at, const struct audit_rec *r, const char *prev,
    char out[SHA256_HEX])
{
	struct buf b;
	int rc = -1;

	buf_init(&b, 4 * 1024 * 1024);
	if (buf_puts(&b, prev) || buf_printf(&b, "|%" PRId64 "|%" PRId64 "|", id, at) ||
	    field(&b, r->actor) || field(&b, r->role) || field(&b, r->action) ||
	    field(&b, r->case_id) || field(&b, r->object) || field(&b, r->ip) ||
	    field(&b, r->before) || field(&b, r->after))
		goto out;
	crypt_sha256_hex(b.data, b.len, out);
	rc = 0;
out:
	buf_free(&b);
	return rc;
}

int
audit_append(struct db *db, const struct audit_rec *r)
{
	char prev[SHA256_HEX] = GENESIS, hash[SHA256_HEX], head[96];
	sqlite3_stmt *st;
	int64_t id = 1, at = time_now();
	int rc = -1;

	if ((st = db_prepare(db, SQL_LAST)) == NULL)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW) {
		id = sqlite3_column_int64(st, 0) + 1;
		snprintf(prev, sizeof(prev), "%s", db_col_text(st, 1));
	}
	db_done(st);
	if (record_hash(id, at, r, prev, hash) != 0)
		return -1;
	if ((st = db_prepare(db, SQL_INSERT)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, at);
	db_bind_text(st, 3, r->actor);
	db_bind_text(st, 4, r->role);
	db_bind_text(st, 5, r->action);
	db_bind_text(st, 6, r->case_id);
	db_bind_text(st, 7, r->object ? r->object : "");
	db_bind_text(st, 8, r->ip ? r->ip : "");
	db_bind_text(st, 9, r->before);
	db_bind_text(st, 10, r->after);
	db_bind_text(st, 11, prev);
	db_bind_text(st, 12, hash);
	if (sqlite3_step(st) != SQLITE_DONE) {
		log_error("audit: insert: %s", sqlite3_errmsg(db_handle(db)));
		goto out;
	}
	db_done(st);
	snprintf(head, sizeof(head), "%" PRId64 ":%s", id, hash);
	if ((st = db_prepare(db, SQL_HEAD_SET)) == NULL)
		return -1;
	db_bind_text(st, 1, head);
	if (sqlite3_step(st) != SQLITE_DONE)
		goto out;
	rc = 0;
out:
	db_done(st);
	return rc;
}

static const char *
col_or_null(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? NULL :
	    (const char *)sqlite3_column_text(st, i);
}

enum audit_verdict
audit_verify(struct db *db, int64_t *bad_id, int64_t *count, char *why, size_t whylen)
{
	char prev[SHA256_HEX] = GENESIS, hash[SHA256_HEX], head[96] = "";
	enum audit_verdict v = AUDIT_INTACT;
	sqlite3_stmt *st;
	int64_t expect = 1;
	int rc;

	*count = 0;
	*bad_id = 0;
	if ((st = db_prepare(db, SQL_ALL)) == NULL)
		return AUDIT_ERROR;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct audit_rec r;
		int64_t id = sqlite3_column_int64(st, 0), at = sqlite3_column_int64(st, 1);

		r.actor = col_or_null(st, 2);
		r.role = col_or_null(st, 3);
		r.action = col_or_null(st, 4);
		r.case_id = col_or_null(st, 5);
		r.object = col_or_null(st, 6);
		r.ip = col_or_null(st, 7);
		r.before = col_or_null(st, 8);
		r.after = col_or_null(st, 9);
		if (id != expect) {
			*bad_id = expect;
			snprintf(why, whylen, "record %" PRId64 " is missing (next is %" PRId64 ")",
			    expect, id);
			v = AUDIT_BROKEN;
			break;
		}
		if (strcmp(db_col_text(st, 10), prev) != 0) {
			*bad_id = id;
			snprintf(why, whylen, "record %" PRId64 " does not follow the record before "
			    "it (prev_hash differs)", id);
			v = AUDIT_BROKEN;
			break;
		}
		if (record_hash(id, at, &r, prev, hash) != 0) {
			v = AUDIT_ERROR;
			break;
		}
		if (strcmp(hash, db_col_text(st, 11)) != 0) {
			*bad_id = id;
			snprintf(why, whylen, "record %" PRId64 " was altered (its hash does not "
			    "match its content)", id);
			v = AUDIT_BROKEN;
			break;
		}
		memcpy(prev, hash, sizeof(prev));
		expect++;
		(*count)++;
	}
	if (v == AUDIT_INTACT && rc != SQLITE_DONE)
		v = AUDIT_ERROR;
	db_done(st);
	if (v != AUDIT_INTACT)
		return v;
	if ((st = db_prepare(db, SQL_HEAD_GET)) == NULL)
		return AUDIT_ERROR;
	if (sqlite3_step(st) == SQLITE_ROW)
		snprintf(head, sizeof(head), "%s", db_col_text(st, 0));
	db_done(st);
	if (*count > 0 || head[0] != '\0') {
		char want[96];

		snprintf(want, sizeof(want), "%" PRId64 ":%s", *count, prev);
		if (strcmp(head, want) != 0) {
			*bad_id = *count + 1;
			snprintf(why, whylen, "the chain ends at record %" PRId64 " but the recorded "
			    "head is %s: records were dropped from the end", *count,
			    head[0] ? head : "missing");
			return AUDIT_BROKEN;
		}
	}
	return AUDIT_INTACT;
}
