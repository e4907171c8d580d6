#include "intake/documents.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "db/db.h"
#include "util/strict.h"
#include "util/timeutil.h"

static const char SQL_USAGE[] =
    "SELECT count(*), coalesce(sum(size), 0) FROM documents WHERE employee_id = ?1";
static const char SQL_INSERT[] =
    "INSERT INTO documents (employee_id, kind, name, bundle, mime, size, sha256,"
    " uploaded_at, uploaded_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
static const char SQL_GET[] =
    "SELECT id, employee_id, kind, name, bundle, mime, size, sha256, uploaded_at,"
    " uploaded_by FROM documents WHERE id = ?1";
static const char SQL_LIST[] =
    "SELECT id, employee_id, kind, name, bundle, mime, size, sha256, uploaded_at,"
    " uploaded_by FROM documents WHERE employee_id = ?1 ORDER BY id";
static const char SQL_DELETE[] = "DELETE FROM documents WHERE id = ?1";
static const char SQL_REFERENCED[] = "SELECT 1 FROM documents WHERE sha256 = ?1 LIMIT 1";

static const char *const kinds[] = {
	"engagement_order", "hkrnl_deployment_letter", "salary_proof", "service_certificate",
	"dob_proof", "aadhaar", "family_id", "marital_declaration", "hssc_appointment_order",
	"hssc_termination_order", "discrepancy_certificate", "other",
};

int
document_kind_valid(const char *kind)
{
	size_t i;

	for (i = 0; kind != NULL && i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcmp(kind, kinds[i]) == 0)
			return 1;
	return 0;
}

void
document_clean_name(const char *in, char out[DOC_NAME_MAX + 1])
{
	const char *base = in ? in : "";
	const unsigned char *p;
	size_t o = 0;

	for (p = (const unsigned char *)base; *p; p++)
		if (*p == '/' || *p == '\\')
			base = (const char *)p + 1;
	for (p = (const unsigned char *)base; *p && o < DOC_NAME_MAX;) {
		size_t n = *p < 0x80 ? 1 : (*p & 0xe0) == 0xc0 ? 2 : (*p & 0xf0) == 0xe0 ? 3 :
		    (*p & 0xf8) == 0xf0 ? 4 : 0;
		char one[5];

		if (n == 0 || *p < 0x20 || *p == 0x7f) {	/* a bad lead byte or control */
			p++;
			continue;
		}
		if (strnlen((const char *)p, n) < n)
			break;
		memcpy(one, p, n);
		one[n] = '\0';
		/* strict_text judges one character: well-formed, not a control character. */
		if (strict_text(one, 4) == 0 && o + n <= DOC_NAME_MAX) {
			memcpy(out + o, one, n);
			o += n;
		} else if (o + n > DOC_NAME_MAX)
			break;
		p += n;
	}
	while (o > 0 && (out[o - 1] == ' ' || out[o - 1] == '.'))
		o--;
	out[o] = '\0';
	if (o == 0)
		snprintf(out, DOC_NAME_MAX + 1, "document");
}

int
document_usage(struct db *db, const char *employee_id, int64_t *count, int64_t *bytes)
{
	sqlite3_stmt *st = db_prepare(db, SQL_USAGE);
	int rc = -1;

	if (st == NULL)
		return -1;
	db_bind_text(st, 1, employee_id);
	if (sqlite3_step(st) == SQLITE_ROW) {
		*count = sqlite3_column_int64(st, 0);
		*bytes = sqlite3_column_int64(st, 1);
		rc = 0;
	}
	db_done(st);
	return rc;
}

static char *
doc_json(const struct document *d)
{
	json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:s, s:I, s:s}", "id", (json_int_t)d->id,
	    "kind", d->kind, "name", d->name, "bundle", d->bundle, "mime", d->mime, "size",
	    (json_int_t)d->size, "sha256", d->sha256);
	char *s = o ? json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS) : NULL;

	json_decref(o);
	return s;
}

