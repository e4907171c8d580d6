/* The case page: what exists of an employee's case today (master data and documents, with
 * an upload form per document kind for the employee), and the home page of each role.
 * The case workflow sections (timeline, spells, outcome, letter) join case_page() as
 * their API lands; docs/pages.md says how. */
#include "http/handlers_pages.h"

#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "db/db.h"
#include "http/page.h"
#include "import/master.h"
#include "intake/documents.h"
#include "intake/intake.h"
#include "util/log.h"
#include "util/strict.h"
#include "util/timeutil.h"

/* API.md's document kinds, in the order the page lists them. */
static const char *const kinds[] = {
	"engagement_order", "hkrnl_deployment_letter", "salary_proof", "service_certificate",
	"dob_proof", "aadhaar", "family_id", "marital_declaration", "hssc_appointment_order",
	"hssc_termination_order", "discrepancy_certificate", "other",
};
#define NKINDS	(sizeof(kinds) / sizeof(kinds[0]))

static void
human_size(int64_t n, char *out, size_t outlen)
{
	if (n >= 1000 * 1000)
		snprintf(out, outlen, "%.1f MB", (double)n / 1e6);
	else if (n >= 1000)
		snprintf(out, outlen, "%lld KB", (long long)((n + 999) / 1000));
	else
		snprintf(out, outlen, "%lld B", (long long)n);
}

static void
add_doc(const struct document *d, void *arg)
{
	json_t *by_kind = arg, *list = json_object_get(by_kind, d->kind), *o;
	char size[32], at[PAGE_TIME_LEN];

	if (list == NULL)
		list = json_object_get(by_kind, "other");
	human_size(d->size, size, sizeof(size));
	page_time(d->uploaded_at, at);
	o = json_pack("{s:I, s:s, s:s, s:s, s:s}", "id", (json_int_t)d->id, "name", d->name,
	    "mime", d->mime, "size", size, "at", at);
	if (o != NULL && d->bundle[0])
		json_object_set_new(o, "bundle", json_string(d->bundle));
	json_array_append_new(list, o);
}

/* The notice a redirect asked for: only codes of the registries are honoured. */
static void
redirect_notice(struct req *r, struct page *pg)
{
	char v[300], entry[300], detail[400], key[64];
	int64_t n;
	int i;

	if (req_query(r, "uploaded", v, sizeof(v)) && strict_int64(v, 1, 1000, &n) == 0) {
		page_notice(pg, 0, n == 1 ? "case.uploaded_one" : "case.uploaded_many",
		    "The document was stored.", NULL);
		return;
	}
	if (req_query(r, "deleted", v, sizeof(v))) {
		page_notice(pg, 0, "case.deleted", "The document was deleted.", NULL);
		return;
	}
	if (req_query(r, "refused", v, sizeof(v))) {
		for (i = 1; i < INTAKE__MAX; i++) {
			const struct intake_code_info *ci = intake_code_info((enum intake_code)i);

			if (strcmp(ci->code, v) != 0)
				continue;
			snprintf(key, sizeof(key), "intake.%s", ci->code);
			detail[0] = '\0';
			if (req_query(r, "entry", entry, sizeof(entry)) != NULL && entry[0])
				snprintf(detail, sizeof(detail), "%s %s", page_t(pg,
				    "case.refused_entry", "File in the ZIP:"), entry);
			page_notice(pg, 1, key, ci->message, detail);
			json_object_set_new(page_ctx(pg), "refused", json_string(ci->code));
			return;
		}
	}
	if (req_query(r, "error", v, sizeof(v)))
		for (i = 1; i < ERR__MAX; i++)
			if (strcmp(err_code((enum err)i), v) == 0) {
				page_notice_err(pg, (enum err)i, NULL);
				return;
			}
}

/* The workflow's confirmations (?done=CODE after a form). */
static void
done_notice(struct req *r, struct page *pg)
{
	static const char *const done[] = { "saved", "submitted", "verified", "returned",
	    "discrepancy", "certified", "approved", "rejected", "posts", "waiting" };
	char v[32], key[48];
	size_t i;

	if (req_query(r, "done", v, sizeof(v)) == NULL)
		return;
	{
		char prev[CODE_MAX];

		/* moved on to the next case: say so, with the way back */
		if (req_query(r, "prev", prev, sizeof(prev)) != NULL && strict_code(prev) == 0)
			json_object_set_new(page_ctx(pg), "prev_case", json_string(prev));
	}
	for (i = 0; i < sizeof(done) / sizeof(done[0]); i++)
		if (strcmp(done[i], v) == 0) {
			snprintf(key, sizeof(key), "done.%s", done[i]);
			page_notice(pg, 0, key, "Done.", NULL);
			return;
		}
}

