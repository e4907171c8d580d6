/* Sign-in pages: employee (id + Family ID, then the OTP), staff (username + password),
 * sign-out and the language switch. The same domain calls as h_auth.c; a login sets the
 * session cookie on a 303 to /home (Post/Redirect/Get). */
#include "http/handlers_pages.h"

#include <stdio.h>
#include <string.h>

#include "auth/otp.h"
#include "auth/session.h"
#include "auth/staff.h"
#include "db/db.h"
#include "http/page.h"
#include "import/particulars.h"
#include "util/strict.h"
#include "util/timeutil.h"

/* The pending OTP login, between the two steps: "EMPLOYEE.FAMILY.MASKED" in a cookie on
 * /login only, so that the Family ID never goes into an address or a log line. */
#define OTP_COOKIE	"otp"

struct pending {
	char	employee_id[CODE_MAX];
	char	family_id[CODE_MAX];
	char	masked[16];
};

static int
pending_get(const struct req *r, struct pending *p)
{
	const char *c = MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, OTP_COOKIE);
	const char *d1, *d2;

	memset(p, 0, sizeof(*p));
	if (c == NULL || (d1 = strchr(c, '.')) == NULL || (d2 = strchr(d1 + 1, '.')) == NULL ||
	    (size_t)(d1 - c) >= sizeof(p->employee_id) ||
	    (size_t)(d2 - d1 - 1) >= sizeof(p->family_id) || strlen(d2 + 1) >= sizeof(p->masked))
		return -1;
	memcpy(p->employee_id, c, (size_t)(d1 - c));
	memcpy(p->family_id, d1 + 1, (size_t)(d2 - d1 - 1));
	snprintf(p->masked, sizeof(p->masked), "%s", d2 + 1);
	if (strict_code(p->employee_id) != 0 || strict_code(p->family_id) != 0 ||
	    strspn(p->masked, "*0123456789") != strlen(p->masked))
		return -1;
	return 0;
}

/* "You can try again in 3 minutes." in the page's language: a refusal for too many tries
 * always says how long to wait. */
static void
wait_detail(struct page *pg, int64_t wait, char *out, size_t outlen)
{
	int64_t n = wait <= 0 ? 1 : wait;
	int minutes = n > 90;

	snprintf(out, outlen, "%s %lld %s", page_t(pg, "wait.try_in", "You can try again in"),
	    (long long)(minutes ? (n + 59) / 60 : n), minutes ?
	    page_t(pg, "wait.minutes", "minutes.") : page_t(pg, "wait.seconds", "seconds."));
}

/* The sign-in page; a refusal shows e's message, or the text of key when given; wait
 * (seconds, 0 none) says when to try again. */
static enum MHD_Result
signin_page(struct req *r, unsigned status, enum err e, const char *key, int64_t wait)
{
	char q[8], detail[160];
	struct page *pg = page_begin(r);

	if (pg == NULL)
		return MHD_NO;
	detail[0] = '\0';
	if (wait > 0)
		wait_detail(pg, wait, detail, sizeof(detail));
	if (key != NULL)
		page_notice(pg, 1, key, err_message(e), NULL);
	else if (e != ERR_OK)
		page_notice_err(pg, e, detail[0] ? detail : NULL);
	else if (req_query(r, "signin", q, sizeof(q)) != NULL)
		page_notice(pg, 1, "signin.needed", "Please sign in to continue.", NULL);
	else if (req_query(r, "out", q, sizeof(q)) != NULL)
		page_notice(pg, 0, "signin.signed_out", "You have signed out.", NULL);
	if (page_form_get(r, "employee_id") != NULL)
		json_object_set_new(page_ctx(pg), "employee_id",
		    json_string(page_form_get(r, "employee_id")));
	if (page_form_get(r, "username") != NULL)
		json_object_set_new(page_ctx(pg), "username",
		    json_string(page_form_get(r, "username")));
	return page_end(pg, status, "signin", "title.signin");
}

/* issue 14: the pair is known but the office must certify first; names the office and
 * its DDO code, never the number on record. */
