/* Cases (API.md): thin handlers over src/cases/case.h. The domain checks role, scope,
 * state and window; these parse, call and reply. */
#include "http/handlers.h"

#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "cases/case.h"
#include "db/db.h"
#include "letters/case_letter.h"
#include "util/strict.h"
#include "util/timeutil.h"

#define CSV_MAX (256u * 1024 * 1024)

struct hctx {
	struct case_ctx	cx;
	struct actor	a;
	char		name[96];
	char		msg[512];
};

void
case_ctx_of(struct req *r, struct db *db, const struct actor *a, struct case_ctx *cx)
{
	cx->db = db;
	cx->rules = &r->app->rules;
	cx->who = &r->who;
	cx->actor = a;
}

/* 0 ok; -1 after replying 503. */
static int
hctx_init(struct req *r, struct hctx *h, enum MHD_Result *res)
{
	memset(h, 0, sizeof(*h));
	if ((h->cx.db = db_thread()) == NULL) {
		*res = reply_error(r, ERR_UNAVAILABLE, NULL);
		return -1;
	}
	req_actor(r, &h->a, h->name, sizeof(h->name));
	case_ctx_of(r, h->cx.db, &h->a, &h->cx);
	return 0;
}

static enum MHD_Result
fail(struct req *r, struct hctx *h, enum err e)
{
	return reply_error(r, e, h->msg[0] ? h->msg : NULL);
}

/* The case as it stands after a change: the answer of every transition. */
static enum MHD_Result
reply_case(struct req *r, struct hctx *h, unsigned status)
{
	json_t *o;
	enum err e;

	if ((e = case_get_json(&h->cx, r->args[0], &o, h->msg, sizeof(h->msg))) != ERR_OK)
		return fail(r, h, e);
	return reply_json(r, status, o);
}

/* The JSON object body; an empty body counts as {} where allow_empty. NULL after a 400. */
static json_t *
body(struct req *r, int allow_empty, enum MHD_Result *res)
{
	if (allow_empty && r->body.len == 0)
		return json_object();
	return req_json(r, res);
}

enum MHD_Result
h_case_get(struct req *r)
{
	enum MHD_Result res;
	struct hctx h;

	if (hctx_init(r, &h, &res) != 0)
		return res;
	return reply_case(r, &h, 200);
}

enum MHD_Result
h_case_service(struct req *r)
{
	enum MHD_Result res;
	struct hctx h;
	json_t *o;
	enum err e;

	if (hctx_init(r, &h, &res) != 0 || (o = req_json(r, &res)) == NULL)
		return res;
	e = case_set_service(&h.cx, r->args[0], o, h.msg, sizeof(h.msg));
	json_decref(o);
	return e == ERR_OK ? reply_case(r, &h, 200) : fail(r, &h, e);
}

enum MHD_Result
h_case_submit(struct req *r)
{
	enum MHD_Result res;
	struct hctx h;
	json_t *o;
	enum err e;

	if (hctx_init(r, &h, &res) != 0 || (o = body(r, 1, &res)) == NULL)
		return res;
	if (json_object_size(o) != 0) {
		json_decref(o);
		return reply_error(r, ERR_INVALID_FIELD, "submit takes no fields.");
	}
	json_decref(o);
	e = case_submit(&h.cx, r->args[0], h.msg, sizeof(h.msg));
	return e == ERR_OK ? reply_case(r, &h, 200) : fail(r, &h, e);
}

enum MHD_Result
h_case_verify(struct req *r)
{
	enum MHD_Result res;
	struct hctx h;
	json_t *o;
	enum err e;

	if (hctx_init(r, &h, &res) != 0 || (o = req_json(r, &res)) == NULL)
		return res;
	e = case_verify(&h.cx, r->args[0], o, h.msg, sizeof(h.msg));
	json_decref(o);
	return e == ERR_OK ? reply_case(r, &h, 200) : fail(r, &h, e);
}

/* JSON form of a certification over an already stored document; the multipart
 * POST .../certify (upload and certify at once) sits on top of the same domain call. */
