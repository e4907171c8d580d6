/* Administration of staff accounts (API.md leaves the shape to us; docs/api.md has it). */
#include "http/handlers.h"

#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "auth/provision.h"
#include "db/db.h"

static const char SQL_USERS[] =
    "SELECT u.username, u.role, u.display_name, u.disabled, u.locked_until,"
    " (SELECT json_group_array(code) FROM user_scopes s WHERE s.user_id = u.id"
    "   AND s.kind = 'office'),"
    " (SELECT json_group_array(code) FROM user_scopes s WHERE s.user_id = u.id"
    "   AND s.kind = 'department')"
    " FROM users u ORDER BY u.username";

json_t *
h_admin_users_items(struct db *db)
{
	sqlite3_stmt *st;
	json_t *items;

	if ((st = db_prepare(db, SQL_USERS)) == NULL)
		return NULL;
	items = json_array();
	while (sqlite3_step(st) == SQLITE_ROW)
		json_array_append_new(items, json_pack("{s:s, s:s, s:s, s:b, s:b, s:o, s:o}",
		    "username", db_col_text(st, 0), "role", db_col_text(st, 1),
		    "display_name", db_col_text(st, 2), "disabled", sqlite3_column_int(st, 3),
		    "locked", sqlite3_column_int64(st, 4) > 0,
		    "offices", json_loads(db_col_text(st, 5), 0, NULL),
		    "departments", json_loads(db_col_text(st, 6), 0, NULL)));
	db_done(st);
	return items;
}

enum MHD_Result
h_admin_users(struct req *r)
{
	struct db *db = db_thread();
	json_t *items;

	if (db == NULL || (items = h_admin_users_items(db)) == NULL)
		return reply_error(r, ERR_UNAVAILABLE, NULL);
	return reply_json(r, 200, json_pack("{s:o}", "users", items));
}

/* Reads "offices" and "departments" arrays of codes; -1 when malformed. */
static int
scope_from_json(json_t *o, struct staff_scope *sc)
{
	json_t *offs = json_object_get(o, "offices"), *deps = json_object_get(o, "departments");
	size_t i;

	memset(sc, 0, sizeof(*sc));
	if ((offs && !json_is_array(offs)) || (deps && !json_is_array(deps)) ||
	    json_array_size(offs) > SCOPE_MAX || json_array_size(deps) > SCOPE_MAX)
		return -1;
	for (i = 0; i < json_array_size(offs); i++) {
		if ((sc->offices[i] = json_string_value(json_array_get(offs, i))) == NULL)
			return -1;
		sc->noffices++;
	}
	for (i = 0; i < json_array_size(deps); i++) {
		if ((sc->departments[i] = json_string_value(json_array_get(deps, i))) == NULL)
			return -1;
		sc->ndepartments++;
	}
	return 0;
}

static enum MHD_Result
domain_reply(struct req *r, enum err e, const char *msg, unsigned ok_status)
{
	if (e != ERR_OK)
		return reply_error(r, e, msg[0] ? msg : NULL);
	return reply_json(r, ok_status, json_pack("{s:b}", "ok", 1));
}

enum MHD_Result
h_admin_user_add(struct req *r)
{
	const char *user, *name, *pass, *role;
	struct staff_scope sc;
	struct actor a;
	char actor[96], msg[256] = "";
	enum MHD_Result res;
	struct db *db;
	json_t *o;
	enum err e;
	int bad = 0;

	if ((o = req_json(r, &res)) == NULL)
		return res;
	user = json_str(o, "username", 64, &bad);
	name = json_str(o, "display_name", 128, &bad);
	pass = json_str(o, "password", 256, &bad);
	role = json_str(o, "role", 32, &bad);
	if (bad || !user || !pass || !role || scope_from_json(o, &sc) != 0) {
		json_decref(o);
		return reply_error(r, ERR_INVALID_FIELD, "Give username, role, password, "
		    "display_name, and offices (ddo) or departments (hod, admin_secretary) as "
		    "arrays of codes.");
	}
	if ((db = db_thread()) == NULL) {
		json_decref(o);
		return reply_error(r, ERR_UNAVAILABLE, NULL);
	}
	req_actor(r, &a, actor, sizeof(actor));
	e = staff_create(db, &r->app->cfg, &a, role_parse_staff(role), user, name ? name : user,
	    pass, &sc, msg, sizeof(msg));
	json_decref(o);
	return domain_reply(r, e, msg, 201);
}

static enum MHD_Result
set_disabled(struct req *r, int disabled)
{
	char actor[96], msg[256] = "";
	struct actor a;
	struct db *db = db_thread();

	if (db == NULL)
		return reply_error(r, ERR_UNAVAILABLE, NULL);
	req_actor(r, &a, actor, sizeof(actor));
	if (disabled && strcmp(r->args[0], r->who.username) == 0)
		return reply_error(r, ERR_WRONG_STATE, "An administrator cannot disable their own "
		    "account.");
	return domain_reply(r, staff_set_disabled(db, &a, r->args[0], disabled, msg,
	    sizeof(msg)), msg, 200);
}

enum MHD_Result
h_admin_user_disable(struct req *r)
{
	return set_disabled(r, 1);
}

enum MHD_Result
h_admin_user_enable(struct req *r)
{
	return set_disabled(r, 0);
}

enum MHD_Result
h_admin_user_scope(struct req *r)
{
	char actor[96], msg[256] = "";
	struct staff_scope sc;
	enum MHD_Result res;
	struct actor a;
	struct db *db;
	json_t *o;
	enum err e;

	if ((o = req_json(r, &res)) == NULL)
		return res;
	if (scope_from_json(o, &sc) != 0) {
		json_decref(o);
		return reply_error(r, ERR_INVALID_FIELD, "Give offices or departments as arrays "
		    "of codes.");
	}
	if ((db = db_thread()) == NULL) {
		json_decref(o);
		return reply_error(r, ERR_UNAVAILABLE, NULL);
	}
	req_actor(r, &a, actor, sizeof(actor));
	e = staff_set_scope(db, &a, r->args[0], &sc, msg, sizeof(msg));
	json_decref(o);
	return domain_reply(r, e, msg, 200);
}
