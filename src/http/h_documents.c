/* Documents: upload (multipart, streamed to a temp file while hashed, never held whole in
 * memory), download, delete. Validation and storage are intake's; rows are documents.c's. */
#include "http/handlers.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit/audit.h"
#include "cases/case.h"
#include "db/db.h"
#include "http/page.h"
#include "import/master.h"
#include "intake/blob.h"
#include "intake/documents.h"
#include "intake/intake.h"
#include "util/log.h"
#include "util/strict.h"

#define POST_BUFFER	(64 * 1024)

/* The state of one upload, from start() to the completion callback. */
struct upload {
	struct MHD_PostProcessor *pp;
	struct intake_tmp	 tmp;
	int			 tmp_open;
	int			 files;		/* "file" parts seen */
	int			 certify;	/* a certification, not a document upload:
						 * 1 of the case, 2 before login (issue 14) */
	int64_t			 cert_id;	/* certify == 2: the certification made */
	/* the small text fields of the form, NUL-terminated */
	char			 kind[40];
	char			 csrf[CSRF_HEX];	/* the page form's field */
	char			 fields[4096];		/* certification: JSON object */
	char			 remarks[2048];		/* certification */
	size_t			 len[4];
	json_t			*fields_json;		/* certification: parsed fields */
	/* a page's certification form: per particular "as" (recorded) or "fix" and the
	 * corrected value, and the contractual engagement confirmed; the server builds
	 * fields from them (the API sends fields itself) */
	char			 pick[CASE_F__MAX][8];
	char			 val[CASE_F__MAX][64];
	size_t			 plen[CASE_F__MAX], vlen[CASE_F__MAX];
	int			 contractual, page_fields;
	char			 name[DOC_NAME_MAX + 1];
	enum err		 err;		/* a fault found while streaming */
	const char		*err_detail;
	enum intake_code	 icode;		/* an intake refusal while streaming */
	enum intake_code	 name_code;	/* the file name's refusal, once content passed */
};

static void
upload_free(void *p)
{
	struct upload *u = p;

	if (u == NULL)
		return;
	if (u->pp != NULL)
		MHD_destroy_post_processor(u->pp);
	if (u->tmp_open)
		intake_tmp_abort(&u->tmp);
	json_decref(u->fields_json);
	free(u);
}

static void
limits_of(const struct config *cfg, struct intake_limits *lim)
{
	intake_limits_default(lim);
	lim->file_max_bytes = (uint64_t)cfg->upload_max_file;
	lim->image_max_pixels = (uint64_t)cfg->image_max_pixels;
	lim->zip_max_entries = (uint32_t)cfg->zip_max_entries;
	lim->zip_entry_max_bytes = (uint64_t)cfg->zip_max_entry;
	lim->zip_total_max_bytes = (uint64_t)cfg->zip_max_total;
	lim->zip_max_ratio = (uint32_t)cfg->zip_max_ratio;
	lim->pdf_max_objects = (uint32_t)cfg->pdf_max_objects;
	lim->pdf_memory_max_bytes = (uint64_t)cfg->pdf_memory_max;
	lim->pdf_cpu_seconds = (uint32_t)cfg->parser_cpu_seconds;
	lim->image_memory_max_bytes = (uint64_t)cfg->image_memory_max;
	lim->image_cpu_seconds = (uint32_t)cfg->parser_cpu_seconds;
	lim->upload_memory_max_bytes = (uint64_t)cfg->upload_memory_max;
	lim->upload_cpu_seconds = (uint32_t)cfg->parser_cpu_seconds;
	lim->upload_wall_seconds = (uint32_t)cfg->upload_wall_seconds;
	lim->clamd_socket = cfg->clamd_socket[0] ? cfg->clamd_socket : NULL;
	lim->clamd_timeout_ms = (uint32_t)cfg->clamd_timeout_ms;
}

/* A small text field of the form: 1 taken, 0 not one of them, -1 refused (too long, or not
 * a field of this form). */