static enum MHD_Result
certify_first_page(struct req *r, struct db *db, const char *employee_id)
{
	char name[256] = "", ddo[CODE_MAX] = "", detail[512];
	struct page *pg = page_begin(r);

	if (pg == NULL)
		return MHD_NO;
	particulars_office_of(db, employee_id, name, sizeof(name), ddo, sizeof(ddo));
	snprintf(detail, sizeof(detail), "%s: %s (%s %s)",
	    page_t(pg, "signin.certify_office", "Your office"), name,
	    page_t(pg, "signin.certify_ddo", "DDO code"), ddo);
	page_notice(pg, 1, "err.particulars_not_certified", err_message(ERR_CERTIFY_FIRST),
	    detail);
	json_object_set_new(page_ctx(pg), "employee_id", json_string(employee_id));
	return page_end(pg, err_status(ERR_CERTIFY_FIRST), "signin", "title.signin");
}

enum MHD_Result
h_page_root(struct req *r)
{
	if (r->authed)
		return page_redirect(r, "/home", NULL, NULL);
	return signin_page(r, 200, ERR_OK, NULL, 0);
}

static enum MHD_Result
otp_page(struct req *r, const struct pending *p, unsigned status, enum err e,
    const char *detail, int64_t wait)
{
	struct page *pg = page_begin(r);
	json_t *c;

	if (pg == NULL)
		return MHD_NO;
	c = page_ctx(pg);
	if (e == ERR_RATE_LIMITED) {
		char w[160];

		wait_detail(pg, wait, w, sizeof(w));
		page_notice_err(pg, e, w);
	} else if (e != ERR_OK)
		page_notice_err(pg, e, detail);
	/* No mobile number is shown: for an id or Family ID that is not on record it would be
	 * made up, and leaving it out for those alone would tell who exists. */
	json_object_set_new(c, "wait", json_integer(wait));
	json_object_set_new(c, "ttl_minutes", json_integer(r->app->cfg.otp_ttl / 60));
	return page_end(pg, status, "otp", "title.otp");
}

/* Step one, and "send a new code" from step two (the form then says resend). */
enum MHD_Result
h_page_otp_request(struct req *r)
{
	const char *emp = page_form_get(r, "employee_id"), *fam = page_form_get(r, "family_id");
	const char *resend = page_form_get(r, "resend");
	char cookie[256], value[96], emp_n[CODE_MAX], fam_n[CODE_MAX];
	struct pending p;
	int64_t retry = 0;
	struct db *db;
	enum err e;

	if (resend != NULL) {
		if (pending_get(r, &p) != 0)
			return page_redirect(r, "/", NULL, NULL);
		emp = p.employee_id;
		fam = p.family_id;
	} else {
		/* typed as people type them: "ucp-10003 " is UCP-10003 */
		if (strict_id_norm(emp, emp_n, sizeof(emp_n)) != 0 ||
		    strict_id_norm(fam, fam_n, sizeof(fam_n)) != 0)
			return signin_page(r, 400, ERR_INVALID_FIELD, "signin.give_ids", 0);
		emp = emp_n;
		fam = fam_n;
		memset(&p, 0, sizeof(p));
		snprintf(p.employee_id, sizeof(p.employee_id), "%s", emp);
		snprintf(p.family_id, sizeof(p.family_id), "%s", fam);
	}
	if ((db = db_thread()) == NULL)
		return page_error(r, ERR_UNAVAILABLE, NULL);
	e = otp_request(db, &r->app->cfg, r->app->otp_key, emp, fam, r->ip, p.masked, &retry);
	r->retry_after = retry;
	if (e == ERR_RATE_LIMITED && resend != NULL)
		return otp_page(r, &p, 429, e, NULL, retry);
	if (e == ERR_CERTIFY_FIRST)
		return certify_first_page(r, db, emp);
	if (e != ERR_OK)
		return signin_page(r, err_status(e), e, NULL, retry);
	snprintf(value, sizeof(value), "%s.%s.%s", p.employee_id, p.family_id, p.masked);
	page_cookie(r, cookie, sizeof(cookie), OTP_COOKIE, value, "/login", r->app->cfg.otp_ttl);
	return page_redirect(r, "/login/otp?sent=1", cookie, NULL);
}