/* The employee's next step, one sentence on the first screen. */
static void
add_next_step(json_t *c)
{
	json_t *flow = json_object_get(c, "flow");
	const char *state_key = json_string_value(json_object_get(flow, "state_key"));
	const char *key = NULL, *anchor = NULL;

	if (flow == NULL)
		return;
	if (json_is_true(json_object_get(flow, "can_edit"))) {
		if (!json_is_true(json_object_get(flow, "declared")))
			key = "next.service", anchor = "#service";
		else if (json_is_true(json_object_get(flow, "missing")))
			key = "next.documents", anchor = "#required";
		else
			key = "next.submit", anchor = "#submit";
	} else if (state_key != NULL) {
		static const struct { const char *state, *key; } by[] = {
			{ "state.submitted", "next.wait_ddo" }, { "state.certified", "next.wait_ddo" },
			{ "state.discrepancy", "next.wait_cert" },
			{ "state.verified", "next.wait_post" }, { "state.waiting_equivalent_post",
			"next.wait_post" }, { "state.post_created", "next.wait_hod" },
			{ "state.approved", "next.letter" }, { "state.rejected", "next.rejected" },
		};
		size_t i;

		for (i = 0; i < sizeof(by) / sizeof(by[0]); i++)
			if (strcmp(by[i].state, state_key) == 0)
				key = by[i].key;
		if (key != NULL && strcmp(key, "next.letter") == 0)
			anchor = "#letter";
	}
	if (key != NULL)
		json_object_set_new(c, "next_step", json_pack("{s:s, s:s}", "key", key, "href",
		    anchor ? anchor : ""));
}

/* Which document kinds this case needs: those and the kinds already holding a document
 * are listed; the rest wait under "other documents". */
static void
mark_needed_kinds(json_t *c)
{
	json_t *req = json_object_get(json_object_get(c, "flow"), "required"), *k, *r;
	size_t i, j;
	int any_other = 0;

	json_array_foreach(json_object_get(c, "kinds"), i, k) {
		const char *kind = json_string_value(json_object_get(k, "kind"));
		int needed = json_array_size(json_object_get(k, "docs")) > 0 || req == NULL;

		json_array_foreach(req, j, r)
			if (kind && json_string_value(json_object_get(r, "kind")) &&
			    strcmp(kind, json_string_value(json_object_get(r, "kind"))) == 0)
				needed = 1;
		json_object_set_new(k, "needed", json_boolean(needed));
		any_other |= !needed;
	}
	json_object_set_new(c, "other_kinds", json_boolean(any_other));
}

/* The particulars a DDO checks against the papers (and may find in discrepancy), shown
 * beside the documents and each beside its tick box in the decision form. */
static void
add_particulars(json_t *c, const struct employee *e)
{
	json_t *flow = json_object_get(c, "flow"), *fields, *f;
	const char *mode = strcmp(e->engagement_mode, "hkrnl") == 0 ? "mode.hkrnl" :
	    "mode.direct";
	size_t i;

	json_object_set_new(c, "particulars", json_pack("[{s:s, s:s}, {s:s, s:s}, {s:s, s:s},"
	    " {s:s, s:s}, {s:s, s:s, s:b}]",
	    "key", "cfield.mobile", "value", e->mobile,
	    "key", "cfield.family_id", "value", e->family_id,
	    "key", "cfield.head_of_account", "value", e->head_of_account,
	    "key", "case.dob", "value", e->dob,
	    "key", "cfield.engagement_mode", "value", mode, "translate", 1));
	fields = json_object_get(flow, "fields");
	json_array_foreach(fields, i, f) {
		const char *n = json_string_value(json_object_get(f, "name"));

		if (n == NULL)
			continue;
		if (strcmp(n, "mobile") == 0)
			json_object_set_new(f, "value", json_string(e->mobile));
		else if (strcmp(n, "family_id") == 0)
			json_object_set_new(f, "value", json_string(e->family_id));
		else if (strcmp(n, "head_of_account") == 0)
			json_object_set_new(f, "value", json_string(e->head_of_account));
		else if (strcmp(n, "engagement_mode") == 0)
			json_object_set_new(f, "value_key", json_string(mode));
	}
}

