/* The admin's master-data pages: deadline windows and their extensions (deadline_extend,
 * as POST /api/v1/admin/deadlines), CSV imports with their reports, and the departments
 * and offices list with a form for one office. The office form and the uploads both go
 * through import_csv, so one set of validation rules and one audit trail apply. */
#include "http/handlers_pages.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit/audit.h"
#include "cases/case.h"
#include "cases/deadline.h"
#include "db/db.h"
#include "http/page.h"
#include "import/master.h"
#include "intake/documents.h"
#include "util/fsx.h"
#include "util/log.h"
#include "util/strict.h"
#include "util/timeutil.h"

#define POST_BUFFER	(16 * 1024)
#define REPORT_LINES	2000

static void
keep(json_t *o, const char *key, const char *v)
{
	json_object_set_new(o, key, json_string(v ? v : ""));
}

/* A done=CODE notice from the address, as the text of PREFIX.done_CODE when it exists. */
static void
done_notice(struct req *r, struct page *pg, const char *prefix)
{
	char q[16], key[48];

	if (req_query(r, "done", q, sizeof(q)) == NULL || strict_code(q) != 0)
		return;
	snprintf(key, sizeof(key), "%s.done_%s", prefix, q);
	if (strcmp(page_t(pg, key, ""), "") != 0)
		page_notice(pg, 0, key, "Done.", NULL);
}

/* "2026-01-31T23:59:00+05:30" to "31-01-2026 23:59 IST" for people. */
static json_t *
ist_text(const char *iso)
{
	char out[32];

	if (iso == NULL || strlen(iso) < 16)
		return json_string(iso ? iso : "");
	snprintf(out, sizeof(out), "%.2s-%.2s-%.4s %.5s IST", iso + 8, iso + 5, iso, iso + 11);
	return json_string(out);
}

/* ---- deadlines ---- */

static enum MHD_Result
deadlines_page(struct req *r, unsigned status, enum err e, const char *detail)
{
	const char *chosen[SCOPE_MAX];
	json_t *dj, *stages, *rows, *exts, *opts, *ctx, *s, *v;
	const char *code, *sel = page_form_get(r, "stage");
	struct page *pg;
	struct db *db;
	size_t i, j, nchosen;
	char key[48];

	nchosen = page_form_all(r, "department", chosen, SCOPE_MAX);
	if ((db = db_thread()) == NULL ||
	    (dj = deadline_json(db, &r->app->rules, time_now())) == NULL)
		return page_error(r, ERR_UNAVAILABLE, NULL);
	stages = json_object_get(dj, "stages");
	rows = json_array();
	opts = json_array();
	json_array_foreach(stages, i, s) {
		json_t *def = json_object_get(s, "default");

		snprintf(key, sizeof(key), "stage.%s", json_string_value(json_object_get(s,
		    "stage")));
		json_array_append_new(opts, json_pack("{s:s, s:s, s:b, s:o, s:b}", "value",
		    json_string_value(json_object_get(s, "stage")), "key", key, "selected",
		    sel != NULL && strcmp(sel, json_string_value(json_object_get(s, "stage"))) == 0,
		    "closes", ist_text(json_string_value(json_object_get(def, "closes"))), "open",
		    json_is_true(json_object_get(def, "open"))));
	}
	/* one row per department, one cell per stage, in the stages' order */
	if (json_array_size(stages) > 0)
		json_object_foreach(json_object_get(json_array_get(stages, 0), "departments"),
		    code, v) {
			json_t *cells = json_array();
			int checked = 0;

			for (j = 0; j < nchosen; j++)
				if (strcmp(chosen[j], code) == 0)
					checked = 1;
			json_array_foreach(stages, i, s) {
				json_t *w = json_object_get(json_object_get(s, "departments"), code);

				json_array_append_new(cells, json_pack("{s:o, s:b}", "closes",
				    ist_text(json_string_value(json_object_get(w, "closes"))), "open",
				    json_is_true(json_object_get(w, "open"))));
			}
			json_array_append_new(rows, json_pack("{s:s, s:o, s:b}", "code", code,
			    "cells", cells, "checked", checked));
		}
	exts = json_array();
	json_array_foreach(json_object_get(dj, "extensions"), i, v) {
		snprintf(key, sizeof(key), "stage.%s", json_string_value(json_object_get(v,
		    "stage")));
		json_array_append_new(exts, json_pack("{s:s, s:O, s:o, s:O, s:O, s:O}", "stage_key",
		    key, "department", json_object_get(v, "department"), "closes",
		    ist_text(json_string_value(json_object_get(v, "closes"))), "reason",
		    json_object_get(v, "reason"), "by", json_object_get(v, "by"), "at",
		    json_object_get(v, "at")));
	}
	json_decref(dj);
	if ((pg = page_begin(r)) == NULL) {
		json_decref(rows);
		json_decref(opts);
		json_decref(exts);
		return MHD_NO;
	}
	ctx = page_ctx(pg);
	json_object_set_new(ctx, "stages", opts);
	json_object_set_new(ctx, "departments", rows);
	json_object_set_new(ctx, "extensions", exts);
	json_object_set_new(ctx, "has_extensions", json_boolean(json_array_size(exts) > 0));
	if (e != ERR_OK) {
		page_notice_err(pg, e, detail);
		keep(ctx, "f_closes", page_form_get(r, "closes"));
		keep(ctx, "f_reason", page_form_get(r, "reason"));
	} else
		done_notice(r, pg, "deadlines");
	return page_end(pg, status, "deadlines", "title.deadlines");
}

