/* The auditor's log page and the admin's staff accounts page: the same queries and domain
 * calls as h_audit.c and h_admin.c. */
#include "http/handlers_pages.h"

#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "auth/provision.h"
#include "auth/staff.h"
#include "db/db.h"
#include "http/page.h"
#include "util/strict.h"

#define AUDIT_PAGE	50
#define SCOPE_TEXT_MAX	1200

/* A filter value kept when it is plain text of a sane length. */
static const char *
filter(struct req *r, const char *name, char *out, size_t outlen)
{
	const char *v = req_query(r, name, out, outlen);

	return v != NULL && v[0] != '\0' && strict_text(v, outlen - 1) == 0 ? v : NULL;
}

static void
keep(json_t *o, const char *key, const char *v)
{
	json_object_set_new(o, key, json_string(v ? v : ""));
}

/* The chain check of `suraksha audit verify`, on request (it reads every record). */
static void
chain_check(struct req *r, struct page *pg, struct db *db)
{
	int64_t bad = 0, count = 0;
	char why[256] = "";
	enum audit_verdict v = audit_verify(db, &bad, &count, why, sizeof(why));
	json_t *o;

	if (v == AUDIT_ERROR) {
		page_notice_err(pg, ERR_UNAVAILABLE, NULL);
		return;
	}
	o = json_pack("{s:b, s:I}", "intact", v == AUDIT_INTACT, "count", (json_int_t)count);
	if (o != NULL && v == AUDIT_BROKEN) {
		json_object_set_new(o, "bad_id", json_integer(bad));
		json_object_set_new(o, "why", json_string(why));
	}
	json_object_set_new(page_ctx(pg), "chain", o);
}

enum MHD_Result
h_page_audit(struct req *r)
{
	char qcase[64], qactor[96], qaction[64], qbefore[24];
	const char *c, *a, *act, *b;
	int64_t before = INT64_MAX, next = 0;
	json_t *items, *ctx;
	struct page *pg;
	struct db *db;
	size_t i;

	c = filter(r, "case", qcase, sizeof(qcase));
	a = filter(r, "actor", qactor, sizeof(qactor));
	act = filter(r, "action", qaction, sizeof(qaction));
	b = filter(r, "before", qbefore, sizeof(qbefore));
	if (b != NULL && strict_int64(b, 1, INT64_MAX, &before) != 0)
		return page_error(r, ERR_INVALID_FIELD, NULL);
	if ((db = db_thread()) == NULL ||
	    (items = h_audit_items(db, c, a, act, before, AUDIT_PAGE, &next)) == NULL)
		return page_error(r, ERR_UNAVAILABLE, NULL);
	/* before and after are shown as compact text, as they were recorded */
	for (i = 0; i < json_array_size(items); i++) {
		json_t *it = json_array_get(items, i);
		char *txt;

		if (!json_is_null(json_object_get(it, "after")) &&
		    (txt = json_dumps(json_object_get(it, "after"), JSON_COMPACT |
		    JSON_ENCODE_ANY)) != NULL) {
			json_object_set_new(it, "after_text", json_string(txt));
			free(txt);
		}
	}
	if ((pg = page_begin(r)) == NULL) {
		json_decref(items);
		return MHD_NO;
	}
	ctx = page_ctx(pg);
	json_object_set_new(ctx, "items", items);
	keep(ctx, "f_case", c);
	keep(ctx, "f_actor", a);
	keep(ctx, "f_action", act);
	json_object_set_new(ctx, "paged", json_boolean(b != NULL));
	if (req_query(r, "chain", qbefore, sizeof(qbefore)) != NULL)
		chain_check(r, pg, db);
	if (next > 0)
		json_object_set_new(ctx, "next", json_integer(next));
	return page_end(pg, 200, "audit", "title.audit");
}

/* "PWD-AMB-01, PWD-KNL-01" into scope codes kept in store; -1 when a code is not one. */
static int
scope_parse(const char *text, char store[SCOPE_MAX][CODE_MAX], const char **codes,
    size_t *n)
{
	const char *p = text ? text : "";
	size_t len;

	*n = 0;
	while (*p != '\0') {
		p += strspn(p, " ,\t\r\n");
		if ((len = strcspn(p, " ,\t\r\n")) == 0)
			break;
		if (*n >= SCOPE_MAX || len >= CODE_MAX)
			return -1;
		memcpy(store[*n], p, len);
		store[*n][len] = '\0';
		if (strict_code(store[*n]) != 0)
			return -1;
		codes[*n] = store[*n];
		(*n)++;
		p += len;
	}
	return 0;
}

struct scope_form {
	char			 offices[SCOPE_MAX][CODE_MAX];
	char			 departments[SCOPE_MAX][CODE_MAX];
	struct staff_scope	 sc;
};

static int
scope_from_form(struct req *r, struct scope_form *f)
{
	memset(f, 0, sizeof(*f));
	return scope_parse(page_form_get(r, "offices"), f->offices, f->sc.offices,
	    &f->sc.noffices) != 0 || scope_parse(page_form_get(r, "departments"),
	    f->departments, f->sc.departments, &f->sc.ndepartments) != 0 ? -1 : 0;
}

static void
scope_text(json_t *arr, char *out, size_t outlen)
{
	size_t i, o = 0;

	out[0] = '\0';
	for (i = 0; i < json_array_size(arr) && o < outlen; i++)
		o += (size_t)snprintf(out + o, outlen - o, "%s%s", i ? ", " : "",
		    json_string_value(json_array_get(arr, i)));
}

