#include "http/handlers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/otp.h"
#include "auth/session.h"
#include "auth/staff.h"
#include "db/db.h"
#include "import/particulars.h"
#include "util/strict.h"
#include "util/timeutil.h"

static enum MHD_Result
rate_limited(struct req *r, enum err e, int64_t retry_after)
{
	char msg[200];

	r->retry_after = retry_after;
	snprintf(msg, sizeof(msg), "%s (try again in %lld seconds)", err_message(e),
	    (long long)(retry_after > 0 ? retry_after : 1));
	return reply_error(r, e, msg);
}

enum MHD_Result
h_otp_request(struct req *r)
{
	const char *emp, *fam;
	char masked[16], emp_n[CODE_MAX], fam_n[CODE_MAX];
	enum MHD_Result res;
	int64_t retry;
	struct db *db;
	json_t *o;
	enum err e;
	int bad = 0;

	if ((o = req_json(r, &res)) == NULL)
		return res;
	emp = json_str(o, "employee_id", 32, &bad);
	fam = json_str(o, "family_id", 32, &bad);
	/* the stored form of typed ids: "ucp-10003 " is UCP-10003 */
	if (bad || strict_id_norm(emp, emp_n, sizeof(emp_n)) != 0 ||
	    strict_id_norm(fam, fam_n, sizeof(fam_n)) != 0) {
		json_decref(o);
		return reply_error(r, ERR_INVALID_FIELD,
		    "Give employee_id (your HKRNL id or e-Salary UCP) and family_id.");
	}
	if ((db = db_thread()) == NULL) {
		json_decref(o);
		return reply_error(r, ERR_UNAVAILABLE, NULL);
	}
	e = otp_request(db, &r->app->cfg, r->app->otp_key, emp_n, fam_n, r->ip, masked, &retry);
	if (e == ERR_CERTIFY_FIRST) {
		char name[256] = "", ddo[CODE_MAX] = "", msg[768];

		/* issue 14: names the office that certifies; never the number on record */
		particulars_office_of(db, emp_n, name, sizeof(name), ddo, sizeof(ddo));
		json_decref(o);
		snprintf(msg, sizeof(msg), "%s Your office: %s (DDO code %s).", err_message(e),
		    name, ddo);
		return reply_error_with(r, err_status(e), err_code(e), msg,
		    json_pack("{s:{s:s, s:s}}", "office", "name", name, "ddo_code", ddo));
	}
	json_decref(o);
	if (e == ERR_RATE_LIMITED)
		return rate_limited(r, e, retry);
	if (e != ERR_OK)
		return reply_error(r, e, NULL);
	return reply_json(r, 202, json_pack("{s:s, s:s, s:I}", "status", "sent",
	    "masked_mobile", masked, "resend_after", (json_int_t)r->app->cfg.otp_resend_interval));
}

enum MHD_Result
h_otp_verify(struct req *r)
{
	struct session_new s;
	const char *emp, *code;
	char emp_n[CODE_MAX];
	enum MHD_Result res;
	struct db *db;
	json_t *o;
	enum err e;
	int bad = 0;

	if ((o = req_json(r, &res)) == NULL)
		return res;
	emp = json_str(o, "employee_id", 32, &bad);
	code = json_str(o, "otp", 16, &bad);
	if (bad || code == NULL || strict_id_norm(emp, emp_n, sizeof(emp_n)) != 0) {
		json_decref(o);
		return reply_error(r, ERR_INVALID_FIELD, "Give employee_id and the 6-digit otp.");
	}
	if ((db = db_thread()) == NULL) {
		json_decref(o);
		return reply_error(r, ERR_UNAVAILABLE, NULL);
	}
	e = otp_verify(db, &r->app->cfg, r->app->otp_key, emp_n, code, r->ip, &s);
	json_decref(o);
	if (e == ERR_OTP_DEAD)
		r->retry_after = r->app->cfg.otp_resend_interval;
	if (e != ERR_OK)
		return reply_error(r, e, NULL);
	return reply_session(r, 200, s.token, s.csrf, "employee", s.expires_at);
}

static void
kdf_work(void *job)
{
	staff_login_kdf(job);
}

int
login_staff_run(struct req *r, const char *user, const char *pass, struct session_new *s,
    enum role *role, enum err *e, enum MHD_Result *res)
{
	struct staff_login_job *j = r->stream;
	struct db *db;
	int64_t retry = 0;

	if ((db = db_thread()) == NULL) {
		*e = ERR_UNAVAILABLE;
		return 0;
	}
	if (r->resumed && j != NULL) {
		*e = staff_login_finish(db, &r->app->cfg, j, s, role);
		return 0;
	}
	if ((j = calloc(1, sizeof(*j))) == NULL) {
		*e = ERR_INTERNAL;
		return 0;
	}
	*e = staff_login_begin(db, &r->app->cfg, user, pass, r->ip, j, &retry);
	r->retry_after = retry;
	if (*e != ERR_OK) {
		staff_login_job_free(j);
		return 0;
	}
	r->stream = j;
	r->stream_free = staff_login_job_free;
	/* Suspended until the hash is done, or a 429 already sent when the queue is full. */
	*res = req_offload(r, kdf_work, j);
	return 1;
}

enum MHD_Result
h_login(struct req *r)
{
	struct session_new s;
	const char *user = NULL, *pass = NULL;
	enum MHD_Result res;
	enum role role;
	json_t *o = NULL;
	enum err e;
	int bad = 0;

	if (!r->resumed) {
		if ((o = req_json(r, &res)) == NULL)
			return res;
		user = json_str(o, "username", 64, &bad);
		pass = json_str(o, "password", 256, &bad);
		if (bad || user == NULL || pass == NULL) {
			json_decref(o);
			return reply_error(r, ERR_INVALID_FIELD, "Give username and password.");
		}
	}
	if (login_staff_run(r, user, pass, &s, &role, &e, &res)) {
		json_decref(o);
		return res;
	}
	json_decref(o);
	if (e == ERR_LOCKED || e == ERR_RATE_LIMITED)
		return rate_limited(r, e, r->retry_after);
	if (e != ERR_OK)
		return reply_error(r, e, NULL);
	return reply_session(r, 200, s.token, s.csrf, role_name(role), s.expires_at);
}

enum MHD_Result
h_logout(struct req *r)
{
	struct db *db = db_thread();

	if (db == NULL || session_end(db, r->token) != 0)
		return reply_error(r, ERR_UNAVAILABLE, NULL);
	return reply_logout(r);
}

enum MHD_Result
h_me(struct req *r)
{
	json_t *o, *offs, *deps;
	char exp[21];
	size_t i;

	offs = json_array();
	deps = json_array();
	for (i = 0; i < r->who.noffices; i++)
		json_array_append_new(offs, json_string(r->who.offices[i]));
	for (i = 0; i < r->who.ndepartments; i++)
		json_array_append_new(deps, json_string(r->who.departments[i]));
	time_iso_utc(r->session_expires, exp);
	o = json_pack("{s:s, s:s, s:{s:o, s:o}, s:s, s:s}", "role", role_name(r->who.role),
	    "kind", r->who.role == ROLE_EMPLOYEE ? "employee" : "staff",
	    "scope", "offices", offs, "departments", deps, "csrf_token", r->csrf,
	    "expires_at", exp);
	if (o == NULL)
		return reply_error(r, ERR_INTERNAL, NULL);
	if (r->who.role == ROLE_EMPLOYEE)
		json_object_set_new(o, "employee_id", json_string(r->who.employee_id));
	else
		json_object_set_new(o, "username", json_string(r->who.username));
	return reply_json(r, 200, o);
}