enum MHD_Result
h_case_certification(struct req *r)
{
	static const char *const keys[] = { "fields", "remarks", "document_id", NULL };
	enum MHD_Result res;
	const char *k, *remarks;
	struct hctx h;
	json_t *o, *v, *doc;
	enum err e = ERR_OK;
	int bad = 0;

	if (hctx_init(r, &h, &res) != 0 || (o = req_json(r, &res)) == NULL)
		return res;
	json_object_foreach(o, k, v) {
		size_t i;

		for (i = 0; keys[i] && strcmp(keys[i], k) != 0; i++)
			;
		if (keys[i] == NULL)
			bad = 1;
	}
	remarks = json_str(o, "remarks", 2000, &bad);
	doc = json_object_get(o, "document_id");
	if (bad || !json_is_integer(doc) || json_integer_value(doc) < 1)
		e = ERR_INVALID_FIELD;
	else
		e = case_certify(&h.cx, r->args[0], json_object_get(o, "fields"), remarks,
		    (int64_t)json_integer_value(doc), h.msg, sizeof(h.msg));
	json_decref(o);
	if (e == ERR_INVALID_FIELD && h.msg[0] == '\0')
		return reply_error(r, e, "Give fields (an object), remarks and document_id (the "
		    "id of a stored discrepancy_certificate); no other field.");
	return e == ERR_OK ? reply_case(r, &h, 201) : fail(r, &h, e);
}

/* {"remarks"} and nothing else; *remarks NULL when absent. -1 after a 400. */
static int
remarks_body(struct req *r, const char **remarks, json_t **o, enum MHD_Result *res)
{
	int bad = 0;

	if ((*o = body(r, 1, res)) == NULL)
		return -1;
	*remarks = json_str(*o, "remarks", 2000, &bad);
	if (bad || json_object_size(*o) > (json_object_get(*o, "remarks") ? 1u : 0u)) {
		json_decref(*o);
		*res = reply_error(r, ERR_INVALID_FIELD, "The body takes remarks (text) only.");
		return -1;
	}
	return 0;
}

/* One approval with its letter, in its own transaction; ref gets the letter reference. */
static enum err
approve_one(struct req *r, struct hctx *h, const char *id, const char *remarks,
    char ref[64])
{
	struct letter_case_arg la = { &r->app->letters, &h->a, "" };
	enum err e;

	h->msg[0] = '\0';
	e = case_approve(&h->cx, id, remarks, letter_for_case, &la, ref, h->msg,
	    sizeof(h->msg));
	/* A letter that could not be issued says why, not only "internal error". */
	if (e == ERR_INTERNAL && la.msg[0])
		snprintf(h->msg, sizeof(h->msg), "%s", la.msg);
	return e;
}

enum MHD_Result
h_case_approve(struct req *r)
{
	enum MHD_Result res;
	const char *remarks;
	char ref[64];
	struct hctx h;
	json_t *o;
	enum err e;

	if (hctx_init(r, &h, &res) != 0 || remarks_body(r, &remarks, &o, &res) != 0)
		return res;
	e = approve_one(r, &h, r->args[0], remarks, ref);
	json_decref(o);
	if (e != ERR_OK)
		return fail(r, &h, e);
	return reply_json(r, 200, json_pack("{s:s, s:s, s:o}", "employee_id", r->args[0],
	    "state", "approved", "letter_ref", ref[0] ? json_string(ref) : json_null()));
}

#define BULK_MAX 500

/* POST /api/v1/approvals {"employee_ids": [...], "remarks"?}: a HoD approves many cases;
 * each case and its letter is its own transaction, so one failure stops none of the
 * others, and the answer says for each what happened. */
enum MHD_Result
h_approvals(struct req *r)
{
	json_t *o, *ids, *results, *v;
	const char *remarks = NULL;
	enum MHD_Result res;
	long done = 0, failed = 0;
	struct hctx h;
	size_t i;
	int bad = 0;

	if (hctx_init(r, &h, &res) != 0 || (o = body(r, 1, &res)) == NULL)
		return res;
	ids = json_object_get(o, "employee_ids");
	remarks = json_str(o, "remarks", 2000, &bad);
	if (bad || !json_is_array(ids) || json_array_size(ids) == 0 ||
	    json_array_size(ids) > BULK_MAX ||
	    json_object_size(o) != 1u + (json_object_get(o, "remarks") ? 1u : 0u)) {
		json_decref(o);
		return reply_error(r, ERR_INVALID_FIELD, "Give employee_ids (1 to 500 ids) and "
		    "optionally remarks.");
	}
	json_array_foreach(ids, i, v) {
		if (!json_is_string(v) || strict_code(json_string_value(v)) != 0) {
			json_decref(o);
			return reply_error(r, ERR_INVALID_FIELD, "employee_ids holds something that "
			    "is not an employee id.");
		}
	}
	results = json_array();
	json_array_foreach(ids, i, v) {
		const char *id = json_string_value(v);
		char ref[64] = "";
		enum err e = approve_one(r, &h, id, remarks, ref);

		if (e == ERR_OK) {
			done++;
			json_array_append_new(results, json_pack("{s:s, s:s, s:s}", "employee_id", id,
			    "state", "approved", "letter_ref", ref));
		} else {
			failed++;
			json_array_append_new(results, json_pack("{s:s, s:{s:s, s:s}}", "employee_id",
			    id, "error", "code", err_code(e), "message",
			    h.msg[0] ? h.msg : err_message(e)));
		}
	}
	json_decref(o);
	return reply_json(r, 200, json_pack("{s:o, s:I, s:I}", "results", results, "approved",
	    (json_int_t)done, "failed", (json_int_t)failed));
}