static int
small_field(struct upload *u, const char *key, const char *data, size_t size)
{
	struct { const char *name; char *buf; size_t cap; int document, certify; } f[] = {
		{ "kind", u->kind, sizeof(u->kind), 1, 0 },
		{ "csrf", u->csrf, sizeof(u->csrf), 1, 1 },
		{ "fields", u->fields, sizeof(u->fields), 0, 1 },
		{ "remarks", u->remarks, sizeof(u->remarks), 0, 1 },
	};
	size_t i;

	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		if (strcmp(key, f[i].name) != 0)
			continue;
		if (!(u->certify ? f[i].certify : f[i].document))
			return 0;
		if (u->len[i] + size >= f[i].cap) {
			u->err = i == 1 ? ERR_CSRF : ERR_INVALID_FIELD;
			u->err_detail = i == 0 ? "kind is not one of the document kinds." :
			    i == 2 ? "fields is too long." : i == 3 ? "remarks are too long." : NULL;
			return -1;
		}
		memcpy(f[i].buf + u->len[i], data, size);
		u->len[i] += size;
		f[i].buf[u->len[i]] = '\0';
		return 1;
	}
	return 0;
}

/* A field of a page's certification form: do_<particular> ("as" or "fix"),
 * val_<particular> (the corrected value), contractual. 1 taken, 0 not one, -1 refused. */
static int
cert_page_field(struct upload *u, const char *key, const char *data, size_t size)
{
	enum case_field f;
	char *buf;
	size_t *len, cap;

	if (strcmp(key, "contractual") == 0) {
		u->contractual = u->page_fields = 1;
		return 1;
	}
	if (strncmp(key, "do_", 3) == 0 && case_field_parse(key + 3, &f) == 0) {
		buf = u->pick[f];
		len = &u->plen[f];
		cap = sizeof(u->pick[f]);
	} else if (strncmp(key, "val_", 4) == 0 && case_field_parse(key + 4, &f) == 0) {
		buf = u->val[f];
		len = &u->vlen[f];
		cap = sizeof(u->val[f]);
	} else
		return 0;
	u->page_fields = 1;
	if (*len + size >= cap) {
		u->err = ERR_INVALID_FIELD;
		u->err_detail = "fields is too long.";
		return -1;
	}
	memcpy(buf + *len, data, size);
	*len += size;
	buf[*len] = '\0';
	return 1;
}

/* Keeps what the page form carried (page_form_get on a refusal) and, when the page sent
 * the per-particular fields, builds the fields JSON the API would have been sent:
 * each particular to null ("as recorded") or its corrected value. */
static void
cert_page_form(struct req *r, struct upload *u)
{
	json_t *o;
	char k[48], *text;
	int f;

	page_form_add(r, "remarks", u->remarks);
	if (!u->page_fields)
		return;
	if (u->contractual)
		page_form_add(r, "contractual", "1");
	o = json_object();
	if (u->contractual)
		json_object_set_new(o, "contractual_engagement", json_true());
	for (f = 0; f < CASE_F__MAX; f++) {
		const char *name = case_field_name((enum case_field)f);
		char *v = u->val[f], *end;

		while (*v == ' ' || *v == '\t')
			v++;
		for (end = v + strlen(v); end > v && (end[-1] == ' ' || end[-1] == '\t'); end--)
			;
		*end = '\0';
		snprintf(k, sizeof(k), "do_%s", name);
		if (u->pick[f][0])
			page_form_add(r, k, u->pick[f]);
		snprintf(k, sizeof(k), "val_%s", name);
		if (u->vlen[f])
			page_form_add(r, k, v);
		if (strcmp(u->pick[f], "fix") == 0 || (u->pick[f][0] == '\0' && v[0]))
			json_object_set_new(o, name, json_string(v));
		else if (strcmp(u->pick[f], "as") == 0)
			json_object_set_new(o, name, json_null());
	}
	if (u->fields[0] == '\0' && (text = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS)) !=
	    NULL) {
		snprintf(u->fields, sizeof(u->fields), "%s", text);
		free(text);
	}
	json_decref(o);
}

