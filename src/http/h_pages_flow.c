/* The case workflow in pages: what the case page shows of a case (timeline, deadlines,
 * required documents, spells, outcome, letter, the forms of whoever acts next), the queues
 * of the staff home, and the forms' handlers. Thin, like h_cases.c: each form is read,
 * turned into the body the API would take, given to the same domain function
 * (cases/case.h), and answered with a redirect and a notice (Post/Redirect/Get), or the
 * page again with the domain's message when it refuses. */
#include "http/handlers_pages.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit/audit.h"
#include "cases/case.h"
#include "db/db.h"
#include "http/page.h"
#include "import/master.h"
#include "intake/blob.h"
#include "intake/documents.h"
#include "letters/case_letter.h"
#include "letters/store.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/strict.h"
#include "util/timeutil.h"

#define SPELLS_MAX	20	/* rows of the service form */
#define BULK_MAX	200	/* cases of one bulk form */
#define QUEUE_MAX	200	/* rows of a queue on the home page */

/* Who acts, as h_cases.c builds it. */
struct flow {
	struct case_ctx	cx;
	struct actor	a;
	char		name[96];
	char		msg[512];
};

static int
flow_init(struct req *r, struct flow *f)
{
	struct db *db;

	memset(f, 0, sizeof(*f));
	if ((db = db_thread()) == NULL)
		return -1;
	req_actor(r, &f->a, f->name, sizeof(f->name));
	case_ctx_of(r, db, &f->a, &f->cx);
	return 0;
}

/* An instant of the API ("2026-11-23T00:23:55Z" or "2026-12-23T23:59:00+05:30") as
 * "23-11-2026 05:53 IST", less back seconds (a due time is the first closed instant; people
 * read the last open minute). */
