#include "cases/export.h"

#include <stdio.h>
#include <string.h>

#include <openssl/cms.h>
#include <openssl/pem.h>

#include "audit/audit.h"
#include "cases/case.h"
#include "db/db.h"
#include "letters/pki.h"
#include "letters/sign.h"
#include "signer/signer.h"
#include "util/buf.h"
#include "util/crypt.h"
#include "util/fsx.h"
#include "util/timeutil.h"

#define EXPORT_MAX	(512u * 1024 * 1024)

static const char SQL_VERIFIED[] =
    "SELECT e.id, e.name, e.father_name, e.dob, e.gender, e.mobile, e.family_id,"
    " e.department_code, e.office_code, e.designation, e.pay_level, e.engagement_mode,"
    " e.head_of_account, e.monthly_remuneration, e.joining_date, c.state, c.verdict,"
    " json_extract(c.outcome, '$.qualifying_years'), json_extract(c.outcome, '$.consolidated'),"
    " c.verified_at, c.verified_by, p.designation, p.pay_level, p.effective_date"
    " FROM cases c JOIN employees e ON e.id = c.employee_id"
    " LEFT JOIN posts p ON p.employee_id = c.employee_id"
    " WHERE c.verified IS NOT NULL ORDER BY e.id";

static const char *const header[] = {
	"employee_id", "name", "father_name", "dob", "gender", "mobile", "family_id",
	"department_code", "office_code", "designation", "pay_level", "engagement_mode",
	"head_of_account", "monthly_remuneration", "joining_date", "state", "verdict",
	"qualifying_years", "consolidated", "verified_at", "verified_by", "post_designation",
	"post_pay_level", "post_effective_date",
};
#define NCOLS (sizeof(header) / sizeof(header[0]))

static int
write_csv(struct db *db, struct buf *b, long *n)
{
	sqlite3_stmt *st = db_prepare(db, SQL_VERIFIED);
	size_t i;
	int rc = 0;

	if (st == NULL)
		return -1;
	for (i = 0; i < NCOLS && rc == 0; i++)
		rc = buf_puts(b, header[i]) || buf_puts(b, i + 1 < NCOLS ? "," : "\r\n");
	while (rc == 0 && sqlite3_step(st) == SQLITE_ROW) {
		for (i = 0; i < NCOLS && rc == 0; i++) {
			char at[21];
			const char *v = db_col_text(st, (int)i);

			if (i == 19 && sqlite3_column_type(st, 19) != SQLITE_NULL) {
				time_iso_utc(sqlite3_column_int64(st, 19), at);
				v = at;
			}
			rc = case_csv_cell(b, v) || buf_puts(b, i + 1 < NCOLS ? "," : "\r\n");
		}
		(*n)++;
	}
	db_done(st);
	return rc;
}

static int
sign_by_signer(void *ctx, const unsigned char digest[32], unsigned char *sig, size_t *siglen)
{
	return signer_sign(ctx, digest, sig, siglen) == SIGNER_OK ? 0 : -1;
}

/* Signs data (detached) with the portal's HKCL export key, which the signer process
 * reaches in the token (keys/hkcl.pem is its certificate). */
static int
sign_manifest(const char *keys_dir, const char *data, size_t len, struct buf *der,
    char *err, size_t errlen)
{
	struct sig_key key = { NULL, NULL, sign_by_signer, (void *)"hkcl" };
	unsigned char digest[32];
	int rc = -1;

	if (pki_load_chain(keys_dir, "hkcl.pem", &key.cert, &key.chain) != PKI_OK) {
		snprintf(err, errlen, "cannot load the HKCL export certificate %s/hkcl.pem "
		    "(run 'suraksha init')", keys_dir);
		return -1;
	}
	crypt_sha256(data, len, digest);
	if (sig_cms_digest(digest, &key, der) != SIG_OK)
		snprintf(err, errlen, "cannot sign the manifest (is the signer process running?)");
	else
		rc = 0;
	X509_free(key.cert);
	sk_X509_pop_free(key.chain, X509_free);
	return rc;
}

/* issue 14: the overdue stuck employees of every department, as the dashboard's CSV. */
static int
write_stuck(struct db *db, const struct actor *a, int64_t overdue_days, struct buf *b,
    long *n)
{
	struct principal all = { .role = ROLE_ADMIN };
	struct case_ctx cx = { db, NULL, &all, a };
	char msg[256];

	*n = 0;
	if (case_stuck(&cx, time_now(), overdue_days, INT64_MAX, 1, NULL, b, msg,
	    sizeof(msg)) != ERR_OK)
		return -1;
	for (size_t i = 0; i < b->len; i++)
		*n += b->data[i] == '\n';
	(*n)--;		/* the header */
	return 0;
}

