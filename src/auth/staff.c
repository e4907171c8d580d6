#include "auth/staff.h"

#include <jansson.h>
#include <openssl/crypto.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "auth/limits.h"
#include "auth/password.h"
#include "config.h"
#include "db/db.h"
#include "util/log.h"
#include "util/strict.h"
#include "util/timeutil.h"

static const char SQL_INSERT[] =
    "INSERT INTO users (username, role, display_name, password_hash, created_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5)";
static const char SQL_SCOPE_ADD[] =
    "INSERT INTO user_scopes (user_id, kind, code) VALUES (?1, ?2, ?3)";
static const char SQL_SCOPE_CLEAR[] = "DELETE FROM user_scopes WHERE user_id = ?1";
static const char SQL_BY_NAME[] =
    "SELECT id, role, password_hash, disabled, failed_logins, lockouts, locked_until"
    " FROM users WHERE username = ?1";
static const char SQL_SET_DISABLED[] = "UPDATE users SET disabled = ?2 WHERE id = ?1";
static const char SQL_SET_PASSWORD[] =
    "UPDATE users SET password_hash = ?2, failed_logins = 0, lockouts = 0, locked_until = 0"
    " WHERE id = ?1";
static const char SQL_OFFICE_EXISTS[] = "SELECT 1 FROM offices WHERE code = ?1";
static const char SQL_DEPT_EXISTS[] = "SELECT 1 FROM departments WHERE code = ?1";

struct user_row {
	int64_t	 id;
	enum role role;
	char	 hash[PASSWORD_HASH_MAX];
	int	 disabled;
	int64_t	 failed, lockouts, locked_until;
};

static int
user_get(struct db *db, const char *username, struct user_row *u)
{
	sqlite3_stmt *st;
	int rc = -1;

	if ((st = db_prepare(db, SQL_BY_NAME)) == NULL)
		return -1;
	db_bind_text(st, 1, username);
	if (sqlite3_step(st) == SQLITE_ROW) {
		u->id = sqlite3_column_int64(st, 0);
		u->role = role_parse_staff(db_col_text(st, 1));
		snprintf(u->hash, sizeof(u->hash), "%s", db_col_text(st, 2));
		u->disabled = sqlite3_column_int(st, 3);
		u->failed = sqlite3_column_int64(st, 4);
		u->lockouts = sqlite3_column_int64(st, 5);
		u->locked_until = sqlite3_column_int64(st, 6);
		rc = 0;
	}
	db_done(st);
	return rc;
}

int
staff_exists(struct db *db, const char *username)
{
	struct user_row u;

	return user_get(db, username, &u) == 0;
}

/* Opens a write transaction and reads the user; on failure nothing is left open. */
static enum err
begin_with_user(struct db *db, const char *username, struct user_row *u, char *msg,
    size_t msglen)
{
	if (db_begin(db) != 0)
		return ERR_UNAVAILABLE;
	if (user_get(db, username, u) != 0) {
		db_rollback(db);
		snprintf(msg, msglen, "no user '%s'", username);
		return ERR_NOT_FOUND;
	}
	return ERR_OK;
}

static int
exists(struct db *db, const char *sql, const char *code)
{
	sqlite3_stmt *st = db_prepare(db, sql);
	int found;

	if (st == NULL)
		return 0;
	db_bind_text(st, 1, code);
	found = sqlite3_step(st) == SQLITE_ROW;
	db_done(st);
	return found;
}

/* The scope a role needs: DDO offices, HoD and administrative secretary departments,
 * the others none. Every code must be in the master data. */