enum MHD_Result
h_page_deadlines(struct req *r)
{
	return deadlines_page(r, 200, ERR_OK, NULL);
}

enum MHD_Result
h_page_deadline_extend(struct req *r)
{
	const char *depts[SCOPE_MAX + 1], *stage = page_form_get(r, "stage");
	const char *closes = page_form_get(r, "closes"), *reason = page_form_get(r, "reason");
	char actor[96], msg[512] = "";
	enum rules_stage s;
	struct actor a;
	struct db *db;
	size_t n;
	int64_t t;
	enum err e;

	/* none chosen means every department, as in the API */
	n = page_form_all(r, "department", depts, SCOPE_MAX + 1);
	if (n > SCOPE_MAX || case_stage_parse(stage, &s) != 0 || closes == NULL ||
	    time_parse_ist(closes, &t) != 0 || reason == NULL || reason[0] == '\0' ||
	    strict_text(reason, 1000) != 0)
		return deadlines_page(r, 400, ERR_INVALID_FIELD, NULL);
	if ((db = db_thread()) == NULL)
		return page_error(r, ERR_UNAVAILABLE, NULL);
	req_actor(r, &a, actor, sizeof(actor));
	e = deadline_extend(db, &r->app->rules, &a, s, depts, n, t, reason, msg, sizeof(msg));
	if (e != ERR_OK)
		return deadlines_page(r, err_status(e), e, msg[0] ? msg : NULL);
	return page_redirect(r, "/admin/deadlines?done=extended", NULL, NULL);
}

/* ---- running an import into a report for the page ---- */

struct import_run {
	struct import_stats	 st;
	json_t			*lines;		/* the report, one string a line */
	char			 err[512];	/* the file refused as a whole */
	int			 refused;
};

/* import_csv on path with its report captured; 0 when it ran (refused or not), -1 when
 * the report could not be captured. */
static int
import_run(struct req *r, enum import_source src, const char *path, const char *name,
    struct import_run *ir)
{
	char actor[96], *text = NULL, *p;
	size_t len = 0, n = 0;
	int pass;
	struct actor a;
	struct db *db;
	FILE *rep;

	memset(ir, 0, sizeof(*ir));
	if ((db = db_thread()) == NULL || (rep = open_memstream(&text, &len)) == NULL)
		return -1;
	req_actor(r, &a, actor, sizeof(actor));
	ir->refused = import_csv(db, src, path, name, &a, rep, &ir->st, ir->err, sizeof(ir->err)) != 0;
	fclose(rep);
	ir->lines = json_array();
	/* the temporary file's name means nothing to the reader */
	if (ir->refused && (p = strstr(ir->err, path)) != NULL && p == ir->err &&
	    strncmp(ir->err + strlen(path), ": ", 2) == 0)
		memmove(ir->err, ir->err + strlen(path) + 2, strlen(ir->err + strlen(path) + 2) + 1);
	/* the rejected rows first: they are what the administrator must act on */
	for (pass = 0; pass < 2; pass++)
		for (p = text; p != NULL && *p != '\0' && n < REPORT_LINES; ) {
			size_t l = strcspn(p, "\n");
			const char *rj = strstr(p, ": rejected");
			int rejected = rj != NULL && rj < p + l;

			if (rejected == (pass == 0)) {
				json_array_append_new(ir->lines, json_pack("{s:s%, s:b}", "text", p,
				    l, "rejected", rejected));
				n++;
			}
			p += l;
			if (*p != '\0')
				p++;
		}
	free(text);
	return 0;
}