int
export_hkcl(struct db *db, const char *keys_dir, const char *out_dir, const struct actor *a,
    int64_t stuck_overdue_days, struct export_result *res, char *err, size_t errlen)
{
	struct audit_rec ar = { 0 };
	struct buf csv, man, der, stuck;
	char path[1024], after[512], head_hash[SHA256_HEX], head_line[160], head_sha[SHA256_HEX];
	char stuck_sha[65];
	int64_t head_id;
	int rc = -1, open = 0;

	memset(res, 0, sizeof(*res));
	buf_init(&csv, EXPORT_MAX);
	buf_init(&man, 4096);
	buf_init(&der, 64 * 1024);
	buf_init(&stuck, EXPORT_MAX);
	if (fsx_mkdirs(out_dir, 0750) != 0) {
		snprintf(err, errlen, "cannot create %s", out_dir);
		goto out;
	}
	/* One transaction: the read is consistent and the audit record is in it. */
	if (db_begin(db) != 0) {
		snprintf(err, errlen, "the database is busy");
		goto out;
	}
	open = 1;
	if (write_csv(db, &csv, &res->cases) != 0) {
		snprintf(err, errlen, "cannot read the verified cases (or too many)");
		goto out;
	}
	crypt_sha256_hex(csv.data ? csv.data : "", csv.len, res->csv_sha256);
	if (write_stuck(db, a, stuck_overdue_days, &stuck, &res->stuck_overdue) != 0) {
		snprintf(err, errlen, "cannot read the employees who cannot log in");
		goto out;
	}
	crypt_sha256_hex(stuck.data, stuck.len, stuck_sha);
	/* The audit chain head goes out with the export, under the same signature: a copy of
	 * the checkpoint that HKCL holds (issue 11). */
	if (audit_head(db, &head_id, head_hash) != 0) {
		snprintf(err, errlen, "cannot read the audit chain head");
		goto out;
	}
	snprintf(head_line, sizeof(head_line), "audit_head %lld %s\n", (long long)head_id,
	    head_hash);
	crypt_sha256_hex(head_line, strlen(head_line), head_sha);
	if (fsx_join(path, sizeof(path), out_dir, EXPORT_AUDIT_HEAD) != 0 ||
	    fsx_write_atomic(path, head_line, strlen(head_line), 0640) != 0) {
		snprintf(err, errlen, "cannot write the export files in %s", out_dir);
		goto out;
	}
	if (buf_printf(&man, "%s  %s\n", head_sha, EXPORT_AUDIT_HEAD) != 0 ||
	    buf_printf(&man, "%s  %s\n", stuck_sha, EXPORT_STUCK_CSV) != 0 ||
	    buf_printf(&man, "%s  %s\n", res->csv_sha256, EXPORT_CSV) != 0 ||
	    sign_manifest(keys_dir, man.data, man.len, &der, err, errlen) != 0)
		goto out;
	if (fsx_join(path, sizeof(path), out_dir, EXPORT_CSV) != 0 ||
	    fsx_write_atomic(path, csv.data ? csv.data : "", csv.len, 0640) != 0 ||
	    fsx_join(path, sizeof(path), out_dir, EXPORT_STUCK_CSV) != 0 ||
	    fsx_write_atomic(path, stuck.data, stuck.len, 0640) != 0 ||
	    fsx_join(path, sizeof(path), out_dir, EXPORT_MANIFEST) != 0 ||
	    fsx_write_atomic(path, man.data, man.len, 0640) != 0 ||
	    fsx_join(path, sizeof(path), out_dir, EXPORT_SIG) != 0 ||
	    fsx_write_atomic(path, der.data, der.len, 0640) != 0) {
		snprintf(err, errlen, "cannot write the export files in %s", out_dir);
		goto out;
	}
	snprintf(after, sizeof(after), "{\"cases\":%ld,\"sha256\":\"%s\","
	    "\"stuck_overdue\":%ld}", res->cases, res->csv_sha256, res->stuck_overdue);
	ar.actor = a->name;
	ar.role = a->role;
	ar.action = "export.hkcl";
	ar.object = "export:hkcl";
	ar.ip = a->ip;
	ar.after = after;
	if (audit_append(db, &ar) != 0 || db_commit(db) != 0) {
		snprintf(err, errlen, "cannot record the export in the audit log");
		goto out;
	}
	open = 0;
	rc = 0;
out:
	if (open)
		db_rollback(db);
	buf_free(&csv);
	buf_free(&man);
	buf_free(&der);
	buf_free(&stuck);
	return rc;
}