enum MHD_Result
h_page_case_render(struct req *r, const char *employee_id, enum err refused,
    const char *detail)
{
	struct employee e;
	struct page *pg;
	int64_t count = 0, bytes = 0;
	json_t *c, *by_kind, *list;
	char used[32], quota[32];
	struct db *db;
	size_t i;
	int owner;

	if ((db = db_thread()) == NULL)
		return page_error(r, ERR_UNAVAILABLE, NULL);
	if (employee_get(db, employee_id, &e) != 0 ||
	    !scope_sees_employee(&r->who, e.id, e.office_code, e.department_code))
		return page_error(r, ERR_NOT_FOUND, NULL);
	if ((pg = page_begin(r)) == NULL)
		return MHD_NO;
	c = page_ctx(pg);
	owner = r->who.role == ROLE_EMPLOYEE;
	json_object_set_new(c, "owner", json_boolean(owner));
	json_object_set_new(c, "employee", json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
	    "id", e.id, "name", e.name, "designation", e.designation, "office", e.office_code,
	    "department", e.department_code, "joining_date", e.joining_date,
	    "mode_key", strcmp(e.engagement_mode, "hkrnl") == 0 ? "mode.hkrnl" : "mode.direct"));
	/* the values on record of the particulars a certification may correct */
	json_object_set_new(json_object_get(c, "employee"), "recorded", json_pack("{s:s, s:s,"
	    " s:s, s:s, s:s, s:s}", "mobile", e.mobile, "family_id", e.family_id,
	    "head_of_account", e.head_of_account, "engagement_mode", e.engagement_mode, "dob",
	    e.dob, "office_code", e.office_code));
	by_kind = json_object();
	for (i = 0; i < NKINDS; i++)
		json_object_set_new(by_kind, kinds[i], json_array());
	/* Finance sees the case for posts, not the papers (scope_sees_documents). */
	if ((scope_sees_documents(&r->who, e.id, e.office_code, e.department_code) &&
	    document_list(db, e.id, add_doc, by_kind) != 0) ||
	    document_usage(db, e.id, &count, &bytes) != 0) {
		json_decref(by_kind);
		page_free(pg);
		return page_error(r, ERR_UNAVAILABLE, NULL);
	}
	list = json_array();
	for (i = 0; i < NKINDS; i++) {
		char key[64];

		snprintf(key, sizeof(key), "kind.%s", kinds[i]);
		json_array_append_new(list, json_pack("{s:s, s:s, s:O}", "kind", kinds[i],
		    "label_key", key, "docs", json_object_get(by_kind, kinds[i])));
	}
	json_decref(by_kind);
	json_object_set_new(c, "kinds", list);
	human_size(bytes, used, sizeof(used));
	human_size(r->app->cfg.quota_bytes, quota, sizeof(quota));
	json_object_set_new(c, "usage", json_pack("{s:I, s:I, s:s, s:s}", "files",
	    (json_int_t)count, "max_files", (json_int_t)r->app->cfg.quota_files, "bytes", used,
	    "max_bytes", quota));
	human_size(r->app->cfg.upload_max_file, used, sizeof(used));
	json_object_set_new(c, "max_file", json_string(used));
	if (h_page_case_flow(r, c, e.id) != 0)
		log_error("case page %s: the case could not be read", e.id);
	add_particulars(c, &e);
	if (owner)
		add_next_step(c);
	mark_needed_kinds(c);
	/* documents change only while the employee may still edit the case */
	json_object_set_new(c, "can_upload", json_boolean(owner && (json_object_get(c, "flow") ==
	    NULL || json_is_true(json_object_get(json_object_get(c, "flow"), "can_edit")))));
	if (refused != ERR_OK)
		page_notice_err(pg, refused, detail);
	else {
		redirect_notice(r, pg);
		done_notice(r, pg);
	}
	return page_end(pg, refused != ERR_OK ? err_status(refused) : 200, "case",
	    owner ? "title.my_case" : "title.case");
}

enum MHD_Result
h_page_home(struct req *r)
{
	return h_page_home_render(r, ERR_OK, NULL);
}

