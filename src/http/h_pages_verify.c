/* Verifying a letter in the browser: the form that takes a PDF (the same check as POST
 * /api/v1/verify), and the public page a letter's QR code opens, /verify/{ref}: whether
 * the reference exists, whether it stands or was revoked, and a form to check a file
 * against it. A HoD in scope (or an admin) may revoke the letter from that page. */
#include "http/handlers_pages.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "db/db.h"
#include "http/page.h"
#include "import/master.h"
#include "letters/store.h"
#include "letters/verify.h"
#include "util/strict.h"
#include "util/timeutil.h"

#define POST_BUFFER	(16 * 1024)

struct vform {
	struct MHD_PostProcessor *pp;
	struct buf		 pdf;
	char			 ref[LETTER_REF_MAX];
	size_t			 ref_len;
	int			 files;
	int			 bad;		/* an unknown field, a second file, a long ref */
	int			 too_large;
};

static void
vform_free(void *p)
{
	struct vform *v = p;

	if (v == NULL)
		return;
	if (v->pp != NULL)
		MHD_destroy_post_processor(v->pp);
	buf_free(&v->pdf);
	free(v);
}

static enum MHD_Result
vform_part(void *cls, enum MHD_ValueKind kind, const char *key, const char *filename,
    const char *content_type, const char *transfer_encoding, const char *data, uint64_t off,
    size_t size)
{
	struct vform *v = cls;

	if (strcmp(key, "ref") == 0) {
		if (v->ref_len + size >= sizeof(v->ref)) {
			v->bad = 1;
			return MHD_NO;
		}
		memcpy(v->ref + v->ref_len, data, size);
		v->ref_len += size;
		v->ref[v->ref_len] = '\0';
		return MHD_YES;
	}
	if (strcmp(key, "file") != 0 || (off == 0 && ++v->files > 1)) {
		v->bad = 1;
		return MHD_NO;
	}
	if (size > 0 && buf_append(&v->pdf, data, size) != 0) {
		v->too_large = 1;
		return MHD_NO;
	}
	return MHD_YES;
}

enum MHD_Result
h_page_verify_start(struct req *r, int *done)
{
	struct vform *v;

	*done = 1;
	if ((v = calloc(1, sizeof(*v))) == NULL)
		return reply_error(r, ERR_INTERNAL, NULL);
	buf_init(&v->pdf, (size_t)r->app->cfg.verify_max_body);
	r->stream = v;
	r->stream_free = vform_free;
	if ((v->pp = MHD_create_post_processor(r->conn, POST_BUFFER, vform_part, v)) == NULL)
		return reply_error(r, ERR_UNSUPPORTED_TYPE, NULL);
	*done = 0;
	return MHD_YES;
}

void
h_page_verify_chunk(struct req *r, const char *data, size_t len)
{
	struct vform *v = r->stream;

	if (v->bad || v->too_large)
		return;
	if (MHD_post_process(v->pp, data, len) != MHD_YES && !v->too_large)
		v->bad = 1;
}

static json_t *
report_ctx(struct page *pg, const struct verify_report *rep, const char *expected)
{
	char at[PAGE_TIME_LEN], key[64];
	json_t *o, *reasons = json_array();
	unsigned i;

	for (i = 0; i < rep->nreasons; i++) {
		snprintf(key, sizeof(key), "vr.%s", verify_reason_code(rep->reasons[i]));
		json_array_append_new(reasons, json_string(page_t(pg, key,
		    verify_reason_message(rep->reasons[i]))));
	}
	o = json_pack("{s:b, s:s, s:s, s:b, s:b, s:o}", "valid", rep->valid, "signer",
	    rep->signer, "letter_ref", rep->letter_ref, "chain_trusted", rep->chain_trusted,
	    "modified", rep->modified_after_signing, "reasons", reasons);
	if (o == NULL)
		return NULL;
	if (rep->signed_at > 0) {
		page_time(rep->signed_at, at);
		json_object_set_new(o, "signed_at", json_string(at));
	}
	json_object_set_new(o, "issued", json_boolean(rep->issued_by_portal == 1));
	json_object_set_new(o, "revoked", json_boolean(rep->revoked == 1));
	/* checked against a reference: a valid letter of another reference is not this one */
	if (expected != NULL && expected[0]) {
		int same = strcmp(expected, rep->letter_ref) == 0;

		json_object_set_new(o, "expected", json_string(expected));
		json_object_set_new(o, "other_letter", json_boolean(!same));
		if (!same)
			json_object_set_new(o, "valid", json_false());
	}
	return o;
}