static enum MHD_Result
part(void *cls, enum MHD_ValueKind kind, const char *key, const char *filename,
    const char *content_type, const char *transfer_encoding, const char *data, uint64_t off,
    size_t size)
{
	struct req *r = cls;
	struct upload *u = r->stream;
	char tmpdir[1024];
	enum intake_code c;

	if (u->err != ERR_OK || u->icode != INTAKE_OK)
		return MHD_NO;
	switch (small_field(u, key, data, size)) {
	case 1:
		return MHD_YES;
	case -1:
		return MHD_NO;
	default:
		break;
	}
	if (u->certify && r->csrf_form) {
		switch (cert_page_field(u, key, data, size)) {
		case 1:
			return MHD_YES;
		case -1:
			return MHD_NO;
		default:
			break;
		}
	}
	if (strcmp(key, "file") != 0) {
		u->err = ERR_INVALID_FIELD;
		u->err_detail = u->certify ? "The form takes only 'fields', 'remarks' and 'file'." :
		    "The form takes only 'kind' and 'file'.";
		return MHD_NO;
	}
	if (off == 0) {
		if (++u->files > 1) {
			u->err = ERR_INVALID_FIELD;
			u->err_detail = "Send one file at a time (or one ZIP bundle).";
			return MHD_NO;
		}
		document_clean_name(filename, u->name);
		{
			struct intake_result nres;

			/* Characters refuse now; a program type in the name only once the
			 * content passed, so that a file that is no document is named so. */
			memset(&nres, 0, sizeof(nres));
			c = intake_name_check(filename, &nres);
			if (c == INTAKE_NAME_EXECUTABLE)
				u->name_code = c;
			else if (c != INTAKE_OK) {
				log_info("upload refused: %s: %s", nres.code_str, nres.detail);
				u->icode = c;
				return MHD_NO;
			}
		}
		if (blob_tmp_dir(r->app->cfg.data_dir, tmpdir, sizeof(tmpdir)) != BLOB_OK ||
		    intake_tmp_open(&u->tmp, tmpdir, (uint64_t)r->app->cfg.upload_max_file) !=
		    INTAKE_OK) {
			u->err = ERR_INTERNAL;
			return MHD_NO;
		}
		u->tmp_open = 1;
	}
	if (size > 0 && (c = intake_tmp_write(&u->tmp, data, size)) != INTAKE_OK) {
		if (c == INTAKE_FILE_TOO_LARGE)
			u->icode = c;
		else
			u->err = ERR_INTERNAL;
		return MHD_NO;
	}
	return MHD_YES;
}

/* Only the employee, on their own case, within quota. Checked before any byte is read. */
enum MHD_Result
h_upload_start(struct req *r, int *done)
{
	struct upload *u;
	int64_t count, bytes;
	struct db *db;

	*done = 1;
	if (r->who.role != ROLE_EMPLOYEE)
		return reply_error(r, ERR_FORBIDDEN, "Only the employee uploads to their case.");
	if (strcmp(r->who.employee_id, r->args[0]) != 0)
		return reply_error(r, ERR_NOT_FOUND, NULL);
	if ((db = db_thread()) == NULL || document_usage(db, r->args[0], &count, &bytes) != 0)
		return reply_error(r, ERR_UNAVAILABLE, NULL);
	if (count >= r->app->cfg.quota_files || bytes >= r->app->cfg.quota_bytes)
		return reply_error(r, ERR_QUOTA, NULL);
	/* State and window before any byte is read; checked again when the rows commit. */
	{
		struct case_ctx cx;
		struct actor who;
		char actor[96], msg[256] = "";
		enum err e;

		req_actor(r, &who, actor, sizeof(actor));
		case_ctx_of(r, db, &who, &cx);
		if (db_begin(db) != 0)
			return reply_error(r, ERR_UNAVAILABLE, NULL);
		e = case_documents_check(&cx, r->args[0], 0, msg, sizeof(msg));
		db_rollback(db);
		if (e != ERR_OK)
			return reply_error(r, e, msg[0] ? msg : NULL);
	}
	if ((u = calloc(1, sizeof(*u))) == NULL)
		return reply_error(r, ERR_INTERNAL, NULL);
	r->stream = u;
	r->stream_free = upload_free;
	u->pp = MHD_create_post_processor(r->conn, POST_BUFFER, part, r);
	if (u->pp == NULL)
		return reply_error(r, ERR_UNSUPPORTED_TYPE, "Send the document as "
		    "multipart/form-data with the fields 'kind' and 'file'.");
	*done = 0;
	return MHD_YES;
}