enum MHD_Result
h_page_home_render(struct req *r, enum err refused, const char *detail)
{
	struct page *pg;
	json_t *c;

	if (r->who.role == ROLE_EMPLOYEE)
		return h_page_case_render(r, r->who.employee_id, refused, detail);
	if ((pg = page_begin(r)) == NULL)
		return MHD_NO;
	c = page_ctx(pg);
	/* what each role can do today; the workflow queues join here as they land */
	json_object_set_new(c, "can_find", json_true());
	json_object_set_new(c, "can_revoke", json_boolean(r->who.role == ROLE_HOD ||
	    r->who.role == ROLE_ADMIN));
	json_object_set_new(c, "is_auditor", json_boolean(r->who.role == ROLE_AUDITOR));
	json_object_set_new(c, "is_admin", json_boolean(r->who.role == ROLE_ADMIN));
	json_object_set_new(c, "scope_offices", json_integer((json_int_t)r->who.noffices));
	if (r->who.noffices > 0 || r->who.ndepartments > 0) {
		json_t *sc = json_array();
		size_t i;

		for (i = 0; i < r->who.noffices; i++)
			json_array_append_new(sc, json_string(r->who.offices[i]));
		for (i = 0; i < r->who.ndepartments; i++)
			json_array_append_new(sc, json_string(r->who.departments[i]));
		json_object_set_new(c, "scope", sc);
	}
	json_object_set_new(c, "is_finance", json_boolean(r->who.role == ROLE_FINANCE));
	json_object_set_new(c, "is_hod", json_boolean(r->who.role == ROLE_HOD));
	if (h_page_queues(r, c) != 0)
		log_error("staff home: the queues could not be read");
	if (refused != ERR_OK) {
		const char *v;

		page_notice_err(pg, refused, detail);
		/* a refused form keeps what was typed (the ticks: h_page_queues) */
		if ((v = page_form_get(r, "designation")) != NULL)
			json_object_set_new(c, "f_designation", json_string(v));
		if ((v = page_form_get(r, "pay_level")) != NULL)
			json_object_set_new(c, "f_pay_level", json_string(v));
	} else
		done_notice(r, pg);
	return page_end(pg, refused != ERR_OK ? err_status(refused) : 200, "staff_home",
	    "title.home");
}

enum MHD_Result
h_page_case(struct req *r)
{
	return h_page_case_render(r, r->args[0], ERR_OK, NULL);
}

/* The "open an employee's documents" form of the staff home (a GET: it only reads). */
enum MHD_Result
h_page_find(struct req *r)
{
	char raw[64], id[CODE_MAX], loc[200];
	struct buf b;

	if (req_query(r, "employee_id", raw, sizeof(raw)) == NULL ||
	    strict_id_norm(raw, id, sizeof(id)) != 0)
		return page_error(r, ERR_INVALID_FIELD, NULL);
	buf_init(&b, 160);
	buf_puts(&b, "/cases/");
	page_url_escape(&b, id);
	snprintf(loc, sizeof(loc), "%s", buf_str(&b));
	buf_free(&b);
	return page_redirect(r, loc, NULL, NULL);
}

/* The upload form: the same streaming and checks as the API (h_documents.c), then back to
 * the page with what happened (Post/Redirect/Get). */
enum MHD_Result
h_page_upload(struct req *r)
{
	struct upload_outcome o;
	char loc[600];
	struct buf b;

	h_upload_finish(r, &o);
	if (o.documents != NULL) {
		const char *kind = json_string_value(json_object_get(json_array_get(o.documents, 0),
		    "kind"));

		/* back to where the upload was made, not the top of a long page */
		snprintf(loc, sizeof(loc), "/home?uploaded=%zu%s%s", json_array_size(o.documents),
		    kind && strspn(kind, "abcdefghijklmnopqrstuvwxyz_") == strlen(kind) ?
		    "#kind-" : "", kind && strspn(kind, "abcdefghijklmnopqrstuvwxyz_") ==
		    strlen(kind) ? kind : "");
		json_decref(o.documents);
		return page_redirect(r, loc, NULL, NULL);
	}
	if (o.refused == NULL) {
		if (o.err == ERR_CSRF || o.err == ERR_INTERNAL || o.err == ERR_UNAVAILABLE)
			return page_error(r, o.err, NULL);
		snprintf(loc, sizeof(loc), "/home?error=%s", err_code(o.err));
		return page_redirect(r, loc, NULL, NULL);
	}
	buf_init(&b, sizeof(loc) - 1);
	buf_printf(&b, "/home?refused=%s", o.refused->code);
	if (o.entry[0]) {
		buf_puts(&b, "&entry=");
		page_url_escape(&b, o.entry);
	}
	snprintf(loc, sizeof(loc), "%s", b.len ? buf_str(&b) : "/home?error=internal_error");
	buf_free(&b);
	return page_redirect(r, loc, NULL, NULL);
}

enum MHD_Result
h_page_document_delete(struct req *r)
{
	char msg[256];
	enum err e = h_document_remove(r, msg, sizeof(msg));

	if (e != ERR_OK)
		return page_error(r, e, msg[0] ? msg : NULL);
	return page_redirect(r, "/home?deleted=1", NULL, NULL);
}
