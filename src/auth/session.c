#include "auth/session.h"

#include <stdio.h>
#include <string.h>

#include "config.h"
#include "db/db.h"
#include "util/crypt.h"
#include "util/log.h"
#include "util/timeutil.h"

/* last_seen is written at most this often, so reads stay reads. */
#define TOUCH_EVERY	60

static const char SQL_INSERT[] =
    "INSERT INTO sessions (token_hash, user_id, employee_id, csrf, created_at, last_seen,"
    " expires_at, ip) VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6, ?7)";
static const char SQL_GET[] =
    "SELECT s.user_id, s.employee_id, s.csrf, s.last_seen, s.expires_at"
    " FROM sessions s WHERE s.token_hash = ?1";
static const char SQL_TOUCH[] = "UPDATE sessions SET last_seen = ?2 WHERE token_hash = ?1";
static const char SQL_DELETE[] = "DELETE FROM sessions WHERE token_hash = ?1";
static const char SQL_DELETE_USER[] = "DELETE FROM sessions WHERE user_id = ?1";
static const char SQL_PRUNE[] = "DELETE FROM sessions WHERE expires_at < ?1 OR last_seen < ?2";
static const char SQL_USER[] =
    "SELECT username, role, disabled FROM users WHERE id = ?1";
static const char SQL_SCOPES[] =
    "SELECT kind, code FROM user_scopes WHERE user_id = ?1 ORDER BY kind, code";

static void
token_hash(const char *token, char out[SHA256_HEX])
{
	crypt_sha256_hex(token, strlen(token), out);
}

int
session_create(struct db *db, const struct config *cfg, int64_t user_id,
    const char *employee_id, const char *ip, struct session_new *out)
{
	char th[SHA256_HEX];
	sqlite3_stmt *st;
	int64_t now = time_now();
	int rc;

	if (crypt_random_hex(16, out->token) != 0 || crypt_random_hex(16, out->csrf) != 0)
		return -1;
	out->expires_at = now + cfg->session_absolute;
	token_hash(out->token, th);
	/* Expired rows of anyone go as new ones come: the table stays small. */
	if ((st = db_prepare(db, SQL_PRUNE)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int64(st, 2, now - cfg->session_idle);
	sqlite3_step(st);
	db_done(st);
	if ((st = db_prepare(db, SQL_INSERT)) == NULL)
		return -1;
	db_bind_text(st, 1, th);
	if (user_id > 0)
		sqlite3_bind_int64(st, 2, user_id);
	else
		sqlite3_bind_null(st, 2);
	db_bind_text(st, 3, user_id > 0 ? NULL : employee_id);
	db_bind_text(st, 4, out->csrf);
	sqlite3_bind_int64(st, 5, now);
	sqlite3_bind_int64(st, 6, out->expires_at);
	db_bind_text(st, 7, ip);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
	if (rc != 0)
		log_error("session: insert: %s", sqlite3_errmsg(db_handle(db)));
	db_done(st);
	return rc;
}

int
principal_load_staff(struct db *db, int64_t user_id, struct principal *p)
{
	sqlite3_stmt *st;
	int rc = -1;

	if ((st = db_prepare(db, SQL_USER)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, user_id);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 2) == 0) {
		p->user_id = user_id;
		snprintf(p->username, sizeof(p->username), "%s", db_col_text(st, 0));
		p->role = role_parse_staff(db_col_text(st, 1));
		rc = p->role == ROLE_NONE ? -1 : 0;
	}
	db_done(st);
	if (rc != 0)
		return rc;
	if ((st = db_prepare(db, SQL_SCOPES)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, user_id);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *kind = db_col_text(st, 0), *code = db_col_text(st, 1);

		if (strcmp(kind, "office") == 0 && p->noffices < SCOPE_MAX)
			snprintf(p->offices[p->noffices++], CODE_MAX, "%s", code);
		else if (strcmp(kind, "department") == 0 && p->ndepartments < SCOPE_MAX)
			snprintf(p->departments[p->ndepartments++], CODE_MAX, "%s", code);
	}
	db_done(st);
	return 0;
}

enum session_status
session_lookup(struct db *db, const struct config *cfg, const char *token,
    struct principal *p, char csrf[CSRF_HEX], int64_t *expires_at)
{
	char th[SHA256_HEX];
	sqlite3_stmt *st;
	int64_t now = time_now(), user_id = 0, last_seen = 0, expires = 0;
	enum session_status s = SESSION_NONE;

	memset(p, 0, sizeof(*p));
	if (token == NULL || strlen(token) != TOKEN_HEX - 1)
		return SESSION_NONE;
	token_hash(token, th);
	if ((st = db_prepare(db, SQL_GET)) == NULL)
		return SESSION_ERROR;
	db_bind_text(st, 1, th);
	if (sqlite3_step(st) == SQLITE_ROW) {
		user_id = sqlite3_column_int64(st, 0);
		snprintf(p->employee_id, sizeof(p->employee_id), "%s", db_col_text(st, 1));
		snprintf(csrf, CSRF_HEX, "%s", db_col_text(st, 2));
		last_seen = sqlite3_column_int64(st, 3);
		expires = sqlite3_column_int64(st, 4);
		if (expires > now && last_seen + cfg->session_idle > now)
			s = SESSION_OK;
	}
	db_done(st);
	if (s != SESSION_OK)
		return s;
	if (user_id > 0) {
		if (principal_load_staff(db, user_id, p) != 0)
			return SESSION_NONE;
	} else
		p->role = ROLE_EMPLOYEE;
	if (now - last_seen >= TOUCH_EVERY && (st = db_prepare(db, SQL_TOUCH)) != NULL) {
		db_bind_text(st, 1, th);
		sqlite3_bind_int64(st, 2, now);
		sqlite3_step(st);
		db_done(st);
	}
	*expires_at = expires;
	return SESSION_OK;
}

static int
delete_by(struct db *db, const char *sql, const char *text, int64_t id)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = db_prepare(db, sql)) == NULL)
		return -1;
	if (text != NULL)
		db_bind_text(st, 1, text);
	else
		sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
	db_done(st);
	return rc;
}

int
session_end(struct db *db, const char *token)
{
	char th[SHA256_HEX];

	token_hash(token, th);
	return delete_by(db, SQL_DELETE, th, 0);
}

int
session_end_user(struct db *db, int64_t user_id)
{
	return delete_by(db, SQL_DELETE_USER, NULL, user_id);
}