static enum err
scope_check(struct db *db, enum role role, const struct staff_scope *sc, char *msg,
    size_t msglen)
{
	size_t i;

	if (role == ROLE_DDO && (sc->noffices == 0 || sc->ndepartments > 0)) {
		snprintf(msg, msglen, "a ddo needs one or more --office codes and no department");
		return ERR_INVALID_FIELD;
	}
	if ((role == ROLE_HOD || role == ROLE_ADMIN_SECRETARY) &&
	    (sc->ndepartments == 0 || sc->noffices > 0)) {
		snprintf(msg, msglen, "a %s needs one or more --department codes and no office",
		    role_name(role));
		return ERR_INVALID_FIELD;
	}
	if (role != ROLE_DDO && role != ROLE_HOD && role != ROLE_ADMIN_SECRETARY &&
	    (sc->noffices > 0 || sc->ndepartments > 0)) {
		snprintf(msg, msglen, "a %s sees every department and takes no office or "
		    "department", role_name(role));
		return ERR_INVALID_FIELD;
	}
	for (i = 0; i < sc->noffices; i++)
		if (!exists(db, SQL_OFFICE_EXISTS, sc->offices[i])) {
			snprintf(msg, msglen, "office '%s' is not in the master list", sc->offices[i]);
			return ERR_INVALID_FIELD;
		}
	for (i = 0; i < sc->ndepartments; i++)
		if (!exists(db, SQL_DEPT_EXISTS, sc->departments[i])) {
			snprintf(msg, msglen, "department '%s' is not in the master list",
			    sc->departments[i]);
			return ERR_INVALID_FIELD;
		}
	return ERR_OK;
}