static enum MHD_Result certify_start(struct req *r, int *done, int mode);

/* A certification (DDO, HoD or administrative secretary in scope): the certificate is
 * stored as the employee's discrepancy_certificate and the case certified, together. */
enum MHD_Result
h_certify_start(struct req *r, int *done)
{
	return certify_start(r, done, 1);
}

/* issue 14: the same form certifying particulars before login, any state of the case. */
enum MHD_Result
h_employee_certify_start(struct req *r, int *done)
{
	return certify_start(r, done, 2);
}

static enum MHD_Result
certify_start(struct req *r, int *done, int mode)
{
	struct employee e;
	struct upload *u;
	struct db *db;

	*done = 1;
	if ((db = db_thread()) == NULL)
		return reply_error(r, ERR_UNAVAILABLE, NULL);
	if (employee_get(db, r->args[0], &e) != 0 ||
	    !scope_sees_employee(&r->who, e.id, e.office_code, e.department_code))
		return reply_error(r, ERR_NOT_FOUND, NULL);
	if ((u = calloc(1, sizeof(*u))) == NULL)
		return reply_error(r, ERR_INTERNAL, NULL);
	u->certify = mode;
	snprintf(u->kind, sizeof(u->kind), "discrepancy_certificate");
	r->stream = u;
	r->stream_free = upload_free;
	if ((u->pp = MHD_create_post_processor(r->conn, POST_BUFFER, part, r)) == NULL)
		return reply_error(r, ERR_UNSUPPORTED_TYPE, "Send the certification as "
		    "multipart/form-data with the fields 'fields', 'remarks' and 'file'.");
	*done = 0;
	return MHD_YES;
}

void
h_upload_chunk(struct req *r, const char *data, size_t len)
{
	struct upload *u = r->stream;

	if (u->err != ERR_OK || u->icode != INTAKE_OK)
		return;		/* the rest of the body is read and dropped */
	if (MHD_post_process(u->pp, data, len) != MHD_YES && u->err == ERR_OK &&
	    u->icode == INTAKE_OK) {
		u->err = ERR_MALFORMED;
		u->err_detail = "The multipart body could not be read.";
	}
}

static json_t *
doc_json(const struct document *d)
{
	json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:I, s:s}", "id", (json_int_t)d->id,
	    "kind", d->kind, "name", d->name, "mime_type", d->mime, "size",
	    (json_int_t)d->size, "sha256", d->sha256);

	if (d->bundle[0])
		json_object_set_new(o, "bundle", json_string(d->bundle));
	return o;
}

/* A refusal is audited in its own transaction: it changes nothing else. */
static void
audit_refusal(struct req *r, const char *code, const char *name, const char *entry,
    const char *signature)
{
	struct audit_rec a = { NULL, "employee", "document.refused", r->args[0], NULL, r->ip,
	    NULL, NULL };
	char actor[96], object[64];
	json_t *o = json_pack("{s:s, s:s}", "code", code, "name", name);
	char *after;
	struct db *db = db_thread();

	if (entry && entry[0])
		json_object_set_new(o, "entry", json_string(entry));
	if (signature && signature[0])	/* clamd's name for what it found */
		json_object_set_new(o, "signature", json_string(signature));
	after = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(o);
	principal_actor(&r->who, actor, sizeof(actor));
	snprintf(object, sizeof(object), "employee:%s", r->args[0]);
	a.actor = actor;
	a.object = object;
	a.after = after;
	if (db != NULL && db_begin(db) == 0) {
		if (audit_append(db, &a) == 0)
			db_commit(db);
		else
			db_rollback(db);
	}
	free(after);
}