static int
audit_doc(struct db *db, const struct actor *who, const char *action,
    const struct document *d, int deleted)
{
	struct audit_rec r = { who->name, who->role, action, d->employee_id, NULL, who->ip,
	    NULL, NULL };
	char object[48], *j = doc_json(d);
	int rc;

	snprintf(object, sizeof(object), "document:%lld", (long long)d->id);
	r.object = object;
	if (deleted)
		r.before = j;
	else
		r.after = j;
	rc = j ? audit_append(db, &r) : -1;
	free(j);
	return rc;
}

int
document_insert(struct db *db, const struct actor *who, struct document *docs, size_t n)
{
	sqlite3_stmt *st;
	size_t i;

	for (i = 0; i < n; i++) {
		struct document *d = &docs[i];
		int ok;

		if ((st = db_prepare(db, SQL_INSERT)) == NULL)
			return -1;
		d->uploaded_at = time_now();
		snprintf(d->uploaded_by, sizeof(d->uploaded_by), "%s", who->name);
		db_bind_text(st, 1, d->employee_id);
		db_bind_text(st, 2, d->kind);
		db_bind_text(st, 3, d->name);
		db_bind_text(st, 4, d->bundle[0] ? d->bundle : NULL);
		db_bind_text(st, 5, d->mime);
		sqlite3_bind_int64(st, 6, d->size);
		db_bind_text(st, 7, d->sha256);
		sqlite3_bind_int64(st, 8, d->uploaded_at);
		db_bind_text(st, 9, d->uploaded_by);
		ok = sqlite3_step(st) == SQLITE_DONE;
		db_done(st);
		if (!ok)
			return -1;
		d->id = sqlite3_last_insert_rowid(db_handle(db));
		if (audit_doc(db, who, "document.upload", d, 0) != 0)
			return -1;
	}
	return 0;
}

static void
row(sqlite3_stmt *st, struct document *d)
{
	d->id = sqlite3_column_int64(st, 0);
	snprintf(d->employee_id, sizeof(d->employee_id), "%s", db_col_text(st, 1));
	snprintf(d->kind, sizeof(d->kind), "%s", db_col_text(st, 2));
	snprintf(d->name, sizeof(d->name), "%s", db_col_text(st, 3));
	snprintf(d->bundle, sizeof(d->bundle), "%s", db_col_text(st, 4));
	snprintf(d->mime, sizeof(d->mime), "%s", db_col_text(st, 5));
	d->size = sqlite3_column_int64(st, 6);
	snprintf(d->sha256, sizeof(d->sha256), "%s", db_col_text(st, 7));
	d->uploaded_at = sqlite3_column_int64(st, 8);
	snprintf(d->uploaded_by, sizeof(d->uploaded_by), "%s", db_col_text(st, 9));
}

int
document_get(struct db *db, int64_t id, struct document *d)
{
	sqlite3_stmt *st = db_prepare(db, SQL_GET);
	int rc = -1;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) == SQLITE_ROW) {
		row(st, d);
		rc = 0;
	}
	db_done(st);
	return rc;
}

int
document_list(struct db *db, const char *employee_id,
    void (*fn)(const struct document *, void *), void *arg)
{
	sqlite3_stmt *st = db_prepare(db, SQL_LIST);
	struct document d;
	int rc;

	if (st == NULL)
		return -1;
	db_bind_text(st, 1, employee_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		row(st, &d);
		fn(&d, arg);
	}
	db_done(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

int
document_delete(struct db *db, const struct actor *who, const struct document *d)
{
	sqlite3_stmt *st = db_prepare(db, SQL_DELETE);
	int ok;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, d->id);
	ok = sqlite3_step(st) == SQLITE_DONE && sqlite3_changes(db_handle(db)) == 1;
	db_done(st);
	if (!ok)
		return -1;
	return audit_doc(db, who, "document.delete", d, 1);
}

int
document_blob_referenced(const char *sha, void *arg)
{
	struct db *db = arg;
	sqlite3_stmt *st = db_prepare(db, SQL_REFERENCED);
	int rc;

	if (st == NULL)
		return -1;
	db_bind_text(st, 1, sha);
	rc = sqlite3_step(st);
	db_done(st);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}