enum MHD_Result
h_page_otp(struct req *r)
{
	struct pending p;
	char q[8];

	if (pending_get(r, &p) != 0)
		return page_redirect(r, "/", NULL, NULL);
	/* just sent: the resend button waits the resend interval */
	return otp_page(r, &p, 200, ERR_OK, NULL, req_query(r, "sent", q, sizeof(q)) ?
	    r->app->cfg.otp_resend_interval : 0);
}

enum MHD_Result
h_page_otp_verify(struct req *r)
{
	const char *code = page_form_get(r, "otp");
	char session[256], clear[128];
	struct session_new s;
	struct pending p;
	struct db *db;
	enum err e;

	if (pending_get(r, &p) != 0)
		return page_redirect(r, "/", NULL, NULL);
	if (code == NULL || strlen(code) != 6 || strspn(code, "0123456789") != 6)
		return otp_page(r, &p, 400, ERR_OTP_INVALID, NULL, 0);
	if ((db = db_thread()) == NULL)
		return page_error(r, ERR_UNAVAILABLE, NULL);
	e = otp_verify(db, &r->app->cfg, r->app->otp_key, p.employee_id, code, r->ip, &s);
	if (e != ERR_OK)
		return otp_page(r, &p, err_status(e), e, NULL, 0);
	reply_session_cookie(r, session, sizeof(session), s.token, s.expires_at - time_now());
	page_cookie(r, clear, sizeof(clear), OTP_COOKIE, "", "/login", 0);
	return page_redirect(r, "/home", session, clear);
}

enum MHD_Result
h_page_staff_login(struct req *r)
{
	const char *user = page_form_get(r, "username"), *pass = page_form_get(r, "password");
	struct session_new s;
	char session[256];
	enum MHD_Result res;
	enum role role;
	enum err e;

	if (user == NULL || pass == NULL || user[0] == '\0' || pass[0] == '\0' ||
	    strlen(user) > 64 || strlen(pass) > 256)
		return signin_page(r, 400, ERR_BAD_CREDENTIALS, NULL, 0);
	/* The password hash runs off the connection threads (login_staff_run). */
	if (login_staff_run(r, user, pass, &s, &role, &e, &res))
		return res;
	if (e != ERR_OK)
		return signin_page(r, err_status(e), e, NULL, r->retry_after);
	reply_session_cookie(r, session, sizeof(session), s.token, s.expires_at - time_now());
	return page_redirect(r, "/home", session, NULL);
}

enum MHD_Result
h_page_logout(struct req *r)
{
	struct db *db = db_thread();
	char clear[256];

	if (db == NULL || session_end(db, r->token) != 0)
		return page_error(r, ERR_UNAVAILABLE, NULL);
	reply_session_cookie(r, clear, sizeof(clear), "", 0);
	return page_redirect(r, "/?out=1", clear, NULL);
}

/* A local path to come back to: "/..." but not "//host" nor a backslash trick. */
static int
local_path(const char *s)
{
	size_t i;

	if (s == NULL || s[0] != '/' || s[1] == '/' || s[1] == '\\' || strlen(s) > 500)
		return 0;
	for (i = 0; s[i]; i++)
		if ((unsigned char)s[i] < 0x21 || s[i] == '\\' || (unsigned char)s[i] >= 0x7f)
			return 0;
	return 1;
}

enum MHD_Result
h_page_lang(struct req *r)
{
	const char *lang = page_form_get(r, "lang"), *back = page_form_get(r, "back");
	char cookie[160];

	if (lang == NULL || (strcmp(lang, "en") != 0 && strcmp(lang, "hi") != 0))
		lang = "en";
	/* not a secret and not the session: a year, for every page */
	snprintf(cookie, sizeof(cookie), "lang=%s; Path=/; Max-Age=31536000; SameSite=Lax%s",
	    lang, r->app->cfg.secure_cookies ? "; Secure" : "");
	return page_redirect(r, local_path(back) ? back : "/", cookie, NULL);
}