static void
fault(struct upload_outcome *o, enum err e, const char *detail)
{
	o->err = e;
	o->detail = detail;
}

static void
refuse(struct req *r, struct upload *u, const struct intake_result *res, enum intake_code c,
    struct upload_outcome *o)
{
	const struct intake_code_info *info = intake_code_info(c);

	if (c == INTAKE_INTERNAL) {
		log_error("upload: intake failed: %s", res ? res->detail : "");
		fault(o, ERR_INTERNAL, NULL);
		return;
	}
	if (c == INTAKE_SCANNER_UNAVAILABLE)	/* an operator must know: uploads are stopped */
		log_warn("upload refused: %s: %s", info->code, res ? res->detail : "");
	else if (res != NULL && res->detail[0])
		log_info("upload refused: %s: %s", info->code, res->detail);
	audit_refusal(r, info->code, u->name, res ? res->entry : NULL,
	    res ? res->signature : NULL);
	o->refused = info;
	if (res != NULL)
		snprintf(o->entry, sizeof(o->entry), "%s", res->entry);
}

/* Moves the validated file (or each ZIP entry) into the blob store, then commits the rows
 * in one transaction; a crash before the commit leaves at most unreferenced blobs, which
 * the start-up sweep removes. */
static void
store(struct req *r, struct upload *u, struct intake_result *res, const char *sha,
    struct upload_outcome *o)
{
	const char *root = r->app->cfg.data_dir;
	size_t n = res->type == INTAKE_TYPE_ZIP ? res->n_entries : 1, i;
	struct document *docs;
	int64_t count, bytes, add = 0;
	struct actor who;
	char actor[96];
	struct db *db;
	json_t *list;
	int dup;

