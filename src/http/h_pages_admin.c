/* The auditor's log page and the admin's staff accounts page: the same queries and domain
 * calls as h_audit.c and h_admin.c. */
#include "http/handlers_pages.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "auth/provision.h"
#include "auth/staff.h"
#include "cases/case.h"
#include "db/db.h"
#include "http/page.h"
#include "util/buf.h"
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

/* "2026-11-23T00:23:55Z" back to Unix seconds; 0 when it is not one. */
static int64_t
iso_utc(const char *iso)
{
	int y, mo, d, h, mi, sec;

	if (iso == NULL || sscanf(iso, "%4d-%2d-%2dT%2d:%2d:%2dZ", &y, &mo, &d, &h, &mi,
	    &sec) != 6)
		return 0;
	return (int64_t)date_from_ymd(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec;
}

/* A day typed in the date field (YYYY-MM-DD, a day in IST) to its first second. */
static int
ist_day(const char *v, int64_t *t)
{
	int32_t days;

	if (v == NULL)
		return 1;
	if (strict_date(v, &days) != 0)
		return -1;
	*t = (int64_t)days * 86400 - 19800;
	return 0;
}

/* The records as people read them: the time in IST, the action in words of the page's
 * language (act.<code>, else the code), the record as recorded under "details". */
static void
readable(struct page *pg, json_t *items)
{
	json_t *it;
	size_t i;

	json_array_foreach(items, i, it) {
		char key[96], when[PAGE_TIME_LEN];
		const char *action = json_string_value(json_object_get(it, "action"));
		char *txt;

		page_time(iso_utc(json_string_value(json_object_get(it, "at"))), when);
		json_object_set_new(it, "at_people", json_string(when));
		snprintf(key, sizeof(key), "act.%s", action ? action : "");
		json_object_set_new(it, "action_text", json_string(page_t(pg, key,
		    action ? action : "")));
		if (!json_is_null(json_object_get(it, "after")) &&
		    (txt = json_dumps(json_object_get(it, "after"), JSON_COMPACT |
		    JSON_ENCODE_ANY)) != NULL) {
			json_object_set_new(it, "after_text", json_string(txt));
			free(txt);
		}
	}
}

/* The filtered records as CSV (at most AUDIT_CSV_MAX), cells safe for spreadsheets. */
#define AUDIT_CSV_MAX	20000
static enum MHD_Result
audit_csv(struct req *r, struct page *pg, json_t *items)
{
	enum MHD_Result res;
	json_t *it;
	struct buf b;
	size_t i;
	int rc;

	buf_init(&b, 64 * 1024 * 1024);
	rc = buf_puts(&b, "id,at_ist,actor,role,action,action_name,employee_id,object,"
	    "after\r\n");
	json_array_foreach(items, i, it) {
		char id[24];

		if (rc != 0)
			break;
		snprintf(id, sizeof(id), "%lld", (long long)json_integer_value(json_object_get(it,
		    "id")));
		rc = buf_puts(&b, id) || buf_puts(&b, ",") ||
		    case_csv_cell(&b, json_string_value(json_object_get(it, "at_people"))) ||
		    buf_puts(&b, ",") ||
		    case_csv_cell(&b, json_string_value(json_object_get(it, "actor"))) ||
		    buf_puts(&b, ",") ||
		    case_csv_cell(&b, json_string_value(json_object_get(it, "role"))) ||
		    buf_puts(&b, ",") ||
		    case_csv_cell(&b, json_string_value(json_object_get(it, "action"))) ||
		    buf_puts(&b, ",") ||
		    case_csv_cell(&b, json_string_value(json_object_get(it, "action_text"))) ||
		    buf_puts(&b, ",") ||
		    case_csv_cell(&b, json_string_value(json_object_get(it, "case_id"))) ||
		    buf_puts(&b, ",") ||
		    case_csv_cell(&b, json_string_value(json_object_get(it, "object"))) ||
		    buf_puts(&b, ",") ||
		    case_csv_cell(&b, json_string_value(json_object_get(it, "after_text"))) ||
		    buf_puts(&b, "\r\n");
	}
	page_free(pg);
	json_decref(items);
	if (rc != 0) {
		buf_free(&b);
		return page_error(r, ERR_TOO_LARGE, NULL);
	}
	res = reply_bytes(r, 200, "text/csv; charset=utf-8", b.data ? b.data : "", b.len,
	    "attachment; filename=\"audit.csv\"");
	buf_free(&b);
	return res;
}

/* ?case=&actor=&action= (each a part, any case), &from=&to= (days, IST, both included),
 * &before= (paging), &format=csv (every matching record, up to AUDIT_CSV_MAX). */
enum MHD_Result
h_page_audit(struct req *r)
{
	char qcase[64], qactor[96], qaction[64], qbefore[24], qfrom[16], qto[16], qfmt[8];
	const char *c, *a, *act, *b, *from_s, *to_s;
	int64_t before = INT64_MAX, next = 0, from = 0, to = INT64_MAX;
	int csv;
	json_t *items, *ctx;
	struct page *pg;
	struct db *db;

	c = filter(r, "case", qcase, sizeof(qcase));
	a = filter(r, "actor", qactor, sizeof(qactor));
	act = filter(r, "action", qaction, sizeof(qaction));
	b = filter(r, "before", qbefore, sizeof(qbefore));
	from_s = filter(r, "from", qfrom, sizeof(qfrom));
	to_s = filter(r, "to", qto, sizeof(qto));
	csv = filter(r, "format", qfmt, sizeof(qfmt)) != NULL && strcmp(qfmt, "csv") == 0;
	if ((b != NULL && strict_int64(b, 1, INT64_MAX, &before) != 0) ||
	    ist_day(from_s, &from) < 0 || ist_day(to_s, &to) < 0)
		return page_error(r, ERR_INVALID_FIELD, NULL);
	if (to_s != NULL)
		to += 86400;	/* the last day is included */
	if ((db = db_thread()) == NULL ||
	    (items = h_audit_search(db, c, a, act, from, to, before, csv ? AUDIT_CSV_MAX :
	    AUDIT_PAGE, &next)) == NULL)
		return page_error(r, ERR_UNAVAILABLE, NULL);
	if ((pg = page_begin(r)) == NULL) {
		json_decref(items);
		return MHD_NO;
	}
	readable(pg, items);
	if (csv)
		return audit_csv(r, pg, items);
	ctx = page_ctx(pg);
	json_object_set_new(ctx, "items", items);
	keep(ctx, "f_case", c);
	keep(ctx, "f_actor", a);
	keep(ctx, "f_action", act);
	keep(ctx, "f_from", from_s);
	keep(ctx, "f_to", to_s);
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
	/* disabling ends the person's sessions at once: the form asks to confirm it */
	if (disabled && page_form_get(r, "confirm") == NULL)
		return users_page(r, 400, ERR_INVALID_FIELD, "Tick the box to confirm.");
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

/* An administrator sets a new password (the person forgot theirs): audited as
 * user.password, every session of the account ended (staff_set_password). */
enum MHD_Result
h_page_user_password(struct req *r)
{
	const char *pass = page_form_get(r, "password");
	char actor[96], msg[256] = "";
	struct actor a;
	struct db *db;
	enum err e;

	if (pass == NULL || page_form_get(r, "confirm") == NULL)
		return users_page(r, 400, ERR_INVALID_FIELD, pass == NULL ? NULL :
		    "Tick the box to confirm.");
	if ((db = db_thread()) == NULL)
		return page_error(r, ERR_UNAVAILABLE, NULL);
	req_actor(r, &a, actor, sizeof(actor));
	if ((e = staff_set_password(db, &r->app->cfg, &a, r->args[0], pass, msg, sizeof(msg))) !=
	    ERR_OK)
		return users_page(r, err_status(e), e, msg);
	return page_redirect(r, "/admin/users?done=password", NULL, NULL);
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