enum MHD_Result
h_case_reject(struct req *r)
{
	enum MHD_Result res;
	const char *remarks;
	struct hctx h;
	json_t *o;
	enum err e;

	if (hctx_init(r, &h, &res) != 0 || remarks_body(r, &remarks, &o, &res) != 0)
		return res;
	e = case_reject(&h.cx, r->args[0], remarks, h.msg, sizeof(h.msg));
	json_decref(o);
	return e == ERR_OK ? reply_case(r, &h, 200) : fail(r, &h, e);
}

/* A query value, or NULL when absent; *bad when present but too long or badly escaped
 * (never silently dropped). */
static const char *
query(struct req *r, const char *name, char *out, size_t outlen, int *bad)
{
	const char *v = req_query(r, name, out, outlen);

	if (v == NULL && MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name))
		*bad = 1;
	return v;
}

/* The listing: ?state=&department=&office=&stage=&overdue=&q=&sort=&page=&per_page=
 * &format=csv */
enum MHD_Result
h_case_list(struct req *r)
{
	char qs[40], qd[CODE_MAX + 1], qo[CODE_MAX + 1], qg[20], qov[8], qp[16], qpp[8], qf[8],
	    qq[CASE_Q_MAX + 1], qsort[16];
	struct case_filter f = { .page = 1, .per_page = 50 };
	const char *ov, *p, *pp, *fmt;
	enum MHD_Result res;
	struct hctx h;
	json_t *o;
	enum err e;
	int bad = 0;

	if (hctx_init(r, &h, &res) != 0)
		return res;
	f.state = query(r, "state", qs, sizeof(qs), &bad);
	f.department = query(r, "department", qd, sizeof(qd), &bad);
	f.office = query(r, "office", qo, sizeof(qo), &bad);
	f.stage = query(r, "stage", qg, sizeof(qg), &bad);
	ov = query(r, "overdue", qov, sizeof(qov), &bad);
	p = query(r, "page", qp, sizeof(qp), &bad);
	pp = query(r, "per_page", qpp, sizeof(qpp), &bad);
	fmt = query(r, "format", qf, sizeof(qf), &bad);
	f.q = query(r, "q", qq, sizeof(qq), &bad);
	f.sort = query(r, "sort", qsort, sizeof(qsort), &bad);
	if (f.q != NULL && f.q[0] == '\0')
		f.q = NULL;
	if (bad)
		return reply_error(r, ERR_INVALID_FIELD, "A query value is too long or badly "
		    "escaped.");
	if (ov != NULL) {
		if (strcmp(ov, "1") == 0 || strcmp(ov, "true") == 0)
			f.overdue = 1;
		else if (strcmp(ov, "0") != 0 && strcmp(ov, "false") != 0)
			return reply_error(r, ERR_INVALID_FIELD, "overdue is true or false.");
	}
	if ((p && strict_int64(p, 1, 1000000, &f.page) != 0) ||
	    (pp && strict_int64(pp, 1, CASE_PER_PAGE_MAX, &f.per_page) != 0) ||
	    (fmt && strcmp(fmt, "csv") != 0 && strcmp(fmt, "json") != 0))
		return reply_error(r, ERR_INVALID_FIELD, "page from 1, per_page from 1 to 500, "
		    "format csv or json.");
	if (fmt && strcmp(fmt, "csv") == 0) {
		struct buf b;

		buf_init(&b, CSV_MAX);
		e = case_list_csv(&h.cx, &f, time_now(), &b, h.msg, sizeof(h.msg));
		if (e != ERR_OK) {
			buf_free(&b);
			return fail(r, &h, e);
		}
		res = reply_bytes(r, 200, "text/csv; charset=utf-8", b.data ? b.data : "", b.len,
		    "attachment; filename=\"cases.csv\"");
		buf_free(&b);
		return res;
	}
	if ((e = case_list(&h.cx, &f, time_now(), &o, h.msg, sizeof(h.msg))) != ERR_OK)
		return fail(r, &h, e);
	return reply_json(r, 200, o);
}

enum MHD_Result
h_dashboard(struct req *r)
{
	enum MHD_Result res;
	struct hctx h;
	json_t *o;
	enum err e;

	if (hctx_init(r, &h, &res) != 0)
		return res;
	if ((e = case_counts(&h.cx, time_now(), &o)) != ERR_OK)
		return fail(r, &h, e);
	return reply_json(r, 200, o);
}