	if ((docs = calloc(n, sizeof(*docs))) == NULL) {
		fault(o, ERR_INTERNAL, NULL);
		return;
	}
	for (i = 0; i < n; i++) {
		struct document *d = &docs[i];

		snprintf(d->employee_id, sizeof(d->employee_id), "%s", r->args[0]);
		snprintf(d->kind, sizeof(d->kind), "%s", u->kind);
		if (res->type == INTAKE_TYPE_ZIP) {
			struct intake_entry *e = &res->entries[i];

			document_clean_name(e->name, d->name);
			snprintf(d->bundle, sizeof(d->bundle), "%s", u->name);
			snprintf(d->mime, sizeof(d->mime), "%s", intake_type_mime(e->type));
			d->size = (int64_t)e->size;
			snprintf(d->sha256, sizeof(d->sha256), "%s", e->sha256);
			if (blob_put(root, e->tmp_path, e->sha256, &dup) != BLOB_OK)
				goto internal;
		} else {
			snprintf(d->name, sizeof(d->name), "%s", u->name);
			snprintf(d->mime, sizeof(d->mime), "%s", res->mime);
			d->size = (int64_t)u->tmp.len;
			snprintf(d->sha256, sizeof(d->sha256), "%s", sha);
			if (blob_put(root, u->tmp.path, sha, &dup) != BLOB_OK)
				goto internal;
			u->tmp_open = 0;
		}
		add += d->size;
	}
	if ((db = db_thread()) == NULL || db_begin(db) != 0)
		goto unavailable;
	if (document_usage(db, r->args[0], &count, &bytes) != 0) {
		db_rollback(db);
		goto internal;
	}
	req_actor(r, &who, actor, sizeof(actor));
	if (u->certify) {
		struct case_ctx cx;
		enum err e;

		/* The certificate and the certification commit together, or neither. */
		case_ctx_of(r, db, &who, &cx);
		if (n != 1 || document_insert(db, &who, docs, 1) != 0) {
			db_rollback(db);
			goto internal;
		}
		e = u->certify == 2 ? case_certify_particulars_in(&cx, r->args[0],
		    u->fields_json, u->remarks, docs[0].id, &u->cert_id, o->msg, sizeof(o->msg)) :
		    case_certify_in(&cx, r->args[0], u->fields_json, u->remarks, docs[0].id,
		    o->msg, sizeof(o->msg));
		if (e != ERR_OK || db_commit(db) != 0) {
			db_rollback(db);
			free(docs);
			fault(o, e == ERR_OK ? ERR_INTERNAL : e, o->msg[0] ? o->msg : NULL);
			return;
		}
		o->documents = json_pack("[o]", doc_json(&docs[0]));
		free(docs);
		return;
	}
	{
		struct case_ctx cx;
		char msg[256] = "";
		enum err e;

		case_ctx_of(r, db, &who, &cx);
		if ((e = case_documents_check(&cx, r->args[0], 0, msg, sizeof(msg))) != ERR_OK) {
			db_rollback(db);
			free(docs);
			snprintf(o->msg, sizeof(o->msg), "%s", msg);
			fault(o, e, msg[0] ? o->msg : NULL);
			return;
		}
	}
	if (count + (int64_t)n > r->app->cfg.quota_files ||
	    bytes + add > r->app->cfg.quota_bytes) {
		db_rollback(db);
		free(docs);
		audit_refusal(r, "quota_exceeded", u->name, NULL, NULL);
		fault(o, ERR_QUOTA, NULL);
		return;
	}
	if (document_insert(db, &who, docs, n) != 0 || db_commit(db) != 0) {
		db_rollback(db);
		goto internal;
	}
	list = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(list, doc_json(&docs[i]));
	free(docs);
	o->documents = list;
	return;
unavailable:
	free(docs);
	fault(o, ERR_UNAVAILABLE, NULL);
	return;
internal:
	free(docs);
	fault(o, ERR_INTERNAL, NULL);
}

