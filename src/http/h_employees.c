#include "http/handlers.h"

#include <string.h>

#include "audit/audit.h"
#include "cases/case.h"
#include "db/db.h"
#include "import/master.h"
#include "import/particulars.h"
#include "util/buf.h"
#include "util/timeutil.h"

/* The employee's master data with the particulars flagged for the office to certify
 * (issue 14) and whether an OTP can reach them; out of scope is 404, as if it did not
 * exist. After a certification, its id and the certificate stored. */
enum MHD_Result
h_employee_reply(struct req *r, unsigned status, int64_t cert_id, json_t *doc)
{
	struct employee e;
	struct db *db = db_thread();
	json_t *o, *disc;
	int blocked;

	if (db == NULL) {
		json_decref(doc);
		return reply_error(r, ERR_UNAVAILABLE, NULL);
	}
	if (employee_get(db, r->args[0], &e) != 0 ||
	    !scope_sees_employee(&r->who, e.id, e.office_code, e.department_code)) {
		json_decref(doc);
		return reply_error(r, ERR_NOT_FOUND, NULL);
	}
	if ((disc = particulars_json(db, &e)) == NULL ||
	    (blocked = particulars_login_blocked(db, e.id, e.family_id)) < 0) {
		json_decref(disc);
		json_decref(doc);
		return reply_error(r, ERR_INTERNAL, NULL);
	}
	o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:s, s:s, s:I,"
	    " s:s, s:s}", "employee_id", e.id, "name", e.name,
	    "father_name", e.father_name, "dob", e.dob, "gender", e.gender, "mobile", e.mobile,
	    "family_id", e.family_id, "department_code", e.department_code, "office_code",
	    e.office_code, "designation", e.designation, "pay_level", (json_int_t)e.pay_level,
	    "engagement_mode", e.engagement_mode, "head_of_account", e.head_of_account,
	    "monthly_remuneration", (json_int_t)e.monthly_remuneration, "joining_date",
	    e.joining_date, "source", e.source);
	if (o == NULL) {
		json_decref(disc);
		json_decref(doc);
		return reply_error(r, ERR_INTERNAL, NULL);
	}
	json_object_set_new(o, "discrepancies", disc);
	json_object_set_new(o, "can_log_in", json_boolean(e.mobile[0] != '\0' && !blocked));
	if (cert_id > 0)
		json_object_set_new(o, "certification_id", json_integer(cert_id));
	if (doc != NULL)
		json_object_set_new(o, "document", doc);
	return reply_json(r, status, o);
}

enum MHD_Result
h_employee_get(struct req *r)
{
	return h_employee_reply(r, 200, 0, NULL);
}

#define STUCK_CSV_MAX	(64u * 1024 * 1024)

/* GET /api/v1/dashboard/stuck[?format=csv]: who cannot log in, in the viewer's scope. */
enum MHD_Result
h_stuck(struct req *r)
{
	struct case_ctx cx;
	struct actor who;
	enum MHD_Result res;
	struct buf b;
	char actor[96], msg[256] = "", fmt[8];
	const char *f = req_query(r, "format", fmt, sizeof(fmt));
	struct db *db = db_thread();
	json_t *o = NULL;
	enum err e;

	if (db == NULL)
		return reply_error(r, ERR_UNAVAILABLE, NULL);
	if (f != NULL && strcmp(f, "csv") != 0 && strcmp(f, "json") != 0)
		return reply_error(r, ERR_INVALID_FIELD, "format is csv or json.");
	req_actor(r, &who, actor, sizeof(actor));
	case_ctx_of(r, db, &who, &cx);
	buf_init(&b, STUCK_CSV_MAX);
	e = case_stuck(&cx, time_now(), r->app->cfg.stuck_overdue_days,
	    r->app->cfg.stuck_list_max, 0, f && strcmp(f, "csv") == 0 ? NULL : &o,
	    f && strcmp(f, "csv") == 0 ? &b : NULL, msg, sizeof(msg));
	if (e != ERR_OK)
		res = reply_error(r, e, msg[0] ? msg : NULL);
	else if (o != NULL)
		res = reply_json(r, 200, o);
	else
		res = reply_bytes(r, 200, "text/csv; charset=utf-8", b.data ? b.data : "", b.len,
		    "attachment; filename=\"stuck.csv\"");
	buf_free(&b);
	return res;
}