static int
scope_write(struct db *db, int64_t user_id, const struct staff_scope *sc)
{
	sqlite3_stmt *st;
	size_t i;
	int rc = 0;

	if ((st = db_prepare(db, SQL_SCOPE_CLEAR)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, user_id);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = -1;
	db_done(st);
	for (i = 0; rc == 0 && i < sc->noffices + sc->ndepartments; i++) {
		int off = i < sc->noffices;

		if ((st = db_prepare(db, SQL_SCOPE_ADD)) == NULL)
			return -1;
		sqlite3_bind_int64(st, 1, user_id);
		db_bind_text(st, 2, off ? "office" : "department");
		db_bind_text(st, 3, off ? sc->offices[i] : sc->departments[i - sc->noffices]);
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = -1;
		db_done(st);
	}
	return rc;
}

static char *
scope_json(enum role role, const struct staff_scope *sc, int disabled)
{
	json_t *o = json_object(), *offs = json_array(), *deps = json_array();
	char *s;
	size_t i;

	for (i = 0; i < sc->noffices; i++)
		json_array_append_new(offs, json_string(sc->offices[i]));
	for (i = 0; i < sc->ndepartments; i++)
		json_array_append_new(deps, json_string(sc->departments[i]));
	json_object_set_new(o, "role", json_string(role_name(role)));
	json_object_set_new(o, "offices", offs);
	json_object_set_new(o, "departments", deps);
	json_object_set_new(o, "disabled", json_boolean(disabled));
	s = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(o);
	return s;
}

static int
audit_user(struct db *db, const struct actor *who, const char *action, const char *username,
    const char *before, const char *after)
{
	struct audit_rec r = { who->name, who->role, action, NULL, NULL, who->ip, before, after };
	char object[96];

	snprintf(object, sizeof(object), "user:%s", username);
	r.object = object;
	return audit_append(db, &r);
}

enum err
staff_add(struct db *db, const struct config *cfg, const struct actor *who, enum role role,
    const char *username, const char *display_name, const char *password,
    const struct staff_scope *scope, char *msg, size_t msglen)
{
	char hash[PASSWORD_HASH_MAX], *after = NULL;
	struct user_row u;
	sqlite3_stmt *st;
	enum err e;
	int64_t id;

	if (role == ROLE_NONE) {
		snprintf(msg, msglen, "role must be one of ddo, hod, admin_secretary, finance, "
		    "auditor, admin");
		return ERR_INVALID_FIELD;
	}
	if (strict_username(username) != 0) {
		snprintf(msg, msglen, "username must be 3 to 64 of a-z, 0-9, '.', '_', '-'");
		return ERR_INVALID_FIELD;
	}
	if (strict_text(display_name, 128) != 0) {
		snprintf(msg, msglen, "display name must be 1 to 128 characters of text");
		return ERR_INVALID_FIELD;
	}
	if (password_acceptable(password) != 0) {
		snprintf(msg, msglen, "password must be %d to %d characters without control "
		    "characters", PASSWORD_MIN, PASSWORD_MAX);
		return ERR_INVALID_FIELD;
	}
	if (password_hash(password, (int)cfg->scrypt_log2n, hash) != 0)
		return ERR_INTERNAL;
	if (db_begin(db) != 0)
		return ERR_UNAVAILABLE;
	if ((e = scope_check(db, role, scope, msg, msglen)) != ERR_OK)
		goto fail;
	if (user_get(db, username, &u) == 0) {
		snprintf(msg, msglen, "user '%s' exists already", username);
		e = ERR_EXISTS;
		goto fail;
	}
	e = ERR_INTERNAL;
	if ((st = db_prepare(db, SQL_INSERT)) == NULL)
		goto fail;
	db_bind_text(st, 1, username);
	db_bind_text(st, 2, role_name(role));
	db_bind_text(st, 3, display_name);
	db_bind_text(st, 4, hash);
	sqlite3_bind_int64(st, 5, time_now());
	if (sqlite3_step(st) != SQLITE_DONE) {
		db_done(st);
		goto fail;
	}
	db_done(st);
	id = sqlite3_last_insert_rowid(db_handle(db));
	after = scope_json(role, scope, 0);
	if (scope_write(db, id, scope) != 0 ||
	    audit_user(db, who, "user.add", username, NULL, after) != 0 || db_commit(db) != 0)
		goto fail;
	free(after);
	return ERR_OK;
fail:
	free(after);
	db_rollback(db);
	return e;
}

enum err
staff_set_disabled(struct db *db, const struct actor *who, const char *username,
    int disabled, char *msg, size_t msglen)
{
	struct user_row u;
	sqlite3_stmt *st;
	char before[32], after[32];
	enum err e;

	if ((e = begin_with_user(db, username, &u, msg, msglen)) != ERR_OK)
		return e;
	if ((st = db_prepare(db, SQL_SET_DISABLED)) == NULL)
		goto fail;
	sqlite3_bind_int64(st, 1, u.id);
	sqlite3_bind_int(st, 2, disabled ? 1 : 0);
	if (sqlite3_step(st) != SQLITE_DONE) {
		db_done(st);
		goto fail;
	}
	db_done(st);
	snprintf(before, sizeof(before), "{\"disabled\":%s}", u.disabled ? "true" : "false");
	snprintf(after, sizeof(after), "{\"disabled\":%s}", disabled ? "true" : "false");
	if ((disabled && session_end_user(db, u.id) != 0) ||
	    audit_user(db, who, disabled ? "user.disable" : "user.enable", username, before,
	    after) != 0 || db_commit(db) != 0)
		goto fail;
	return ERR_OK;
fail:
	db_rollback(db);
	return ERR_INTERNAL;
}

enum err
staff_set_scope(struct db *db, const struct actor *who, const char *username,
    const struct staff_scope *scope, char *msg, size_t msglen)
{
	struct principal p;
	struct user_row u;
	struct staff_scope old;
	char *before = NULL, *after = NULL;
	enum err e = ERR_INTERNAL;
	size_t i;

	if (db_begin(db) != 0)
		return ERR_UNAVAILABLE;
	memset(&p, 0, sizeof(p));
	if (user_get(db, username, &u) != 0 || principal_load_staff(db, u.id, &p) != 0) {
		snprintf(msg, msglen, "no enabled user '%s'", username);
		e = ERR_NOT_FOUND;
		goto fail;
	}
	if ((e = scope_check(db, u.role, scope, msg, msglen)) != ERR_OK)
		goto fail;
	e = ERR_INTERNAL;
	memset(&old, 0, sizeof(old));
	old.noffices = p.noffices;
	old.ndepartments = p.ndepartments;
	for (i = 0; i < p.noffices; i++)
		old.offices[i] = p.offices[i];
	for (i = 0; i < p.ndepartments; i++)
		old.departments[i] = p.departments[i];
	before = scope_json(u.role, &old, 0);
	after = scope_json(u.role, scope, 0);
	if (scope_write(db, u.id, scope) != 0 ||
	    audit_user(db, who, "user.scope", username, before, after) != 0 ||
	    db_commit(db) != 0)
		goto fail;
	free(before);
	free(after);
	return ERR_OK;
fail:
	free(before);
	free(after);
	db_rollback(db);
	return e;
}

enum err
staff_set_password(struct db *db, const struct config *cfg, const struct actor *who,
    const char *username, const char *password, char *msg, size_t msglen)
{
	char hash[PASSWORD_HASH_MAX];
	struct user_row u;
	sqlite3_stmt *st;
	enum err e;

	if (password_acceptable(password) != 0) {
		snprintf(msg, msglen, "password must be %d to %d characters without control "
		    "characters", PASSWORD_MIN, PASSWORD_MAX);
		return ERR_INVALID_FIELD;
	}
	if (password_hash(password, (int)cfg->scrypt_log2n, hash) != 0)
		return ERR_INTERNAL;
	if ((e = begin_with_user(db, username, &u, msg, msglen)) != ERR_OK)
		return e;
	if ((st = db_prepare(db, SQL_SET_PASSWORD)) == NULL)
		goto fail;
	sqlite3_bind_int64(st, 1, u.id);
	db_bind_text(st, 2, hash);
	if (sqlite3_step(st) != SQLITE_DONE) {
		db_done(st);
		goto fail;
	}
	db_done(st);
	if (session_end_user(db, u.id) != 0 ||
	    audit_user(db, who, "user.password", username, NULL, NULL) != 0 ||
	    db_commit(db) != 0)
		goto fail;
	return ERR_OK;
fail:
	db_rollback(db);
	return ERR_INTERNAL;
}

/* Failures count by client address and account name together, for names that exist and
 * names that do not alike: a wrong password from one address never locks the account for
 * anyone else, and the lockout answer says nothing about whether the account exists. */
static void
failure_key(const char *ip, const char *username, char *out, size_t outlen)
{
	snprintf(out, outlen, "login-fail:%s|%s", ip ? ip : "", username);
}

/* Seconds the pair is still locked for, or 0: login_max_failures failures lock it for
 * login_lockout seconds after the last one, doubling with each further round of failures
 * within a day, at most a day. */
static int
locked_for(struct db *db, const struct config *cfg, const char *key, int64_t now,
    int64_t *wait_left)
{
	int64_t n, last, wait, rounds;

	*wait_left = 0;
	if (limit_events_count(db, key, now - 86400, &n, &last) != 0)
		return -1;
	if (n < cfg->login_max_failures)
		return 0;
	rounds = n / cfg->login_max_failures;
	wait = cfg->login_lockout;
	while (--rounds > 0 && wait < 86400)
		wait *= 2;
	if (wait > 86400)
		wait = 86400;
	if (last + wait > now)
		*wait_left = last + wait - now;
	return 0;
}

static int
record_failure(struct db *db, const struct config *cfg, const char *key, int known,
    const char *username, const char *ip, int64_t now)
{
	int64_t left;

	if (limit_events_add(db, key, now) != 0 || locked_for(db, cfg, key, now, &left) != 0)
		return -1;
	if (left > 0 && known) {
		struct actor sys = { "system", "system", ip };
		char after[64];

		snprintf(after, sizeof(after), "{\"locked_for\":%lld}", (long long)left);
		return audit_user(db, &sys, "user.lockout", username, NULL, after);
	}
	return 0;
}

enum err
staff_login_begin(struct db *db, const struct config *cfg, const char *username,
    const char *password, const char *ip, struct staff_login_job *j, int64_t *retry_after)
{
	struct user_row u = { 0 };
	int64_t now = time_now();

	memset(j, 0, sizeof(*j));
	*retry_after = 0;
	if (username == NULL || password == NULL || strlen(password) > PASSWORD_MAX ||
	    strlen(username) > 64)
		return ERR_BAD_CREDENTIALS;
	failure_key(ip, username, j->key, sizeof(j->key));
	if (locked_for(db, cfg, j->key, now, retry_after) != 0)
		return ERR_INTERNAL;
	if (*retry_after > 0)
		return ERR_LOCKED;
	j->found = user_get(db, username, &u) == 0;
	snprintf(j->username, sizeof(j->username), "%s", username);
	snprintf(j->password, sizeof(j->password), "%s", password);
	snprintf(j->ip, sizeof(j->ip), "%s", ip ? ip : "");
	memcpy(j->hash, u.hash, sizeof(j->hash));
	j->user_id = u.id;
	j->role = u.role;
	j->disabled = u.disabled;
	j->log2n = (int)cfg->scrypt_log2n;
	return ERR_OK;
}

void
staff_login_kdf(struct staff_login_job *j)
{
	/* The KDF runs for unknown and disabled accounts too: no timing oracle. */
	if (!j->found) {
		password_burn(j->password, j->log2n);
		j->ok = 0;
	} else
		j->ok = password_verify(j->password, j->hash) == 1;
	OPENSSL_cleanse(j->password, sizeof(j->password));
	j->done = 1;
}

enum err
staff_login_finish(struct db *db, const struct config *cfg, struct staff_login_job *j,
    struct session_new *out, enum role *role)
{
	int64_t now = time_now();

	if (!j->done)
		return ERR_INTERNAL;
	if (db_begin(db) != 0)
		return ERR_UNAVAILABLE;
	if (!j->ok || j->disabled) {
		if (!j->ok && record_failure(db, cfg, j->key, j->found, j->username, j->ip,
		    now) != 0)
			goto fail;
		if (db_commit(db) != 0)
			return ERR_INTERNAL;
		return ERR_BAD_CREDENTIALS;
	}
	if (limit_events_forget(db, j->key, -1) != 0)
		goto fail;
	{
		struct actor self = { j->username, role_name(j->role), j->ip };

		if (session_create(db, cfg, j->user_id, NULL, j->ip, out) != 0 ||
		    audit_user(db, &self, "login", j->username, NULL, NULL) != 0)
			goto fail;
	}
	if (db_commit(db) != 0)
		return ERR_INTERNAL;
	*role = j->role;
	return ERR_OK;
fail:
	db_rollback(db);
	return ERR_INTERNAL;
}

void
staff_login_job_free(void *p)
{
	if (p != NULL)
		OPENSSL_cleanse(p, sizeof(struct staff_login_job));
	free(p);
}

enum err
staff_login(struct db *db, const struct config *cfg, const char *username,
    const char *password, const char *ip, struct session_new *out, enum role *role,
    int64_t *retry_after)
{
	struct staff_login_job j;
	enum err e;

	if ((e = staff_login_begin(db, cfg, username, password, ip, &j, retry_after)) != ERR_OK)
		return e;
	/* At most login_kdf_concurrency at once, outside any transaction. */
	if (limit_kdf_enter() != 0) {
		OPENSSL_cleanse(&j, sizeof(j));
		*retry_after = 1;
		return ERR_RATE_LIMITED;
	}
	staff_login_kdf(&j);
	limit_kdf_leave();
	e = staff_login_finish(db, cfg, &j, out, role);
	OPENSSL_cleanse(&j, sizeof(j));
	return e;
}