void
h_upload_finish(struct req *r, struct upload_outcome *o)
{
	struct upload *u = r->stream;
	struct intake_result res;
	struct intake_limits lim;
	char tmpdir[1024], sha[65];
	enum intake_code c;
	int complete;

	memset(o, 0, sizeof(*o));
	complete = MHD_destroy_post_processor(u->pp) == MHD_YES;
	u->pp = NULL;
	/* a page form proves itself before anything is looked at or stored */
	if (r->csrf_form && (u->csrf[0] == '\0' || !page_csrf_ok(r, u->csrf))) {
		fault(o, ERR_CSRF, NULL);
		return;
	}
	if (u->certify && r->csrf_form)
		cert_page_form(r, u);
	if (u->err != ERR_OK) {
		fault(o, u->err, u->err_detail);
		return;
	}
	if (u->icode != INTAKE_OK) {
		refuse(r, u, NULL, u->icode, o);
		return;
	}
	if (!complete) {
		fault(o, ERR_MALFORMED, "The upload was cut short or its multipart "
		    "body is broken; nothing was stored. Please send it again.");
		return;
	}
	if (u->certify) {
		json_error_t jerr;

		u->fields_json = json_loads(u->fields, JSON_REJECT_DUPLICATES, &jerr);
		if (u->fields_json == NULL || !json_is_object(u->fields_json)) {
			fault(o, ERR_INVALID_FIELD, "Give 'fields' as a JSON object of the corrected "
			    "values (mobile, family_id, head_of_account, engagement_mode; null for "
			    "certified as recorded).");
			return;
		}
		if (u->remarks[0] == '\0') {
			fault(o, ERR_INVALID_FIELD, "Give 'remarks' for the certification.");
			return;
		}
	} else if (!document_kind_valid(u->kind)) {
		fault(o, ERR_INVALID_FIELD, "Give 'kind': one of engagement_order, "
		    "hkrnl_deployment_letter, salary_proof, service_certificate, dob_proof, "
		    "aadhaar, family_id, marital_declaration, hssc_appointment_order, "
		    "hssc_termination_order, discrepancy_certificate, other.");
		return;
	}
	if (u->files == 0) {
		fault(o, ERR_INVALID_FIELD, "Attach the document as the field 'file'.");
		return;
	}
	if ((c = intake_tmp_finish(&u->tmp, sha)) != INTAKE_OK) {
		if (c == INTAKE_EMPTY_FILE)
			u->tmp_open = 0;
		refuse(r, u, NULL, c, o);
		return;
	}
	limits_of(&r->app->cfg, &lim);
	blob_tmp_dir(r->app->cfg.data_dir, tmpdir, sizeof(tmpdir));
	/* A certificate is one signed document, not a bundle. */
	c = intake_validate_file(u->tmp.path, &lim, u->certify ? NULL : tmpdir, &res);
	if (c == INTAKE_OK && u->name_code != INTAKE_OK) {
		c = u->name_code;
		snprintf(res.detail, sizeof(res.detail), "file name: program or script type");
	}
	if (c != INTAKE_OK)
		refuse(r, u, &res, c, o);
	else if (u->certify && res.type == INTAKE_TYPE_ZIP)
		fault(o, ERR_UNPROCESSABLE, "Send the signed certificate as one PDF, JPEG or PNG "
		    "file, not a ZIP bundle.");
	else
		store(r, u, &res, sha, o);
	intake_result_free(&res);
}

enum MHD_Result
h_upload(struct req *r)
{
	struct upload_outcome o;
	json_t *extra = NULL;

	h_upload_finish(r, &o);
	if (o.documents != NULL)
		return reply_json(r, 201, json_pack("{s:o}", "documents", o.documents));
	if (o.refused != NULL) {
		if (o.entry[0])
			extra = json_pack("{s:s}", "entry", o.entry);
		return reply_error_with(r, (unsigned)o.refused->status, o.refused->code,
		    o.refused->message, extra);
	}
	return reply_error(r, o.err, o.detail);
}

/* issue 14: the employee as GET /api/v1/employees/{id} shows it after the certification. */
enum MHD_Result
h_employee_certify(struct req *r)
{
	struct upload_outcome o;
	struct upload *u = r->stream;

	h_upload_finish(r, &o);
	if (o.documents != NULL) {
		json_t *doc = json_incref(json_array_get(o.documents, 0));

		json_decref(o.documents);
		return h_employee_reply(r, 200, u->cert_id, doc);
	}
	if (o.refused != NULL)
		return reply_error_with(r, (unsigned)o.refused->status, o.refused->code,
		    o.refused->message, NULL);
	return reply_error(r, o.err, o.detail);
}

enum MHD_Result
h_certify(struct req *r)
{
	struct upload_outcome o;

	h_upload_finish(r, &o);
	if (o.documents != NULL) {
		json_t *body = json_pack("{s:s, s:s, s:O}", "employee_id", r->args[0], "state",
		    "certified", "document", json_array_get(o.documents, 0));

		json_decref(o.documents);
		return reply_json(r, 200, body);
	}
	if (o.refused != NULL)
		return reply_error_with(r, (unsigned)o.refused->status, o.refused->code,
		    o.refused->message, NULL);
	return reply_error(r, o.err, o.detail);
}

