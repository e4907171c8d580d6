/* Signed letters: download, revocation, and verification for anyone. */
#include "http/handlers.h"

#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit/audit.h"
#include "db/db.h"
#include "import/master.h"
#include "letters/pki.h"
#include "letters/store.h"
#include "letters/verify.h"
#include "util/buf.h"
#include "util/fsx.h"
#include "util/log.h"
#include "util/strict.h"

/* The letter, if the caller may see its case; 0 otherwise (answered 404). */
static int
visible_letter(struct req *r, struct db *db, const char *ref, struct issued_letter *l)
{
	struct employee e;

	if (letter_store_get(db, ref, l) != 0 || employee_get(db, l->employee_id, &e) != 0)
		return 0;
	return scope_sees_employee(&r->who, e.id, e.office_code, e.department_code);
}

enum MHD_Result
h_letter_get(struct req *r)
{
	struct issued_letter l;
	struct db *db = db_thread();
	char path[1200], disp[160], name[96];
	struct stat st;
	size_t i;
	int fd;

	if (db == NULL)
		return reply_error(r, ERR_UNAVAILABLE, NULL);
	if (!visible_letter(r, db, r->args[0], &l))
		return reply_error(r, ERR_NOT_FOUND, NULL);
	if (letter_store_path(r->app->cfg.data_dir, l.sha256, path, sizeof(path)) != 0 ||
	    (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		log_error("letter %s: file %s missing", l.ref, l.sha256);
		return reply_error(r, ERR_INTERNAL, NULL);
	}
	if (fstat(fd, &st) != 0 || st.st_size != l.size) {
		close(fd);
		log_error("letter %s: file %s damaged", l.ref, l.sha256);
		return reply_error(r, ERR_INTERNAL, NULL);
	}
	snprintf(name, sizeof(name), "%s.pdf", l.ref);
	for (i = 0; name[i]; i++)
		if (name[i] == '/')
			name[i] = '-';
	snprintf(disp, sizeof(disp), "attachment; filename=\"offer-letter-%s\"", name);
	return reply_fd(r, 200, "application/pdf", fd, (uint64_t)l.size, disp);
}

enum MHD_Result
h_letter_revoke(struct req *r)
{
	struct issued_letter l;
	struct actor who;
	char actor[96];
	const char *reason;
	enum MHD_Result res;
	struct db *db;
	json_t *o;
	enum err e;
	int bad = 0;

	if ((o = req_json(r, &res)) == NULL)
		return res;
	reason = json_str(o, "reason", 500, &bad);
	if (bad || reason == NULL || strict_text(reason, 500) != 0) {
		json_decref(o);
		return reply_error(r, ERR_INVALID_FIELD, "Give the reason for revoking the letter.");
	}
	if ((db = db_thread()) == NULL) {
		json_decref(o);
		return reply_error(r, ERR_UNAVAILABLE, NULL);
	}
	if (!visible_letter(r, db, r->args[0], &l)) {
		json_decref(o);
		return reply_error(r, ERR_NOT_FOUND, NULL);
	}
	req_actor(r, &who, actor, sizeof(actor));
	e = letter_store_revoke(db, &who, l.ref, reason);
	json_decref(o);
	if (e == ERR_WRONG_STATE)
		return reply_error(r, e, "The letter was revoked already.");
	if (e != ERR_OK)
		return reply_error(r, e, NULL);
	return reply_json(r, 200, json_pack("{s:s, s:b}", "letter_ref", l.ref, "revoked", 1));
}

enum err
h_verify_bytes(struct req *r, const void *data, size_t len, struct verify_report *rep)
{
	static atomic_uint inflight;
	struct letter_lookup lk;
	struct verify_ctx vc = { r->app->ca, NULL, letter_store_lookup, &lk, r->app->seal };
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned threads = r->app->cfg.threads > 0 ? (unsigned)r->app->cfg.threads :
	    cores > 0 ? (unsigned)cores : 1;
	int rc;

	if ((lk.db = db_thread()) == NULL)
		return ERR_UNAVAILABLE;
	/* A verification waits for its parser worker (up to parser_cpu_seconds on a hostile
	 * file): it may hold every server thread but one, so that others are still answered
	 * while bombs are parsed; past that the public verifier is busy (503). */
	if (atomic_fetch_add(&inflight, 1) >= (threads > 1 ? threads - 1 : 1)) {
		atomic_fetch_sub(&inflight, 1);
		return ERR_UNAVAILABLE;
	}
	vc.crl = pki_crl_get(r->app->cfg.data_dir);
	rc = verify_pdf(data, len, &vc, rep);
	X509_CRL_free(vc.crl);
	atomic_fetch_sub(&inflight, 1);
	if (rc != 0 && rep->nreasons == 0)
		return ERR_INTERNAL;
	return ERR_OK;
}

/* The portal CA's CRL (DER), as `suraksha ca revoke-cert` last wrote it: the CRL
 * distribution point of the certificates the CA issues. */
enum MHD_Result
h_crl(struct req *r)
{
	char path[1100];
	struct buf b;
	enum MHD_Result res;

	buf_init(&b, 4 * 1024 * 1024);
	if (fsx_join(path, sizeof(path), r->app->cfg.data_dir, "keys/crl.der") != 0 ||
	    fsx_read(path, &b) != 0) {
		buf_free(&b);
		return reply_error(r, ERR_NOT_FOUND, "The portal CA has published no CRL yet: "
		    "run 'suraksha ca crl'.");
	}
	res = reply_bytes(r, 200, "application/pkix-crl", b.data, b.len,
	    "attachment; filename=\"suraksha-ca.crl\"");
	buf_free(&b);
	return res;
}

/* Anyone may check a letter: the body is the PDF itself. */
enum MHD_Result
h_verify(struct req *r)
{
	struct verify_report rep;
	json_t *o;
	enum err e;

	if (r->body.len == 0)
		return reply_error(r, ERR_INVALID_FIELD, "Send the PDF letter as the request body.");
	if ((e = h_verify_bytes(r, r->body.data, r->body.len, &rep)) != ERR_OK)
		return reply_error(r, e, NULL);
	if ((o = verify_report_json(&rep)) == NULL)
		return reply_error(r, ERR_INTERNAL, NULL);
	return reply_json(r, 200, o);
}