static json_t *
stats_json(const struct import_run *ir)
{
	return json_pack("{s:I, s:I, s:I, s:I, s:I}", "total", (json_int_t)ir->st.total,
	    "inserted", (json_int_t)ir->st.inserted, "updated", (json_int_t)ir->st.updated,
	    "unchanged", (json_int_t)ir->st.unchanged, "rejected", (json_int_t)ir->st.rejected);
}

/* A temporary file under <data>/tmp; its descriptor, or -1. */
static int
tmp_open(const struct req *r, char *path, size_t pathlen)
{
	char dir[600];
	int fd;

	if (fsx_join(dir, sizeof(dir), r->app->cfg.data_dir, "tmp") != 0 ||
	    fsx_mkdirs(dir, 0700) != 0 ||
	    snprintf(path, pathlen, "%s/import-XXXXXX", dir) >= (int)pathlen)
		return -1;
	if ((fd = mkstemp(path)) < 0)
		log_warn("import: cannot create a temporary file in %s", dir);
	return fd;
}

/* ---- offices ---- */

static const char *const office_fields[] = { "office_code", "office_name",
	"department_code", "department_name", "ddo_code", "district" };
#define NOFFICE_FIELDS	(sizeof(office_fields) / sizeof(office_fields[0]))

static enum MHD_Result
offices_page(struct req *r, unsigned status, enum err e, const char *detail,
    json_t *report)
{
	json_t *list, *ctx;
	struct page *pg;
	struct db *db;
	size_t i;

	if ((db = db_thread()) == NULL || (list = master_list_json(db)) == NULL) {
		json_decref(report);
		return page_error(r, ERR_UNAVAILABLE, NULL);
	}
	if ((pg = page_begin(r)) == NULL) {
		json_decref(list);
		json_decref(report);
		return MHD_NO;
	}
	ctx = page_ctx(pg);
	json_object_set_new(ctx, "departments", list);
	if (report != NULL)
		json_object_set_new(ctx, "report", report);
	if (e != ERR_OK) {
		page_notice_err(pg, e, detail);
		for (i = 0; i < NOFFICE_FIELDS; i++) {
			char k[32];

			snprintf(k, sizeof(k), "f_%s", office_fields[i]);
			keep(ctx, k, page_form_get(r, office_fields[i]));
		}
	} else
		done_notice(r, pg, "offices");
	return page_end(pg, status, "offices", "title.offices");
}

enum MHD_Result
h_page_offices(struct req *r)
{
	return offices_page(r, 200, ERR_OK, NULL, NULL);
}

/* One CSV field, quoted, with its quotes doubled. */
static int
csv_put(FILE *f, const char *v, int last)
{
	if (fputc('"', f) == EOF)
		return -1;
	for (; *v != '\0'; v++)
		if ((*v == '"' && fputc('"', f) == EOF) || fputc(*v, f) == EOF)
			return -1;
	return fputs(last ? "\"\n" : "\",", f) == EOF ? -1 : 0;
}