/* RFC 6266: an ASCII fallback and the UTF-8 name percent-encoded. */
static void
disposition(const char *name, char *out, size_t outlen)
{
	char ascii[DOC_NAME_MAX + 1], enc[3 * DOC_NAME_MAX + 1];
	size_t i, a = 0, e = 0;

	for (i = 0; name[i] && a < DOC_NAME_MAX; i++) {
		unsigned char c = (unsigned char)name[i];

		ascii[a++] = c >= 0x20 && c < 0x7f && c != '"' && c != '\\' ? (char)c : '_';
	}
	ascii[a] = '\0';
	for (i = 0; name[i] && e + 3 < sizeof(enc); i++) {
		unsigned char c = (unsigned char)name[i];

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    strchr("-._~", c) != NULL)
			enc[e++] = (char)c;
		else
			e += (size_t)snprintf(enc + e, sizeof(enc) - e, "%%%02X", c);
	}
	enc[e] = '\0';
	snprintf(out, outlen, "attachment; filename=\"%s\"; filename*=UTF-8''%s", ascii, enc);
}

/* The document, if the caller may see its case; 404 otherwise. */
static int
visible_document(struct req *r, struct db *db, struct document *d)
{
	struct employee e;
	int64_t id;

	if (strict_int64(r->args[0], 1, INT64_MAX, &id) != 0 || document_get(db, id, d) != 0 ||
	    employee_get(db, d->employee_id, &e) != 0)
		return 0;
	return scope_sees_documents(&r->who, e.id, e.office_code, e.department_code);
}

enum err
h_document_open(struct req *r, struct document *d, int *fd)
{
	struct db *db = db_thread();
	struct stat st;

	*fd = -1;
	if (db == NULL)
		return ERR_UNAVAILABLE;
	if (!visible_document(r, db, d))
		return ERR_NOT_FOUND;
	if ((*fd = blob_open(r->app->cfg.data_dir, d->sha256)) < 0 || fstat(*fd, &st) != 0 ||
	    st.st_size != d->size) {
		if (*fd >= 0)
			close(*fd);
		*fd = -1;
		log_error("document %lld: blob %s missing or damaged", (long long)d->id,
		    d->sha256);
		return ERR_INTERNAL;
	}
	return ERR_OK;
}

enum MHD_Result
h_document_get(struct req *r)
{
	char disp[4 * DOC_NAME_MAX + 64];
	struct document d;
	enum err e;
	int fd;

	if ((e = h_document_open(r, &d, &fd)) != ERR_OK)
		return reply_error(r, e, NULL);
	disposition(d.name, disp, sizeof(disp));
	return reply_fd(r, 200, d.mime, fd, (uint64_t)d.size, disp);
}

/* The employee removes a document of their own draft case: the check and the deletion in
 * one transaction. Shared by the API and the page. */
enum err
h_document_remove(struct req *r, char *msg, size_t msglen)
{
	struct case_ctx cx;
	struct document d;
	struct actor who;
	char actor[96];
	struct db *db = db_thread();
	enum err e;

	msg[0] = '\0';
	if (db == NULL)
		return ERR_UNAVAILABLE;
	if (!visible_document(r, db, &d))
		return ERR_NOT_FOUND;
	if (r->who.role != ROLE_EMPLOYEE) {
		snprintf(msg, msglen, "Only the employee deletes their documents.");
		return ERR_FORBIDDEN;
	}
	req_actor(r, &who, actor, sizeof(actor));
	case_ctx_of(r, db, &who, &cx);
	if (db_begin(db) != 0)
		return ERR_UNAVAILABLE;
	if ((e = case_documents_check(&cx, d.employee_id, 1, msg, msglen)) != ERR_OK) {
		db_rollback(db);
		return e;
	}
	if (document_delete(db, &who, &d) != 0 || db_commit(db) != 0) {
		db_rollback(db);
		return ERR_INTERNAL;
	}
	return ERR_OK;
}

enum MHD_Result
h_document_delete(struct req *r)
{
	char msg[256];
	enum err e = h_document_remove(r, msg, sizeof(msg));

	if (e != ERR_OK)
		return reply_error(r, e, msg[0] ? msg : NULL);
	return reply_json(r, 200, json_pack("{s:b}", "deleted", 1));
}
