/* Pages of issue 14: an employee's particulars with the flags the feeds raised and the
 * certification form (before login, whatever the case's state), and the "who is stuck"
 * dashboard of the certifiers. The same domain calls as the API (h_employees.c). */
#include "http/handlers_pages.h"

#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "cases/case.h"
#include "db/db.h"
#include "http/page.h"
#include "import/master.h"
#include "import/particulars.h"
#include "util/buf.h"
#include "util/timeutil.h"

static int
is_certifier(const struct req *r)
{
	return r->who.role == ROLE_DDO || r->who.role == ROLE_HOD ||
	    r->who.role == ROLE_ADMIN_SECRETARY;
}

/* The flags as the page shows them, and the form's rows: every open flag's particular
 * with both feeds' values, "as recorded" or, where the record has no valid value, "correct
 * it" (as typed when the form came back refused). */
static json_t *
flags_ctx(struct req *r, struct db *db, const struct employee *e, json_t *form)
{
	json_t *disc = particulars_json(db, e), *rows = json_array();
	json_t *it;
	size_t i;

	json_array_foreach(disc, i, it) {
		const char *part = json_string_value(json_object_get(it, "particular"));
		const char *why = json_string_value(json_object_get(it, "reason"));
		json_t *v = json_object_get(it, "values");
		int open = !json_is_true(json_object_get(it, "certified"));
		char pkey[64], rkey[64];

		snprintf(pkey, sizeof(pkey), "cfield.%s", part);
		snprintf(rkey, sizeof(rkey), "flag.%s", why);
		json_array_append_new(rows, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:b,"
		    " s:b}", "part_key", pkey, "reason_key", rkey, "recorded",
		    json_string_value(json_object_get(v, "recorded")), "hkrnl",
		    json_string_value(json_object_get(v, "hkrnl")) ?
		    json_string_value(json_object_get(v, "hkrnl")) : "—", "treasury",
		    json_string_value(json_object_get(v, "treasury")) ?
		    json_string_value(json_object_get(v, "treasury")) : "—", "since",
		    json_string_value(json_object_get(it, "since")), "by",
		    json_string_value(json_object_get(it, "certified_by")) ?
		    json_string_value(json_object_get(it, "certified_by")) : "", "open", open,
		    "blocks", json_is_true(json_object_get(it, "blocks_login"))));
		if (open && json_object_get(form, part) == NULL) {
			json_t *row = h_page_cert_row(r, part,
			    json_string_value(json_object_get(v, "recorded")),
			    strcmp(why, "missing") == 0 || strcmp(why, "invalid") == 0);

			json_object_set_new(row, "hkrnl", json_string(json_string_value(
			    json_object_get(v, "hkrnl")) ? json_string_value(json_object_get(v,
			    "hkrnl")) : "—"));
			json_object_set_new(row, "treasury", json_string(json_string_value(
			    json_object_get(v, "treasury")) ? json_string_value(json_object_get(v,
			    "treasury")) : "—"));
			json_object_set_new(form, part, row);
		}
	}
	json_decref(disc);
	return rows;
}

static enum MHD_Result
employee_page(struct req *r, const char *id, enum err refused, const char *detail)
{
	char qd[16], office[256] = "", ddo[CODE_MAX] = "";
	const char *k, *v;
	struct employee e;
	struct page *pg;
	struct db *db;
	json_t *c, *form, *rows, *row;
	int blocked;

	if ((db = db_thread()) == NULL)
		return page_error(r, ERR_UNAVAILABLE, NULL);
	if (employee_get(db, id, &e) != 0 ||
	    !scope_sees_employee(&r->who, e.id, e.office_code, e.department_code))
		return page_error(r, ERR_NOT_FOUND, NULL);
	if ((blocked = particulars_login_blocked(db, e.id, e.family_id)) < 0)
		return page_error(r, ERR_UNAVAILABLE, NULL);
	particulars_office_of(db, e.id, office, sizeof(office), ddo, sizeof(ddo));
	if ((pg = page_begin(r)) == NULL)
		return MHD_NO;
	c = page_ctx(pg);
	if (refused != ERR_OK)
		page_notice_err(pg, refused, detail);
	else if (req_query(r, "done", qd, sizeof(qd)) != NULL)
		page_notice(pg, 0, "emp.certified", "The particulars are certified.", NULL);
	json_object_set_new(c, "employee", json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s,"
	    " s:s, s:s}", "id", e.id, "name", e.name, "dob", e.dob, "mobile", e.mobile[0] ?
	    e.mobile : "—", "family_id", e.family_id[0] ? e.family_id : "—", "office",
	    e.office_code, "office_name", office, "ddo_code", ddo, "department",
	    e.department_code, "head_of_account", e.head_of_account[0] ? e.head_of_account :
	    "—"));
	json_object_set_new(c, "can_log_in", json_boolean(e.mobile[0] && !blocked));
	form = json_object();
	json_object_set_new(c, "flags", flags_ctx(r, db, &e, form));
	rows = json_array();
	json_object_foreach(form, k, row)
		json_array_append(rows, row);
	json_decref(form);
	json_object_set_new(c, "cert_rows", rows);
	/* the contractual engagement is confirmed unless a refused form left it unticked */
	json_object_set_new(c, "contractual", json_boolean(page_form_get(r, "remarks") == NULL ||
	    page_form_get(r, "contractual") != NULL));
	json_object_set_new(c, "remarks", json_string((v = page_form_get(r, "remarks")) ? v :
	    ""));
	json_object_set_new(c, "can_certify", json_boolean(is_certifier(r)));
	return page_end(pg, refused != ERR_OK ? err_status(refused) : 200, "employee",
	    "title.employee");
}