static enum MHD_Result
users_page(struct req *r, unsigned status, enum err e, const char *detail)
{
	static const char *const roles[] = { "ddo", "hod", "admin_secretary", "finance",
		"auditor", "admin" };
	char q[16], text[SCOPE_TEXT_MAX], key[48];
	json_t *items, *ctx, *rl;
	struct page *pg;
	struct db *db;
	size_t i;

	if ((db = db_thread()) == NULL || (items = h_admin_users_items(db)) == NULL)
		return page_error(r, ERR_UNAVAILABLE, NULL);
	for (i = 0; i < json_array_size(items); i++) {
		json_t *u = json_array_get(items, i);

		scope_text(json_object_get(u, "offices"), text, sizeof(text));
		json_object_set_new(u, "offices_text", json_string(text));
		scope_text(json_object_get(u, "departments"), text, sizeof(text));
		json_object_set_new(u, "departments_text", json_string(text));
		snprintf(key, sizeof(key), "role.%s", json_string_value(json_object_get(u,
		    "role")));
		json_object_set_new(u, "role_key", json_string(key));
		json_object_set_new(u, "self", json_boolean(strcmp(r->who.username,
		    json_string_value(json_object_get(u, "username"))) == 0));
	}
	if ((pg = page_begin(r)) == NULL) {
		json_decref(items);
		return MHD_NO;
	}
	ctx = page_ctx(pg);
	json_object_set_new(ctx, "users", items);
	rl = json_array();
	for (i = 0; i < sizeof(roles) / sizeof(roles[0]); i++) {
		const char *sel = page_form_get(r, "role");

		snprintf(key, sizeof(key), "role.%s", roles[i]);
		json_array_append_new(rl, json_pack("{s:s, s:s, s:b}", "value", roles[i],
		    "key", key, "selected", sel != NULL && strcmp(sel, roles[i]) == 0));
	}
	json_object_set_new(ctx, "roles", rl);
	if (e != ERR_OK) {
		page_notice_err(pg, e, detail);
		keep(ctx, "f_username", page_form_get(r, "username"));
		keep(ctx, "f_display_name", page_form_get(r, "display_name"));
		keep(ctx, "f_offices", page_form_get(r, "offices"));
		keep(ctx, "f_departments", page_form_get(r, "departments"));
	} else if (req_query(r, "done", q, sizeof(q)) != NULL) {
		snprintf(key, sizeof(key), "users.done_%s", q);
		page_notice(pg, 0, key, "Done.", NULL);
	}
	return page_end(pg, status, "users", "title.users");
}

enum MHD_Result
h_page_users(struct req *r)
{
	return users_page(r, 200, ERR_OK, NULL);
}

enum MHD_Result
h_page_user_add(struct req *r)
{
	const char *user = page_form_get(r, "username"), *name = page_form_get(r, "display_name");
	const char *pass = page_form_get(r, "password"), *role = page_form_get(r, "role");
	char actor[96], msg[256] = "";
	struct scope_form f;
	struct actor a;
	struct db *db;
	enum err e;

	if (user == NULL || pass == NULL || role == NULL || user[0] == '\0' ||
	    pass[0] == '\0' || scope_from_form(r, &f) != 0)
		return users_page(r, 400, ERR_INVALID_FIELD, NULL);
	if ((db = db_thread()) == NULL)
		return page_error(r, ERR_UNAVAILABLE, NULL);
	req_actor(r, &a, actor, sizeof(actor));
	e = staff_create(db, &r->app->cfg, &a, role_parse_staff(role), user,
	    name && name[0] ? name : user, pass, &f.sc, msg, sizeof(msg));
	if (e != ERR_OK)
		return users_page(r, err_status(e), e, msg);
	return page_redirect(r, "/admin/users?done=added", NULL, NULL);
}

static enum MHD_Result
set_disabled(struct req *r, int disabled)
{
	char actor[96], msg[256] = "";
	struct actor a;
	struct db *db = db_thread();
	enum err e;

	if (db == NULL)
		return page_error(r, ERR_UNAVAILABLE, NULL);
	if (disabled && strcmp(r->args[0], r->who.username) == 0)
		return users_page(r, 409, ERR_WRONG_STATE, NULL);
	req_actor(r, &a, actor, sizeof(actor));
	if ((e = staff_set_disabled(db, &a, r->args[0], disabled, msg, sizeof(msg))) != ERR_OK)
		return users_page(r, err_status(e), e, msg);
	return page_redirect(r, disabled ? "/admin/users?done=disabled" :
	    "/admin/users?done=enabled", NULL, NULL);
}

enum MHD_Result
h_page_user_disable(struct req *r)
{
	return set_disabled(r, 1);
}

enum MHD_Result
h_page_user_enable(struct req *r)
{
	return set_disabled(r, 0);
}

enum MHD_Result
h_page_user_scope(struct req *r)
{
	char actor[96], msg[256] = "";
	struct scope_form f;
	struct actor a;
	struct db *db;
	enum err e;

	if (scope_from_form(r, &f) != 0)
		return users_page(r, 400, ERR_INVALID_FIELD, NULL);
	if ((db = db_thread()) == NULL)
		return page_error(r, ERR_UNAVAILABLE, NULL);
	req_actor(r, &a, actor, sizeof(actor));
	if ((e = staff_set_scope(db, &a, r->args[0], &f.sc, msg, sizeof(msg))) != ERR_OK)
		return users_page(r, err_status(e), e, msg);
	return page_redirect(r, "/admin/users?done=scope", NULL, NULL);
}