/* The form becomes a one-row offices CSV, so import_csv validates and audits it. */
enum MHD_Result
h_page_office_put(struct req *r)
{
	static const char header[] = "office_code,office_name,department_code,"
	    "department_name,ddo_code,district\n";
	const char *v[NOFFICE_FIELDS];
	struct import_run ir;
	char path[700], loc[64];
	json_t *rep;
	FILE *f = NULL;
	size_t i;
	int fd, ok = 0;

	for (i = 0; i < NOFFICE_FIELDS; i++)
		if ((v[i] = page_form_get(r, office_fields[i])) == NULL ||
		    strlen(v[i]) > 300 || strpbrk(v[i], "\r\n") != NULL)
			return offices_page(r, 400, ERR_INVALID_FIELD, NULL, NULL);
	if ((fd = tmp_open(r, path, sizeof(path))) < 0)
		return page_error(r, ERR_UNAVAILABLE, NULL);
	if ((f = fdopen(fd, "w")) == NULL) {
		close(fd);
		goto out;
	}
	ok = fputs(header, f) != EOF;
	for (i = 0; ok && i < NOFFICE_FIELDS; i++)
		ok = csv_put(f, v[i], i + 1 == NOFFICE_FIELDS) == 0;
	if (fclose(f) != 0)
		ok = 0;
	if (ok && import_run(r, IMPORT_OFFICES, path, "admin office form", &ir) != 0)
		ok = 0;
out:
	unlink(path);
	if (!ok)
		return page_error(r, ERR_UNAVAILABLE, NULL);
	if (ir.refused) {
		json_decref(ir.lines);
		return offices_page(r, 400, ERR_INVALID_FIELD, ir.err, NULL);
	}
	if (ir.st.rejected > 0 || ir.st.total != 1) {
		rep = ir.lines;
		return offices_page(r, 400, ERR_INVALID_FIELD, NULL, rep);
	}
	json_decref(ir.lines);
	snprintf(loc, sizeof(loc), "/admin/offices?done=%s", ir.st.inserted ? "added" :
	    ir.st.updated ? "updated" : "unchanged");
	return page_redirect(r, loc, NULL, NULL);
}

/* ---- imports ---- */

struct iform {
	struct MHD_PostProcessor *pp;
	struct req		*r;
	char			 path[700];	/* the upload's temporary file, "" until made */
	char			 name[DOC_NAME_MAX + 1];	/* the upload's own name, cleaned */
	FILE			*f;
	char			 csrf[64];
	char			 source[16];
	size_t			 csrf_len, source_len;
	uint64_t		 bytes;
	int			 files;
	int			 bad;		/* an unknown field, a second file, a long field */
	int			 csrf_bad;	/* the file came before a right token */
	int			 too_large;
	int			 io;		/* the temporary file could not be written */
};

static void
iform_free(void *p)
{
	struct iform *v = p;

	if (v == NULL)
		return;
	if (v->pp != NULL)
		MHD_destroy_post_processor(v->pp);
	if (v->f != NULL)
		fclose(v->f);
	if (v->path[0] != '\0')
		unlink(v->path);
	free(v);
}

static int
small_field(char *dst, size_t cap, size_t *len, const char *data, size_t size)
{
	if (*len + size >= cap)
		return -1;
	memcpy(dst + *len, data, size);
	*len += size;
	dst[*len] = '\0';
	return 0;
}

static enum MHD_Result
iform_part(void *cls, enum MHD_ValueKind kind, const char *key, const char *filename,
    const char *content_type, const char *transfer_encoding, const char *data, uint64_t off,
    size_t size)
{
	struct iform *v = cls;
	int fd;

	(void)kind;
	(void)content_type;
	(void)transfer_encoding;
	if (strcmp(key, "csrf") == 0) {
		if (small_field(v->csrf, sizeof(v->csrf), &v->csrf_len, data, size) != 0)
			v->bad = 1;
		return v->bad ? MHD_NO : MHD_YES;
	}
	if (strcmp(key, "source") == 0) {
		if (small_field(v->source, sizeof(v->source), &v->source_len, data, size) != 0)
			v->bad = 1;
		return v->bad ? MHD_NO : MHD_YES;
	}
	if (strcmp(key, "file") != 0 || (off == 0 && ++v->files > 1)) {
		v->bad = 1;
		return MHD_NO;
	}
	if (v->f == NULL) {
		/* the upload's own name, cleaned, is what provenance records */
		document_clean_name(filename, v->name);
		/* nothing is written before the form has proved itself */
		if (v->r->csrf_form && (v->csrf[0] == '\0' || !page_csrf_ok(v->r, v->csrf))) {
			v->csrf_bad = 1;
			return MHD_NO;
		}
		if ((fd = tmp_open(v->r, v->path, sizeof(v->path))) < 0) {
			v->path[0] = '\0';
			v->io = 1;
			return MHD_NO;
		}
		if ((v->f = fdopen(fd, "w")) == NULL) {
			close(fd);
			v->io = 1;
			return MHD_NO;
		}
	}
	v->bytes += size;
	if (v->bytes > PAGE_BODY_IMPORT) {
		v->too_large = 1;
		return MHD_NO;
	}
	if (size > 0 && fwrite(data, 1, size, v->f) != size) {
		v->io = 1;
		return MHD_NO;
	}
	return MHD_YES;
}