static void
people_time_back(const char *iso, int64_t back, char out[PAGE_TIME_LEN])
{
	int y, mo, d, h, mi, s;
	int64_t t;

	out[0] = '\0';
	if (iso == NULL)
		return;
	if (sscanf(iso, "%4d-%2d-%2dT%2d:%2d:%2d", &y, &mo, &d, &h, &mi, &s) != 6 ||
	    strlen(iso) < 20) {
		snprintf(out, PAGE_TIME_LEN, "%s", iso);
		return;
	}
	t = (int64_t)date_from_ymd(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
	if (strcmp(iso + 19, "+05:30") == 0)
		t -= 19800;
	else if (strcmp(iso + 19, "Z") != 0) {
		snprintf(out, PAGE_TIME_LEN, "%s", iso);
		return;
	}
	page_time(t - back, out);
}

static void
people_time(const char *iso, char out[PAGE_TIME_LEN])
{
	people_time_back(iso, 0, out);
}

/* "2026-04-30" as "30-04-2026" (the way dates are written on the papers). */
static json_t *
people_date(const char *ymd)
{
	char out[16];

	if (ymd == NULL || strlen(ymd) != 10)
		return json_string(ymd ? ymd : "");
	snprintf(out, sizeof(out), "%.2s-%.2s-%.4s", ymd + 8, ymd + 5, ymd);
	return json_string(out);
}

static json_t *
key_of(const char *prefix, const char *name)
{
	char k[96];

	if (name == NULL)
		return json_null();
	snprintf(k, sizeof(k), "%s.%s", prefix, name);
	return json_string(k);
}

static const char *
str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static int
is_state(const json_t *cj, const char *s)
{
	const char *v = str(cj, "state");

	return v != NULL && strcmp(v, s) == 0;
}

static void
add_timeline(json_t *flow, const json_t *cj)
{
	json_t *tl = json_array(), *h;
	char at[PAGE_TIME_LEN];
	size_t i;

	json_array_foreach(json_object_get(cj, "history"), i, h) {
		const char *act = str(h, "action"), *why = str(h, "remarks");

		/* the action names the state it led to ("Returned", "Approved") */
		people_time(str(h, "at"), at);
		json_array_append_new(tl, json_pack("{s:s, s:o, s:s, s:o}", "at", at,
		    "action_key", key_of("act", act ? act : "other"), "actor",
		    str(h, "actor") ? str(h, "actor") : "", "remarks",
		    why ? json_string(why) : json_null()));
	}
	json_object_set_new(flow, "timeline", tl);
}

static void
add_deadlines(json_t *flow, const json_t *cj)
{
	json_t *dl = json_array(), *d;
	char at[PAGE_TIME_LEN];
	const char *stage = str(cj, "stage");
	size_t i;

	json_array_foreach(json_object_get(cj, "deadlines"), i, d) {
		people_time(str(d, "closes"), at);
		json_array_append_new(dl, json_pack("{s:o, s:s, s:b, s:b, s:b}", "stage_key",
		    key_of("stage", str(d, "stage")), "closes", at, "open",
		    json_is_true(json_object_get(d, "open")), "extended",
		    json_is_true(json_object_get(d, "extended")), "current", stage != NULL &&
		    str(d, "stage") != NULL && strcmp(stage, str(d, "stage")) == 0));
	}
	json_object_set_new(flow, "deadlines", dl);
}

/* The documents this case needs, each with what is uploaded against it. */
static void
add_required(json_t *flow, const json_t *cj)
{
	json_t *req = json_array(), *k, *d;
	size_t i, j;

	json_array_foreach(json_object_get(cj, "required_documents"), i, k) {
		json_t *names = json_array();
		const char *kind = json_string_value(k);

		if (kind == NULL)
			continue;
		json_array_foreach(json_object_get(cj, "documents"), j, d)
			if (str(d, "kind") && strcmp(str(d, "kind"), kind) == 0)
				json_array_append_new(names, json_string(str(d, "name") ?
				    str(d, "name") : ""));
		json_array_append_new(req, json_pack("{s:s, s:o, s:b, s:o}", "kind", kind,
		    "label_key", key_of("kind", kind), "uploaded", json_array_size(names) > 0,
		    "names", names));
	}
	json_object_set_new(flow, "required", req);
	json_object_set_new(flow, "missing", json_boolean(json_array_size(json_object_get(cj,
	    "missing_documents")) > 0));
}

static json_t *
spell_view(const json_t *sp, size_t i)
{
	const char *kind = str(sp, "kind"), *to = str(sp, "to");

	return json_pack("{s:I, s:I, s:s, s:s, s:o, s:o, s:s, s:o, s:s, s:s, s:b, s:b, s:b}",
	    "i", (json_int_t)i, "n", (json_int_t)i + 1,
	    "from", str(sp, "from") ? str(sp, "from") : "", "to", to ? to : "",
	    "from_shown", people_date(str(sp, "from")),
	    "to_shown", to ? people_date(to) : json_null(),
	    "org", str(sp, "organisation") ? str(sp, "organisation") : "",
	    "kind_key", key_of("spell", kind ? kind : "contract"),
	    "post", str(sp, "post") ? str(sp, "post") : "",
	    "kind", kind ? kind : "contract",
	    "open", to == NULL, "is_hkrnl", kind && strcmp(kind, "hkrnl") == 0,
	    "is_hssc", kind && strcmp(kind, "hssc_regular") == 0);
}

/* Empty rows for new spells: several at once, so that a service of many spells is
 * declared in one save (up to SPELLS_MAX rows in all). */
#define NEW_SPELL_ROWS	3
static void
new_rows(json_t *flow, size_t have)
{
	json_t *rows = json_array();
	size_t i;

	for (i = have; i < have + NEW_SPELL_ROWS && i < SPELLS_MAX; i++)
		json_array_append_new(rows, json_pack("{s:I, s:I}", "i", (json_int_t)i, "n",
		    (json_int_t)i + 1));
	json_object_set_new(flow, "new_rows", rows);
}

/* The record the page shows: the verified one once there is one, else the declared. */
static void
add_service(json_t *flow, const json_t *cj, int owner)
{
	const json_t *rec = json_object_get(cj, "declared"), *sp;
	json_t *spells = json_array(), *ver = json_object_get(cj, "verified");
	size_t i;

	if (!owner && json_is_object(ver))
		rec = ver;
	json_object_set_new(flow, "record_verified", json_boolean(!owner && json_is_object(ver)));
	json_object_set_new(flow, "declared", json_boolean(json_is_object(rec)));
	json_array_foreach(json_object_get(rec, "spells"), i, sp)
		json_array_append_new(spells, spell_view(sp, i));
	json_object_set_new(flow, "new_index", json_integer((json_int_t)json_array_size(spells)));
	json_object_set_new(flow, "can_add", json_boolean(json_array_size(spells) < SPELLS_MAX));
	new_rows(flow, json_array_size(spells));
	json_object_set_new(flow, "spells", spells);
	json_object_set_new(flow, "unpaid", json_integer((json_int_t)json_array_size(
	    json_object_get(rec, "unpaid"))));
	json_object_set_new(flow, "flags", json_pack("{s:b, s:b, s:b}",
	    "centrally_sponsored", json_is_true(json_object_get(rec, "centrally_sponsored")),
	    "part_time", json_is_true(json_object_get(rec, "part_time")),
	    "marriage_clause", json_is_true(json_object_get(rec, "marriage_clause"))));
}

static void
add_outcome(json_t *flow, const json_t *cj)
{
	const json_t *o = json_object_get(cj, "outcome"), *p, *why;
	json_t *periods = json_array(), *reasons = json_array(), *v;
	const char *verdict = str(o, "outcome");
	size_t i;

	if (!json_is_object(o) || verdict == NULL) {
		json_decref(periods);
		json_decref(reasons);
		return;
	}
	json_array_foreach(json_object_get(o, "periods"), i, p)
		json_array_append_new(periods, json_pack("{s:I, s:o, s:o, s:O, s:b}", "n",
		    (json_int_t)i + 1, "from", people_date(str(p, "from")), "to",
		    people_date(str(p, "to")), "paid_days", json_object_get(p, "paid_days") ?
		    json_object_get(p, "paid_days") : json_null(), "qualifies",
		    json_is_true(json_object_get(p, "qualifies"))));
	json_array_foreach(json_object_get(o, "reasons"), i, why)
		if (json_is_string(why))
			json_array_append_new(reasons, key_of("reason", json_string_value(why)));
	v = json_pack("{s:b, s:o, s:o, s:o, s:s}", "eligible", strcmp(verdict, "eligible") == 0,
	    "key", key_of("verdict", verdict), "periods", periods, "reasons", reasons,
	    "basis_key", str(cj, "outcome_basis") && strcmp(str(cj, "outcome_basis"),
	    "verified") == 0 ? "case.basis_verified" : "case.basis_declared");
	json_object_set(v, "years", json_object_get(o, "qualifying_years"));
	json_object_set(v, "consolidated", json_object_get(o, "consolidated"));
	json_object_set(v, "entry_pay", json_object_get(o, "entry_pay"));
	json_object_set(v, "additional", json_object_get(o, "additional"));
	json_object_set(v, "band", json_object_get(o, "band_percent"));
	json_object_set_new(flow, "outcome", v);
}

/* Every document of the case, for staff to read beside the spells: images inline, PDFs
 * in a new tab (the page CSP keeps frames out). */
static void
add_viewer(json_t *flow, const json_t *cj)
{
	json_t *docs = json_array(), *d;
	size_t i;

	json_array_foreach(json_object_get(cj, "documents"), i, d) {
		const char *mime = str(d, "mime");

		json_array_append_new(docs, json_pack("{s:O, s:s, s:o, s:b}", "id",
		    json_object_get(d, "id"), "name", str(d, "name") ? str(d, "name") : "",
		    "label_key", key_of("kind", str(d, "kind")), "image", mime &&
		    strncmp(mime, "image/", 6) == 0));
	}
	json_object_set_new(flow, "viewer", docs);
}

static void
add_decision_forms(json_t *flow, const json_t *cj, const struct principal *who)
{
	int verdict_ok = json_is_true(json_object_get(flow, "eligible"));

	if (who->role == ROLE_DDO && (is_state(cj, "submitted") || is_state(cj, "certified"))) {
		json_t *fields = json_array();
		int i;

		for (i = 0; i < CASE_F__MAX; i++)
			json_array_append_new(fields, json_pack("{s:s, s:o}", "name",
			    case_field_name((enum case_field)i), "key", key_of("cfield",
			    case_field_name((enum case_field)i))));
		json_object_set_new(flow, "can_verify", json_true());
		json_object_set_new(flow, "fields", fields);
	}
	if ((who->role == ROLE_DDO || who->role == ROLE_HOD ||
	    who->role == ROLE_ADMIN_SECRETARY) && is_state(cj, "discrepancy")) {
		json_object_set_new(flow, "can_certify", json_true());
	}
	if (who->role == ROLE_HOD) {
		int post = is_state(cj, "post_created");

		json_object_set_new(flow, "can_approve", json_boolean(post && verdict_ok));
		json_object_set_new(flow, "can_reject", json_boolean(post ||
		    is_state(cj, "waiting_equivalent_post") ||
		    (is_state(cj, "verified") && !verdict_ok)));
	}
}

json_t *
h_page_cert_row(struct req *r, const char *name, const char *recorded, int must_fix)
{
	char k[48];
	const char *pick, *val;
	int as, fix;

	snprintf(k, sizeof(k), "do_%s", name);
	pick = page_form_get(r, k);
	snprintf(k, sizeof(k), "val_%s", name);
	val = page_form_get(r, k);
	as = pick != NULL && strcmp(pick, "as") == 0;
	fix = pick != NULL ? strcmp(pick, "fix") == 0 : must_fix;
	return json_pack("{s:s, s:o, s:s, s:b, s:b, s:s}", "name", name, "key",
	    key_of("cfield", name), "recorded", recorded && recorded[0] ? recorded : "—", "as",
	    as, "fix", fix, "value", val ? val : "");
}

/* The certification of a discrepancy: a row per particular the DDO flagged, with the
 * value on record, as typed when the form comes back refused. */
static void
add_certify_rows(struct req *r, json_t *c, json_t *flow, const json_t *cj)
{
	json_t *rows = json_array(), *x;
	json_t *rec = json_object_get(json_object_get(c, "employee"), "recorded");
	const char *v;
	size_t i;

	json_array_foreach(json_object_get(cj, "discrepancy_fields"), i, x)
		if (json_is_string(x))
			json_array_append_new(rows, h_page_cert_row(r, json_string_value(x),
			    json_string_value(json_object_get(rec, json_string_value(x))), 0));
	json_object_set_new(flow, "certify_rows", rows);
	json_object_set_new(flow, "certify_remarks", json_string((v = page_form_get(r,
	    "remarks")) ? v : ""));
}

/* A refused form comes back as it was typed (docs/pages.md): the service rows and flags,
 * the DDO's decision, remarks and ticked particulars, in place of the stored values. */
static void
keep_typed(struct req *r, json_t *flow)
{
	const char *names[CASE_F__MAX + 1], *d = page_form_get(r, "decision"), *v;
	json_t *spells, *x;
	size_t n, i, j;
	char k[32];
	int row;

	if (r->form == NULL)
		return;
	if (page_form_get(r, "from_0") != NULL || page_form_get(r, "to_0") != NULL) {
		spells = json_array();
		for (row = 0; row < SPELLS_MAX; row++) {
			const char *from, *to, *kind, *org, *post;
			json_t *sp;

			snprintf(k, sizeof(k), "from_%d", row);
			from = page_form_get(r, k);
			snprintf(k, sizeof(k), "to_%d", row);
			to = page_form_get(r, k);
			snprintf(k, sizeof(k), "remove_%d", row);
			if ((from == NULL || !from[0]) && (to == NULL || !to[0]))
				continue;
			if (page_form_get(r, k) != NULL)
				continue;
			snprintf(k, sizeof(k), "open_%d", row);
			if (page_form_get(r, k) != NULL)
				to = NULL;
			else if (to == NULL)
				to = "";
			snprintf(k, sizeof(k), "kind_%d", row);
			kind = page_form_get(r, k);
			snprintf(k, sizeof(k), "org_%d", row);
			org = page_form_get(r, k);
			snprintf(k, sizeof(k), "post_%d", row);
			post = page_form_get(r, k);
			sp = json_pack("{s:s, s:o, s:s, s:s, s:s}", "from", from ? from : "", "to",
			    to ? json_string(to) : json_null(), "kind", kind ? kind : "contract",
			    "organisation", org ? org : "", "post", post ? post : "");
			json_array_append_new(spells, spell_view(sp, json_array_size(spells)));
			json_decref(sp);
		}
		json_object_set_new(flow, "new_index", json_integer((json_int_t)
		    json_array_size(spells)));
		json_object_set_new(flow, "can_add", json_boolean(json_array_size(spells) <
		    SPELLS_MAX));
		new_rows(flow, json_array_size(spells));
		json_object_set_new(flow, "spells", spells);
		json_object_set_new(flow, "flags", json_pack("{s:b, s:b, s:b}",
		    "centrally_sponsored", page_form_get(r, "centrally_sponsored") != NULL,
		    "part_time", page_form_get(r, "part_time") != NULL,
		    "marriage_clause", page_form_get(r, "marriage_clause") != NULL));
	}
	if (d != NULL && json_is_true(json_object_get(flow, "can_verify"))) {
		json_object_set_new(flow, "kept", json_pack("{s:b, s:b, s:b, s:s}",
		    "verified", strcmp(d, "verified") == 0, "returned", strcmp(d, "returned") == 0,
		    "discrepancy", strcmp(d, "discrepancy") == 0, "remarks",
		    (v = page_form_get(r, "remarks")) ? v : ""));
		n = page_form_all(r, "field", names, CASE_F__MAX + 1);
		json_array_foreach(json_object_get(flow, "fields"), i, x)
			for (j = 0; j < n; j++)
				if (str(x, "name") && strcmp(str(x, "name"), names[j]) == 0)
					json_object_set_new(x, "checked", json_true());
	}
}

int
h_page_case_flow(struct req *r, json_t *c, const char *employee_id)
{
	struct flow f;
	json_t *cj, *flow, *v;
	const char *state, *ref;
	char at[PAGE_TIME_LEN];
	int owner = r->who.role == ROLE_EMPLOYEE;

	if (flow_init(r, &f) != 0)
		return -1;
	if (case_get_json(&f.cx, employee_id, &cj, f.msg, sizeof(f.msg)) != ERR_OK)
		return -1;
	flow = json_object();
	state = str(cj, "state") ? str(cj, "state") : "draft";
	json_object_set_new(flow, "state_key", key_of("state", state));
	json_object_set_new(flow, "stage_key", key_of("stage", str(cj, "stage")));
	if (str(cj, "due") != NULL) {
		people_time_back(str(cj, "due"), 60, at);
		json_object_set_new(flow, "due", json_string(at));
	}
	json_object_set_new(flow, "overdue", json_boolean(json_is_true(json_object_get(cj,
	    "overdue"))));
	json_object_set_new(flow, "eligible", json_boolean(str(json_object_get(cj, "outcome"),
	    "outcome") && strcmp(str(json_object_get(cj, "outcome"), "outcome"),
	    "eligible") == 0));
	add_timeline(flow, cj);
	add_deadlines(flow, cj);
	add_required(flow, cj);
	add_service(flow, cj, owner);
	add_outcome(flow, cj);
	if (!owner)
		add_viewer(flow, cj);
	json_object_set_new(flow, "can_edit", json_boolean(owner && (strcmp(state, "draft") == 0
	    || strcmp(state, "returned") == 0)));
	if (strcmp(state, "returned") == 0 && str(cj, "remarks") != NULL)
		json_object_set_new(flow, "returned_remarks", json_string(str(cj, "remarks")));
	if ((v = json_object_get(cj, "discrepancy_fields")) != NULL && json_array_size(v) > 0) {
		json_t *keys = json_array(), *x;
		size_t i;

		json_array_foreach(v, i, x)
			json_array_append_new(keys, key_of("cfield", json_string_value(x)));
		json_object_set_new(flow, "discrepancy", keys);
	}
	if ((v = json_object_get(cj, "post")) != NULL && json_is_object(v))
		json_object_set_new(flow, "post", json_pack("{s:s, s:O, s:o}", "designation",
		    str(v, "designation") ? str(v, "designation") : "", "pay_level",
		    json_object_get(v, "pay_level"), "effective", people_date(str(v,
		    "effective_date"))));
	if ((v = json_object_get(cj, "decision")) != NULL && json_is_object(v)) {
		people_time(str(v, "at"), at);
		json_object_set_new(flow, "decision", json_pack("{s:o, s:O, s:s, s:s}", "key",
		    key_of("state", str(v, "decision")), "remarks", json_object_get(v, "remarks") ?
		    json_object_get(v, "remarks") : json_null(), "by", str(v, "by") ? str(v, "by") :
		    "", "at", at));
	}
	if ((ref = str(cj, "letter_ref")) != NULL) {
		struct issued_letter l;

		json_object_set_new(flow, "letter_ref", json_string(ref));
		/* a revoked letter is said to be revoked, with its reason, wherever it shows */
		if (letter_store_get(f.cx.db, ref, &l) == 0 && l.revoked_at != 0) {
			page_time(l.revoked_at, at);
			json_object_set_new(flow, "letter_revoked", json_pack("{s:s, s:s}", "at", at,
			    "reason", l.revoke_reason));
		}
	}
	add_decision_forms(flow, cj, &r->who);
	if (json_is_true(json_object_get(flow, "can_certify")))
		add_certify_rows(r, c, flow, cj);
	if (owner || r->who.role == ROLE_DDO)
		keep_typed(r, flow);
	json_decref(cj);
	json_object_set_new(c, "flow", flow);
	return 0;
}

/* Where a form on the case page goes back to: an employee's own page is /home. */
static void
case_back(struct req *r, const char *id, const char *query, char *out, size_t outlen)
{
	struct buf b;

	buf_init(&b, 600);
	if (r->who.role == ROLE_EMPLOYEE)
		buf_puts(&b, "/home");
	else {
		buf_puts(&b, "/cases/");
		page_url_escape(&b, id);
	}
	buf_puts(&b, query);
	snprintf(out, outlen, "%s", b.len ? buf_str(&b) : "/home");
	buf_free(&b);
}

/* Done: back to the case with a notice; refused: the case page again with the reason. */
static enum MHD_Result
case_answer(struct req *r, struct flow *f, enum err e, const char *done)
{
	char loc[600], q[64];

	if (e != ERR_OK)
		return h_page_case_render(r, r->args[0], e, f->msg[0] ? f->msg : NULL);
	snprintf(q, sizeof(q), "?done=%s", done);
	case_back(r, r->args[0], q, loc, sizeof(loc));
	return page_redirect(r, loc, NULL, NULL);
}

/* After a DDO's decision: straight on to the next case waiting for one (the oldest id
 * first), with the decision confirmed there and a link back; none left: the queue. */
static enum MHD_Result
next_case(struct req *r, struct flow *f, const char *done)
{
	struct case_filter cf = { .state = "submitted", .page = 1, .per_page = 1 };
	const char *id = NULL;
	json_t *out = NULL;
	char loc[600];
	struct buf b;

	if (case_list(&f->cx, &cf, time_now(), &out, f->msg, sizeof(f->msg)) == ERR_OK)
		id = str(json_array_get(json_object_get(out, "items"), 0), "employee_id");
	buf_init(&b, sizeof(loc) - 1);
	if (id != NULL) {
		buf_puts(&b, "/cases/");
		page_url_escape(&b, id);
		buf_printf(&b, "?done=%s&prev=", done);
		page_url_escape(&b, r->args[0]);
	} else
		buf_printf(&b, "/home?done=%s#queue", done);
	snprintf(loc, sizeof(loc), "%s", b.len ? buf_str(&b) : "/home");
	buf_free(&b);
	json_decref(out);
	return page_redirect(r, loc, NULL, NULL);
}

/* A text field of the form: NULL when absent or empty. */
static const char *
field(struct req *r, const char *name)
{
	const char *v = page_form_get(r, name);

	return v != NULL && v[0] != '\0' ? v : NULL;
}

/* The service form: rows from_N, to_N, open_N (still in service), kind_N, org_N, post_N,
 * remove_N, and the flags, made into the body of PUT .../service. What the form does not
 * edit (unpaid months, the marriage exemption) is kept from the record as it stands. */
enum MHD_Result
h_page_case_service(struct req *r)
{
	json_t *svc, *spells, *cj = NULL, *dec;
	struct flow f;
	enum err e = ERR_OK;
	char k[32];
	int i;

	if (flow_init(r, &f) != 0)
		return page_error(r, ERR_UNAVAILABLE, NULL);
	spells = json_array();
	for (i = 0; i < SPELLS_MAX && e == ERR_OK; i++) {
		const char *from, *to, *kind, *org, *post;
		json_t *sp;

		snprintf(k, sizeof(k), "from_%d", i);
		if ((from = field(r, k)) == NULL)
			continue;
		snprintf(k, sizeof(k), "remove_%d", i);
		if (field(r, k) != NULL)
			continue;
		snprintf(k, sizeof(k), "to_%d", i);
		to = field(r, k);
		snprintf(k, sizeof(k), "open_%d", i);
		if (field(r, k) != NULL)
			to = NULL;
		else if (to == NULL) {
			e = ERR_INVALID_FIELD;
			snprintf(f.msg, sizeof(f.msg), "Give the last day of each spell, or tick "
			    "\"still in service\".");
			break;
		}
		snprintf(k, sizeof(k), "kind_%d", i);
		kind = field(r, k) ? field(r, k) : "contract";
		snprintf(k, sizeof(k), "org_%d", i);
		org = field(r, k);
		snprintf(k, sizeof(k), "post_%d", i);
		post = field(r, k);
		sp = json_pack("{s:s, s:o, s:s}", "from", from, "to", to ? json_string(to) :
		    json_null(), "kind", kind);
		if (sp != NULL && org != NULL)
			json_object_set_new(sp, "organisation", json_string(org));
		if (sp != NULL && post != NULL)
			json_object_set_new(sp, "post", json_string(post));
		json_array_append_new(spells, sp);
	}
	if (e != ERR_OK) {
		json_decref(spells);
		return h_page_case_render(r, r->args[0], e, f.msg);
	}
	svc = json_pack("{s:o, s:b, s:b, s:b}", "spells", spells, "centrally_sponsored",
	    field(r, "centrally_sponsored") != NULL, "part_time", field(r, "part_time") != NULL,
	    "marriage_clause", field(r, "marriage_clause") != NULL);
	if (case_get_json(&f.cx, r->args[0], &cj, f.msg, sizeof(f.msg)) == ERR_OK &&
	    json_is_object(dec = json_object_get(cj, "declared"))) {
		json_object_set(svc, "unpaid", json_object_get(dec, "unpaid"));
		if (json_object_get(dec, "marriage_exemption") != NULL)
			json_object_set(svc, "marriage_exemption", json_object_get(dec,
			    "marriage_exemption"));
	}
	json_decref(cj);
	if (json_object_get(svc, "unpaid") == NULL)
		json_object_set_new(svc, "unpaid", json_array());
	f.msg[0] = '\0';
	e = case_set_service(&f.cx, r->args[0], svc, f.msg, sizeof(f.msg));
	json_decref(svc);
	return case_answer(r, &f, e, "saved");
}

enum MHD_Result
h_page_case_submit(struct req *r)
{
	struct flow f;

	if (flow_init(r, &f) != 0)
		return page_error(r, ERR_UNAVAILABLE, NULL);
	return case_answer(r, &f, case_submit(&f.cx, r->args[0], f.msg, sizeof(f.msg)),
	    "submitted");
}

/* decision (verified, returned, discrepancy), remarks, and for a discrepancy the ticked
 * fields (field=mobile&field=family_id...). */
enum MHD_Result
h_page_case_verify(struct req *r)
{
	const char *decision = page_form_get(r, "decision"), *remarks = field(r, "remarks");
	const char *names[CASE_F__MAX + 1];
	struct flow f;
	json_t *body;
	enum err e;
	size_t n, i;

	if (flow_init(r, &f) != 0)
		return page_error(r, ERR_UNAVAILABLE, NULL);
	if (decision == NULL || (strcmp(decision, "verified") != 0 &&
	    strcmp(decision, "returned") != 0 && strcmp(decision, "discrepancy") != 0)) {
		snprintf(f.msg, sizeof(f.msg), "Choose a decision.");
		return case_answer(r, &f, ERR_INVALID_FIELD, "");
	}
	body = json_pack("{s:s}", "decision", decision);
	if (remarks != NULL)
		json_object_set_new(body, "remarks", json_string(remarks));
	n = page_form_all(r, "field", names, CASE_F__MAX + 1);
	if (strcmp(decision, "discrepancy") == 0) {
		json_t *fl = json_array();

		for (i = 0; i < n; i++)
			json_array_append_new(fl, json_string(names[i]));
		json_object_set_new(body, "fields", fl);
	}
	e = case_verify(&f.cx, r->args[0], body, f.msg, sizeof(f.msg));
	json_decref(body);
	if (e == ERR_OK)
		return next_case(r, &f, decision);
	return case_answer(r, &f, e, decision);
}

/* The HoD reads the letter before signing it: the same facts and layout, unsigned, no
 * reference taken, nothing stored; shown inline like a document (page_reply_inline). */
enum MHD_Result
h_page_letter_preview(struct req *r)
{
	struct letter_preview_arg la = { &r->app->letters, { 0 }, "" };
	struct flow f;
	enum err e;
	ssize_t w;
	size_t off = 0;
	int fd;

	if (flow_init(r, &f) != 0)
		return page_error(r, ERR_UNAVAILABLE, NULL);
	buf_init(&la.pdf, 4 << 20);
	e = case_letter_preview(&f.cx, r->args[0], letter_preview_for_case, &la, f.msg,
	    sizeof(f.msg));
	if (e != ERR_OK) {
		buf_free(&la.pdf);
		return page_error(r, e, f.msg[0] ? f.msg : la.msg[0] ? la.msg : NULL);
	}
	if ((fd = memfd_create("letter-preview", MFD_CLOEXEC)) < 0) {
		buf_free(&la.pdf);
		return page_error(r, ERR_INTERNAL, NULL);
	}
	while (off < la.pdf.len && (w = write(fd, la.pdf.data + off, la.pdf.len - off)) > 0)
		off += (size_t)w;
	buf_free(&la.pdf);
	if (off == 0 || lseek(fd, 0, SEEK_SET) != 0) {
		close(fd);
		return page_error(r, ERR_INTERNAL, NULL);
	}
	return page_reply_inline(r, "application/pdf", fd, (uint64_t)off);
}

/* One approval, as h_case_approve makes it: the letter is issued inside the transaction. */
static enum err
approve_one(struct req *r, struct flow *f, const char *id, const char *remarks,
    char ref[64])
{
	struct letter_case_arg la = { &r->app->letters, &f->a, "" };
	enum err e;

	f->msg[0] = '\0';
	e = case_approve(&f->cx, id, remarks, letter_for_case, &la, ref, f->msg,
	    sizeof(f->msg));
	if (e == ERR_INTERNAL && la.msg[0])
		snprintf(f->msg, sizeof(f->msg), "%s", la.msg);
	return e;
}

enum MHD_Result
h_page_case_approve(struct req *r)
{
	struct flow f;
	char ref[64];

	if (flow_init(r, &f) != 0)
		return page_error(r, ERR_UNAVAILABLE, NULL);
	return case_answer(r, &f, approve_one(r, &f, r->args[0], field(r, "remarks"), ref),
	    "approved");
}

enum MHD_Result
h_page_case_reject(struct req *r)
{
	struct flow f;

	if (flow_init(r, &f) != 0)
		return page_error(r, ERR_UNAVAILABLE, NULL);
	return case_answer(r, &f, case_reject(&f.cx, r->args[0], field(r, "remarks"), f.msg,
	    sizeof(f.msg)), "rejected");
}

/* The certification of a discrepancy (multipart csrf, a choice and a corrected value per
 * particular, remarks, file; h_documents.c builds fields from them): the API's streaming
 * and checks, then back to the case; a refusal is the case page with what was typed. */
enum MHD_Result
h_page_certify(struct req *r)
{
	struct upload_outcome o;
	char loc[600];

	h_upload_finish(r, &o);
	if (o.documents != NULL) {
		json_decref(o.documents);
		case_back(r, r->args[0], "?done=certified", loc, sizeof(loc));
		return page_redirect(r, loc, NULL, NULL);
	}
	/* a refused certificate: the page again, with what was typed (page_reason.c words it) */
	if (o.refused != NULL)
		return h_page_case_render(r, r->args[0], ERR_UNPROCESSABLE, o.refused->message);
	if (o.err == ERR_CSRF || o.err == ERR_INTERNAL || o.err == ERR_UNAVAILABLE)
		return page_error(r, o.err, o.detail);
	return h_page_case_render(r, r->args[0], o.err, o.detail);
}

/* Many approvals: each case its own transaction (one failure stops no other), then a
 * page saying which went through, with their letters. Not a redirect: the result is the
 * page, and posting it again only meets cases already approved. */
enum MHD_Result
h_page_approve_many(struct req *r)
{
	const char *ids[BULK_MAX];
	const char *remarks = field(r, "remarks");
	struct page *pg;
	struct flow f;
	json_t *list, *every = NULL;
	size_t n, i, ok = 0;

	if (flow_init(r, &f) != 0)
		return page_error(r, ERR_UNAVAILABLE, NULL);
	/* "approve every case listed as ready" needs no script: the ids are the queue's */
	if (page_form_get(r, "all") != NULL) {
		struct case_filter cf = { .state = "post_created", .page = 1, .per_page = BULK_MAX };
		json_t *it;

		n = 0;
		if (case_list(&f.cx, &cf, time_now(), &every, f.msg, sizeof(f.msg)) == ERR_OK)
			json_array_foreach(json_object_get(every, "items"), i, it)
				if (n < BULK_MAX && str(it, "employee_id") && str(it, "verdict") &&
				    strcmp(str(it, "verdict"), "eligible") == 0)
					ids[n++] = str(it, "employee_id");
	} else
		n = page_form_all(r, "employee_id", ids, BULK_MAX);
	if (n == 0) {
		json_decref(every);
		return h_page_home_render(r, ERR_INVALID_FIELD, "Tick at least one case.");
	}
	list = json_array();
	for (i = 0; i < n; i++) {
		char ref[64] = "";
		enum err e = approve_one(r, &f, ids[i], remarks, ref);
		json_t *o = json_pack("{s:s, s:b}", "id", ids[i], "ok", e == ERR_OK);
		struct employee emp;

		/* results name the people, not only their ids */
		if (employee_get(f.cx.db, ids[i], &emp) == 0)
			json_object_set_new(o, "name", json_string(emp.name));

		if (e == ERR_OK) {
			ok++;
			if (ref[0])
				json_object_set_new(o, "letter_ref", json_string(ref));
		} else {
			char key[64];

			snprintf(key, sizeof(key), "err.%s", err_code(e));
			json_object_set_new(o, "err_key", json_string(key));
			json_object_set_new(o, "detail", json_string(f.msg));
		}
		json_array_append_new(list, o);
	}
	json_decref(every);	/* ids pointed into it */
	if ((pg = page_begin(r)) == NULL) {
		json_decref(list);
		return MHD_NO;
	}
	json_object_set_new(page_ctx(pg), "results", list);
	json_object_set_new(page_ctx(pg), "approved", json_integer((json_int_t)ok));
	json_object_set_new(page_ctx(pg), "failed", json_integer((json_int_t)(n - ok)));
	if (ok < n)
		page_notice(pg, 1, "approve.some_failed", "Some cases were not approved; the "
		    "list says why.", NULL);
	else
		page_notice(pg, 0, "approve.all_done", "Every chosen case was approved.", NULL);
	return page_end(pg, 200, "approve_result", "title.approve_result");
}

/* Finance: the ticked cases get a post (designation, pay_level), or, with
 * action=none, wait for an equivalent post (remarks). All or nothing, as the API. */
enum MHD_Result
h_page_posts(struct req *r)
{
	const char *ids[BULK_MAX], *action = page_form_get(r, "action"), *lvl;
	json_t *body, *list, *out = NULL;
	struct flow f;
	int64_t level;
	enum err e;
	size_t n, i;

	if (flow_init(r, &f) != 0)
		return page_error(r, ERR_UNAVAILABLE, NULL);
	if ((n = page_form_all(r, "employee_id", ids, BULK_MAX)) == 0)
		return h_page_home_render(r, ERR_INVALID_FIELD, "Tick at least one case.");
	list = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(list, json_string(ids[i]));
	if (action != NULL && strcmp(action, "none") == 0) {
		body = json_pack("{s:o, s:b}", "employee_ids", list, "no_equivalent", 1);
		if (field(r, "remarks") != NULL)
			json_object_set_new(body, "remarks", json_string(field(r, "remarks")));
	} else {
		lvl = field(r, "pay_level");
		if (lvl == NULL || strict_int64(lvl, 1, 100, &level) != 0) {
			json_decref(list);
			return h_page_home_render(r, ERR_INVALID_FIELD, "Give the pay level of the "
			    "post as a number.");
		}
		body = json_pack("{s:o, s:I}", "employee_ids", list, "pay_level",
		    (json_int_t)level);
		if (field(r, "designation") != NULL)
			json_object_set_new(body, "designation",
			    json_string(field(r, "designation")));
	}
	e = case_posts(&f.cx, body, &out, f.msg, sizeof(f.msg));
	json_decref(body);
	json_decref(out);
	if (e != ERR_OK)
		return h_page_home_render(r, e, f.msg[0] ? f.msg : NULL);
	return page_redirect(r, action != NULL && strcmp(action, "none") == 0 ?
	    "/home?done=waiting" : "/home?done=posts", NULL, NULL);
}

/* A document shown in the page (an <img>, or a PDF in its own tab). The scope check is the
 * one every document read makes (h_documents.c): the employee's case must be in the
 * viewer's scope, else it does not exist. */
enum MHD_Result
h_page_document_view(struct req *r)
{
	struct document d;
	enum err e;
	int fd;

	if ((e = h_document_open(r, &d, &fd)) != ERR_OK)
		return page_error(r, e, NULL);
	return page_reply_inline(r, d.mime, fd, (uint64_t)d.size);
}

/* --- the queues of the staff home ------------------------------------------------------ */

static json_t *
list_of(struct flow *f, const char *state, int overdue)
{
	struct case_filter cf = { .state = state, .overdue = overdue, .page = 1,
	    .per_page = QUEUE_MAX };
	json_t *out = NULL;

	if (case_list(&f->cx, &cf, time_now(), &out, f->msg, sizeof(f->msg)) != ERR_OK)
		return NULL;
	return out;
}

static json_t *
row_of(const json_t *it)
{
	char due[PAGE_TIME_LEN];

	people_time_back(str(it, "due"), 60, due);
	return json_pack("{s:s, s:s, s:s, s:s, s:o, s:s, s:b, s:o}",
	    "id", str(it, "employee_id") ? str(it, "employee_id") : "",
	    "name", str(it, "name") ? str(it, "name") : "",
	    "department", str(it, "department_code") ? str(it, "department_code") : "",
	    "office", str(it, "office_code") ? str(it, "office_code") : "",
	    "state_key", key_of("state", str(it, "state")), "due", due,
	    "overdue", json_is_true(json_object_get(it, "overdue")),
	    "verdict_key", str(it, "verdict") ? key_of("verdict", str(it, "verdict")) :
	    json_null());
}

/* Rows grouped by department, in the order they come. */
static void
group_add(json_t *groups, const char *dept, json_t *row)
{
	json_t *g;
	size_t i;

	json_array_foreach(groups, i, g)
		if (strcmp(str(g, "department"), dept) == 0) {
			json_array_append_new(json_object_get(g, "rows"), row);
			return;
		}
	json_array_append_new(groups, json_pack("{s:s, s:[o]}", "department", dept, "rows",
	    row));
}

#define QUEUE_PAGE	50	/* rows of one page of the staff queue */

/* The queue's own address with its filters and another page (for the pager links). */
static json_t *
queue_link(const char *state, int overdue, const char *q, const char *sort, int64_t page)
{
	struct buf b;
	json_t *v;

	buf_init(&b, 400);
	buf_printf(&b, "/home?page=%lld", (long long)page);
	if (state != NULL) {
		buf_puts(&b, "&state=");
		page_url_escape(&b, state);
	}
	if (overdue)
		buf_puts(&b, "&overdue=1");
	if (q != NULL) {
		buf_puts(&b, "&q=");
		page_url_escape(&b, q);
	}
	if (sort != NULL) {
		buf_puts(&b, "&sort=");
		page_url_escape(&b, sort);
	}
	buf_puts(&b, "#queue");
	v = json_string(b.len ? buf_str(&b) : "/home");
	buf_free(&b);
	return v;
}

/* The filterable listing with counts (every staff role): ?q= (part of an id or a name,
 * any case), &state=, &overdue=1, &sort=name|due|updated|state, &page=; the filters
 * combine, and the pager keeps them. */
static void
add_queue(struct req *r, struct flow *f, json_t *c)
{
	static const char *const sorts[] = { "id", "name", "due", "updated", "state" };
	char qs[40], qo[8], qq[CASE_Q_MAX + 1], qsort[16], qp[16];
	const char *state = req_query(r, "state", qs, sizeof(qs));
	const char *ov = req_query(r, "overdue", qo, sizeof(qo));
	const char *q = req_query(r, "q", qq, sizeof(qq));
	const char *sort = req_query(r, "sort", qsort, sizeof(qsort));
	json_t *qj = json_object(), *counts = NULL, *list, *rows = json_array(), *it, *states;
	json_t *sortl = json_array();
	struct case_filter cf = { .page = 1, .per_page = QUEUE_PAGE };
	int64_t total = 0, pages;
	enum case_state s;
	size_t i;

	if (state != NULL && (state[0] == '\0' || case_state_parse(state, &s) != 0))
		state = NULL;
	if (q != NULL && (q[0] == '\0' || strict_text(q, CASE_Q_MAX) != 0))
		q = NULL;
	for (i = 0; sort != NULL && i < sizeof(sorts) / sizeof(sorts[0]); i++)
		if (strcmp(sort, sorts[i]) == 0)
			break;
	if (sort != NULL && (i == sizeof(sorts) / sizeof(sorts[0]) || i == 0))
		sort = NULL;
	for (i = 0; i < sizeof(sorts) / sizeof(sorts[0]); i++)
		json_array_append_new(sortl, json_pack("{s:s, s:o, s:b}", "name", sorts[i], "key",
		    key_of("sort", sorts[i]), "selected", sort ? strcmp(sort, sorts[i]) == 0 :
		    i == 0));
	if (req_query(r, "page", qp, sizeof(qp)) == NULL ||
	    strict_int64(qp, 1, 1000000, &cf.page) != 0)
		cf.page = 1;
	states = json_array();
	if (case_counts(&f->cx, time_now(), &counts) == ERR_OK) {
		for (i = 0; i < CASE__MAX; i++) {
			const char *name = case_state_name((enum case_state)i);
			json_t *n = json_object_get(json_object_get(counts, "by_state"), name);

			json_array_append_new(states, json_pack("{s:s, s:o, s:o, s:b}", "name",
			    name, "key", key_of("state", name), "n", n ? json_incref(n) :
			    json_integer(0), "selected", state != NULL && strcmp(state, name) == 0));
		}
		json_object_set(qj, "total", json_object_get(counts, "total"));
		json_object_set(qj, "overdue_n", json_object_get(counts, "overdue"));
		json_decref(counts);
	}
	json_object_set_new(qj, "states", states);
	json_object_set_new(qj, "sorts", sortl);
	json_object_set_new(qj, "q", json_string(q ? q : ""));
	json_object_set_new(qj, "overdue", json_boolean(ov != NULL && strcmp(ov, "1") == 0));
	cf.state = state;
	cf.overdue = ov != NULL && strcmp(ov, "1") == 0;
	cf.q = q;
	cf.sort = sort;
	list = NULL;
	if (case_list(&f->cx, &cf, time_now(), &list, f->msg, sizeof(f->msg)) == ERR_OK) {
		json_array_foreach(json_object_get(list, "items"), i, it)
			json_array_append_new(rows, row_of(it));
		total = json_integer_value(json_object_get(list, "total"));
		json_decref(list);
	}
	pages = (total + QUEUE_PAGE - 1) / QUEUE_PAGE;
	json_object_set_new(qj, "found", json_integer((json_int_t)total));
	json_object_set_new(qj, "from", json_integer(total ? (json_int_t)((cf.page - 1) *
	    QUEUE_PAGE + 1) : 0));
	json_object_set_new(qj, "to", json_integer((json_int_t)((cf.page - 1) * QUEUE_PAGE +
	    (int64_t)json_array_size(rows))));
	json_object_set_new(qj, "page", json_integer((json_int_t)cf.page));
	json_object_set_new(qj, "pages", json_integer((json_int_t)pages));
	if (cf.page > 1)
		json_object_set_new(qj, "prev", queue_link(state, cf.overdue, q, sort,
		    cf.page - 1));
	if (cf.page < pages)
		json_object_set_new(qj, "next", queue_link(state, cf.overdue, q, sort,
		    cf.page + 1));
	json_object_set_new(qj, "filtered", json_boolean(state || cf.overdue || q));
	json_object_set_new(qj, "rows", rows);
	json_object_set_new(c, "queue", qj);
}

/* Finance: verified eligible cases by department, and those waiting for a post. */
/* A refused bulk form comes back with its ticks (the ids of the form's employee_id). */
static void
keep_ticks(struct req *r, json_t *rows)
{
	const char *ids[BULK_MAX];
	size_t n = r->form ? page_form_all(r, "employee_id", ids, BULK_MAX) : 0, i, j;
	json_t *row;

	json_array_foreach(rows, i, row)
		for (j = 0; j < n; j++)
			if (str(row, "id") && strcmp(str(row, "id"), ids[j]) == 0)
				json_object_set_new(row, "checked", json_true());
}

static void
add_finance(struct req *r, struct flow *f, json_t *c)
{
	json_t *groups = json_array(), *waiting = json_array(), *list, *it, *g;
	size_t i;

	if ((list = list_of(f, "verified", 0)) != NULL) {
		json_array_foreach(json_object_get(list, "items"), i, it)
			if (str(it, "verdict") && strcmp(str(it, "verdict"), "eligible") == 0)
				group_add(groups, str(it, "department_code") ?
				    str(it, "department_code") : "", row_of(it));
		json_decref(list);
	}
	if ((list = list_of(f, "waiting_equivalent_post", 0)) != NULL) {
		json_array_foreach(json_object_get(list, "items"), i, it)
			json_array_append_new(waiting, row_of(it));
		json_decref(list);
	}
	json_array_foreach(groups, i, g)
		keep_ticks(r, json_object_get(g, "rows"));
	keep_ticks(r, waiting);
	json_object_set_new(c, "finance", json_pack("{s:o, s:o, s:b}", "groups", groups,
	    "waiting", waiting, "any", json_array_size(groups) + json_array_size(waiting) > 0));
}

/* HoD: cases with a post (ready for approval) with outcome and pay; cases to reject. */
static void
add_hod(struct flow *f, json_t *c)
{
	json_t *ready = json_array(), *other = json_array(), *list, *it, *cj;
	static const char *const reject_states[] = { "verified", "waiting_equivalent_post" };
	size_t i, k;

	if ((list = list_of(f, "post_created", 0)) != NULL) {
		json_array_foreach(json_object_get(list, "items"), i, it) {
			json_t *row = row_of(it), *o, *p;

			if (case_get_json(&f->cx, str(it, "employee_id"), &cj, f->msg,
			    sizeof(f->msg)) == ERR_OK) {
				o = json_object_get(cj, "outcome");
				p = json_object_get(cj, "post");
				json_object_set(row, "years", json_object_get(o, "qualifying_years"));
				json_object_set(row, "pay", json_object_get(o, "consolidated"));
				json_object_set(row, "designation", json_object_get(p, "designation"));
				json_object_set(row, "level", json_object_get(p, "pay_level"));
				json_object_set_new(row, "eligible", json_boolean(str(o, "outcome") &&
				    strcmp(str(o, "outcome"), "eligible") == 0));
				json_decref(cj);
			}
			json_array_append_new(ready, row);
		}
		json_decref(list);
	}
	for (k = 0; k < 2; k++) {
		if ((list = list_of(f, reject_states[k], 0)) == NULL)
			continue;
		json_array_foreach(json_object_get(list, "items"), i, it)
			if (k == 1 || (str(it, "verdict") && strcmp(str(it, "verdict"),
			    "eligible") != 0))
				json_array_append_new(other, row_of(it));
		json_decref(list);
	}
	json_object_set_new(c, "hod", json_pack("{s:o, s:o}", "ready", ready, "other", other));
}

int
h_page_queues(struct req *r, json_t *c)
{
	struct flow f;

	if (flow_init(r, &f) != 0)
		return -1;
	add_queue(r, &f, c);
	if (r->who.role == ROLE_FINANCE)
		add_finance(r, &f, c);
	if (r->who.role == ROLE_HOD)
		add_hod(&f, c);
	return 0;
}