enum MHD_Result
h_page_verify_post(struct req *r)
{
	struct vform *v = r->stream;
	struct verify_report rep;
	struct page *pg;
	json_t *o;
	int complete;
	enum err e;

	complete = MHD_destroy_post_processor(v->pp) == MHD_YES;
	v->pp = NULL;
	if (v->too_large)
		return page_error(r, ERR_TOO_LARGE, NULL);
	if (v->bad || !complete || v->pdf.len == 0) {
		if ((pg = page_begin(r)) == NULL)
			return MHD_NO;
		page_notice(pg, 1, "verify.choose_file", "Choose the PDF letter to check.", NULL);
		return page_end(pg, 400, "verify", "title.verify");
	}
	if ((e = h_verify_bytes(r, v->pdf.data, v->pdf.len, &rep)) != ERR_OK)
		return page_error(r, e, NULL);
	if ((pg = page_begin(r)) == NULL)
		return MHD_NO;
	if ((o = report_ctx(pg, &rep, v->ref)) == NULL) {
		page_free(pg);
		return page_error(r, ERR_INTERNAL, NULL);
	}
	json_object_set_new(page_ctx(pg), "report", o);
	return page_end(pg, 200, "verify", "title.verify");
}

enum MHD_Result
h_page_verify(struct req *r)
{
	struct page *pg = page_begin(r);

	if (pg == NULL)
		return MHD_NO;
	return page_end(pg, 200, "verify", "title.verify");
}

/* May the caller revoke this letter? A HoD of its department, or an admin. */
static int
may_revoke(struct req *r, struct db *db, const struct issued_letter *l)
{
	struct employee e;

	if (!r->authed || (r->who.role != ROLE_HOD && r->who.role != ROLE_ADMIN))
		return 0;
	return employee_get(db, l->employee_id, &e) == 0 &&
	    scope_sees_employee(&r->who, e.id, e.office_code, e.department_code);
}

enum MHD_Result
h_page_verify_ref(struct req *r)
{
	struct issued_letter l;
	struct page *pg;
	struct db *db = db_thread();
	char at[PAGE_TIME_LEN], q[8];
	json_t *c;

	if (db == NULL)
		return page_error(r, ERR_UNAVAILABLE, NULL);
	if ((pg = page_begin(r)) == NULL)
		return MHD_NO;
	c = page_ctx(pg);
	json_object_set_new(c, "ref", json_string(r->args[0]));
	/* the public learns only what the letter itself says: no names here */
	if (letter_store_get(db, r->args[0], &l) == 0) {
		json_object_set_new(c, "found", json_true());
		page_time(l.issued_at, at);
		json_object_set_new(c, "issued_at", json_string(at));
		json_object_set_new(c, "department", json_string(l.department_code));
		if (l.revoked_at != 0) {
			page_time(l.revoked_at, at);
			json_object_set_new(c, "revoked_at", json_string(at));
		} else if (may_revoke(r, db, &l))
			json_object_set_new(c, "may_revoke", json_true());
	}
	if (req_query(r, "revoked", q, sizeof(q)) != NULL)
		page_notice(pg, 0, "ref.revoked_done", "The letter was revoked.", NULL);
	return page_end(pg, 200, "verify_ref", "title.verify_ref");
}

enum MHD_Result
h_page_revoke(struct req *r)
{
	const char *ref = page_form_get(r, "ref"), *reason = page_form_get(r, "reason");
	struct issued_letter l;
	struct actor who;
	char actor[96], loc[300];
	struct db *db = db_thread();
	struct buf b;
	enum err e;

	if (db == NULL)
		return page_error(r, ERR_UNAVAILABLE, NULL);
	if (ref == NULL || letter_store_get(db, ref, &l) != 0 || !may_revoke(r, db, &l))
		return page_error(r, ERR_NOT_FOUND, NULL);
	if (reason == NULL || strict_text(reason, 500) != 0)
		return page_error(r, ERR_INVALID_FIELD, NULL);
	/* a revocation cannot be undone: the form asks to confirm it */
	if (page_form_get(r, "confirm") == NULL)
		return page_error(r, ERR_INVALID_FIELD, "Tick the box to confirm.");
	req_actor(r, &who, actor, sizeof(actor));
	if ((e = letter_store_revoke(db, &who, l.ref, reason)) != ERR_OK)
		return page_error(r, e, NULL);
	buf_init(&b, sizeof(loc) - 1);
	buf_puts(&b, "/verify/");
	page_url_escape(&b, l.ref);
	buf_puts(&b, "?revoked=1");
	snprintf(loc, sizeof(loc), "%s", buf_str(&b));
	buf_free(&b);
	return page_redirect(r, loc, NULL, NULL);
}