enum MHD_Result
h_page_import_start(struct req *r, int *done)
{
	struct iform *v;

	*done = 1;
	if ((v = calloc(1, sizeof(*v))) == NULL)
		return page_error(r, ERR_INTERNAL, NULL);
	v->r = r;
	r->stream = v;
	r->stream_free = iform_free;
	if ((v->pp = MHD_create_post_processor(r->conn, POST_BUFFER, iform_part, v)) == NULL)
		return page_error(r, ERR_UNSUPPORTED_TYPE, NULL);
	*done = 0;
	return MHD_YES;
}

void
h_page_import_chunk(struct req *r, const char *data, size_t len)
{
	struct iform *v = r->stream;

	if (v->bad || v->too_large || v->csrf_bad || v->io)
		return;
	if (MHD_post_process(v->pp, data, len) != MHD_YES && !v->too_large && !v->csrf_bad &&
	    !v->io)
		v->bad = 1;
}

static const char *const import_sources[] = { "offices", "hkrnl", "treasury" };

static enum MHD_Result
imports_page(struct req *r, unsigned status, enum err e, const char *detail,
    const char *source, struct import_run *ir)
{
	json_t *ctx, *opts = json_array();
	struct page *pg;
	char key[48];
	size_t i;

	if ((pg = page_begin(r)) == NULL) {
		json_decref(opts);
		if (ir != NULL)
			json_decref(ir->lines);
		return MHD_NO;
	}
	ctx = page_ctx(pg);
	for (i = 0; i < sizeof(import_sources) / sizeof(import_sources[0]); i++) {
		snprintf(key, sizeof(key), "imports.src_%s", import_sources[i]);
		json_array_append_new(opts, json_pack("{s:s, s:s, s:b}", "value",
		    import_sources[i], "key", key, "selected", source != NULL &&
		    strcmp(source, import_sources[i]) == 0));
	}
	json_object_set_new(ctx, "sources", opts);
	json_object_set_new(ctx, "max_mb", json_integer(PAGE_BODY_IMPORT / (1024 * 1024)));
	if (e != ERR_OK)
		page_notice_err(pg, e, detail);
	if (ir != NULL) {
		json_object_set_new(ctx, "report", json_pack("{s:o, s:o, s:I}", "lines",
		    ir->lines, "stats", stats_json(ir), "import_id",
		    (json_int_t)ir->st.import_id));
		if (e == ERR_OK)
			page_notice(pg, 0, ir->st.rejected ? "imports.done_some" : "imports.done_all",
			    "The file was imported.", NULL);
	}
	return page_end(pg, status, "imports", "title.imports");
}

enum MHD_Result
h_page_imports(struct req *r)
{
	return imports_page(r, 200, ERR_OK, NULL, NULL, NULL);
}

/* The report is the answer itself (no redirect): it lives only in this response, and the
 * import's provenance stays in the database and the audit log. */
enum MHD_Result
h_page_import(struct req *r)
{
	struct iform *v = r->stream;
	enum import_source src;
	struct import_run ir;
	int complete, closed;

	complete = MHD_destroy_post_processor(v->pp) == MHD_YES;
	v->pp = NULL;
	closed = v->f == NULL || fclose(v->f) == 0;
	v->f = NULL;
	if (v->csrf_bad || (r->csrf_form && (v->csrf[0] == '\0' || !page_csrf_ok(r, v->csrf))))
		return page_error(r, ERR_CSRF, NULL);
	if (v->too_large)
		return imports_page(r, 413, ERR_TOO_LARGE, NULL, v->source, NULL);
	if (v->io || !closed)
		return page_error(r, ERR_UNAVAILABLE, NULL);
	if (v->bad || !complete || v->path[0] == '\0' || v->bytes == 0 ||
	    import_source_parse(v->source, &src) != 0)
		return imports_page(r, 400, ERR_INVALID_FIELD, NULL, v->source, NULL);
	if (import_run(r, src, v->path, v->name[0] ? v->name : "upload", &ir) != 0)
		return page_error(r, ERR_UNAVAILABLE, NULL);
	if (ir.refused) {
		json_decref(ir.lines);
		return imports_page(r, 400, ERR_INVALID_FIELD, ir.err, v->source, NULL);
	}
	return imports_page(r, 200, ERR_OK, NULL, v->source, &ir);
}