enum MHD_Result
h_page_employee(struct req *r)
{
	return employee_page(r, r->args[0], ERR_OK, NULL);
}

/* The form streams through h_employee_certify_start like the API; a refusal is the page
 * again with its reason, a success a redirect (Post/Redirect/Get). */
enum MHD_Result
h_page_employee_certify(struct req *r)
{
	struct upload_outcome o;
	struct buf b;
	enum MHD_Result res;

	h_upload_finish(r, &o);
	if (o.documents != NULL) {
		json_decref(o.documents);
		buf_init(&b, 600);
		buf_puts(&b, "/employees/");
		page_url_escape(&b, r->args[0]);
		buf_puts(&b, "?done=certified");
		res = page_redirect(r, buf_str(&b), NULL, NULL);
		buf_free(&b);
		return res;
	}
	if (o.refused != NULL)
		return employee_page(r, r->args[0], ERR_UNPROCESSABLE, o.refused->message);
	if (o.err == ERR_CSRF || o.err == ERR_INTERNAL || o.err == ERR_UNAVAILABLE)
		return page_error(r, o.err, o.detail);
	return employee_page(r, r->args[0], o.err, o.detail);
}

/* Keys of a count object ({"mobile_invalid": 2}) as rows with their text's key. */
static json_t *
count_rows(json_t *counts, const char *prefix)
{
	json_t *rows = json_array(), *v;
	const char *k;
	char key[96];

	json_object_foreach(counts, k, v) {
		snprintf(key, sizeof(key), "%s%s", prefix, k);
		json_array_append_new(rows, json_pack("{s:s, s:s, s:O}", "name", k, "key", key,
		    "n", v));
	}
	return rows;
}

enum MHD_Result
h_page_stuck(struct req *r)
{
	struct case_ctx cx;
	struct actor who;
	struct page *pg;
	char actor[96], msg[256] = "";
	struct db *db;
	json_t *o = NULL, *c, *it;
	enum err e;
	size_t i;

	if ((db = db_thread()) == NULL)
		return page_error(r, ERR_UNAVAILABLE, NULL);
	req_actor(r, &who, actor, sizeof(actor));
	case_ctx_of(r, db, &who, &cx);
	if ((e = case_stuck(&cx, time_now(), r->app->cfg.stuck_overdue_days,
	    r->app->cfg.stuck_list_max, 0, &o, NULL, msg, sizeof(msg))) != ERR_OK)
		return page_error(r, e, msg[0] ? msg : NULL);
	if ((pg = page_begin(r)) == NULL) {
		json_decref(o);
		return MHD_NO;
	}
	c = page_ctx(pg);
	json_array_foreach(json_object_get(o, "items"), i, it) {
		json_t *keys = json_array();
		const char *p = json_string_value(json_object_get(it, "reasons")), *sp;
		char key[96];

		for (; p && *p; p = sp ? sp + 1 : p + strlen(p)) {
			sp = strchr(p, ' ');
			snprintf(key, sizeof(key), "stuck.r.%.*s",
			    (int)(sp ? sp - p : (long)strlen(p)), p);
			json_array_append_new(keys, json_pack("{s:s}", "key", key));
		}
		json_object_set_new(it, "reason_keys", keys);
	}
	json_object_set_new(c, "reasons", count_rows(json_object_get(o, "by_reason"),
	    "stuck.r."));
	json_object_set_new(c, "offices", count_rows(json_object_get(o, "by_office"), ""));
	json_object_set_new(c, "ages", count_rows(json_object_get(o, "by_age"), "stuck.age."));
	json_object_set_new(c, "stuck", o);
	return page_end(pg, 200, "stuck", "title.stuck");
}
