#include "letters/store.h"

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "audit/audit.h"
#include "db/db.h"
#include "notify/notify.h"
#include "signer/signer.h"
#include "letters/pki.h"
#include "letters/sign.h"
#include "letters/verify.h"
#include "util/buf.h"
#include "util/crypt.h"
#include "util/fsx.h"
#include "util/log.h"
#include "util/timeutil.h"

#define LETTER_MAX_BYTES	(1024 * 1024)
#define SIGNER_CACHE		8

static const char SQL_SEQ_NEXT[] =
    "INSERT INTO letter_seq (department_code, year, last) VALUES (?1, ?2, 1)"
    " ON CONFLICT (department_code, year) DO UPDATE SET last = last + 1 RETURNING last";
static const char SQL_INSERT[] =
    "INSERT INTO letters (ref, employee_id, department_code, sha256, size, issued_at,"
    " issued_by, signed_sha256, cert_sha256) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
static const char SQL_GET[] =
    "SELECT ref, employee_id, department_code, sha256, size, issued_at, issued_by,"
    " coalesce(revoked_at, 0), coalesce(revoked_by, ''), coalesce(revoke_reason, ''),"
    " coalesce(signed_sha256, ''), coalesce(cert_sha256, '')"
    " FROM letters WHERE ref = ?1";
/* issue 10: the sweeper asks whether a letter file has its row. */
static const char SQL_SHA_KNOWN[] = "SELECT 1 FROM letters WHERE sha256 = ?1 LIMIT 1";
static const char SQL_REVOKE[] =
    "UPDATE letters SET revoked_at = ?2, revoked_by = ?3, revoke_reason = ?4"
    " WHERE ref = ?1 AND revoked_at IS NULL";

/* Certificates of the keys in the signer's token (keys/<label>.pem: public files; the
 * private keys never leave the signer process), loaded once per thread (about half a
 * millisecond each) and reloaded when the file changes (a re-issued key); freed when the
 * thread ends. */
struct cached_signer {
	char		 label[72];
	struct timespec	 mtime;
	X509		*cert;
	STACK_OF(X509)	*chain;
};
struct signer_cache {
	struct cached_signer	 c[SIGNER_CACHE];
	unsigned		 next;
};
static pthread_key_t cache_key;
static pthread_once_t cache_once = PTHREAD_ONCE_INIT;

static void
cached_clear(struct cached_signer *c)
{
	X509_free(c->cert);
	sk_X509_pop_free(c->chain, X509_free);
	memset(c, 0, sizeof(*c));
}

static void
cache_free(void *p)
{
	struct signer_cache *sc = p;
	size_t i;

	if (sc == NULL)
		return;
	for (i = 0; i < SIGNER_CACHE; i++)
		cached_clear(&sc->c[i]);
	free(sc);
}

static void
cache_key_make(void)
{
	pthread_key_create(&cache_key, cache_free);
}

static struct signer_cache *
cache_get(void)
{
	struct signer_cache *sc;

	pthread_once(&cache_once, cache_key_make);
	if ((sc = pthread_getspecific(cache_key)) == NULL &&
	    (sc = calloc(1, sizeof(*sc))) != NULL)
		pthread_setspecific(cache_key, sc);
	return sc;
}

void
letter_store_thread_release(void)
{
	pthread_once(&cache_once, cache_key_make);
	cache_free(pthread_getspecific(cache_key));
	pthread_setspecific(cache_key, NULL);
}

static int
sign_by_signer(void *ctx, const unsigned char digest[32], unsigned char *sig, size_t *siglen)
{
	return signer_sign(ctx, digest, sig, siglen) == SIGNER_OK ? 0 : -1;
}

/* The certificate of the token key labelled label; NULL when it has none. */
static struct cached_signer *
cert_for(const char *data_dir, const char *label)
{
	struct signer_cache *sc = cache_get();
	char keys[1024], file[96], path[1200];
	struct cached_signer *c;
	struct stat st;
	size_t i;

	if (sc == NULL || fsx_join(keys, sizeof(keys), data_dir, "keys") != 0)
		return NULL;
	snprintf(file, sizeof(file), "%s.pem", label);
	snprintf(path, sizeof(path), "%s/%s", keys, file);
	if (stat(path, &st) != 0)
		return NULL;
	for (i = 0; i < SIGNER_CACHE; i++) {
		c = &sc->c[i];
		if (strcmp(c->label, label) == 0 && c->mtime.tv_sec == st.st_mtim.tv_sec &&
		    c->mtime.tv_nsec == st.st_mtim.tv_nsec)
			return c;
	}
	c = &sc->c[sc->next++ % SIGNER_CACHE];
	cached_clear(c);
	if (pki_load_chain(keys, file, &c->cert, &c->chain) != PKI_OK || c->cert == NULL) {
		cached_clear(c);
		return NULL;
	}
	snprintf(c->label, sizeof(c->label), "%s", label);
	c->mtime = st.st_mtim;
	return c;
}

/* Who signs a HoD's letters when the portal signs: the HoD's own key in the token (the
 * demo HoDs, HoDs given one by 'suraksha letter hod'), else the portal seal. */
static int
key_for(const struct letter_env *env, const char *hod_username, struct sig_key *key)
{
	struct cached_signer *c;
	char label[72];

	snprintf(label, sizeof(label), "hod-%s", hod_username);
	if ((c = cert_for(env->data_dir, label)) == NULL &&
	    (c = cert_for(env->data_dir, "seal")) == NULL)
		return -1;
	memset(key, 0, sizeof(*key));
	key->cert = c->cert;
	key->chain = c->chain;
	key->fn = sign_by_signer;
	key->ctx = c->label;
	if (env->tsa_url != NULL && env->tsa_url[0] != '\0') {
		key->tsa_url = env->tsa_url;
		key->tsa_ca = env->ca;
		key->tsa_timeout_ms = env->tsa_timeout_ms;
	}
	return 0;
}

int
letter_store_path(const char *data_dir, const char *sha, char *out, size_t outlen)
{
	int n = snprintf(out, outlen, "%s/letters/%s.pdf", data_dir, sha);

	return n < 0 || (size_t)n >= outlen || strlen(sha) != 64 ? -1 : 0;
}

static int
ist_year(int64_t t)
{
	time_t tt = (time_t)(t + IST_OFFSET);
	struct tm tm;

	gmtime_r(&tt, &tm);
	return tm.tm_year + 1900;
}

enum err
letter_store_issue(struct db *db, const struct letter_env *env, const struct actor *who,
    const char *hod_username, const char *department_code, struct letter_facts *f,
    char ref_out[LETTER_REF_MAX], char *msg, size_t msglen)
{
	struct sig_key key;
	char sha[SHA256_HEX], path[1200], object[96], *after = NULL;
	struct audit_rec a = { who->name, who->role, "letter.issue", f->employee_id, NULL,
	    who->ip, NULL, NULL };
	sqlite3_stmt *st;
	struct verify_report vr;
	struct buf pdf;
	int64_t seq = 0, now = time_now();
	enum err e = ERR_INTERNAL;
	int rc, year = ist_year(now);
	json_t *o;

	msg[0] = '\0';
	if (key_for(env, hod_username, &key) != 0) {
		snprintf(msg, msglen, "No signing key for HoD '%s' and no portal seal: issue one "
		    "with 'suraksha letter hod' or run 'suraksha init'.", hod_username);
		return ERR_WRONG_STATE;
	}
	if ((st = db_prepare(db, SQL_SEQ_NEXT)) == NULL)
		return ERR_INTERNAL;
	db_bind_text(st, 1, department_code);
	sqlite3_bind_int(st, 2, year);
	if (sqlite3_step(st) == SQLITE_ROW)
		seq = sqlite3_column_int64(st, 0);
	db_done(st);
	if (seq <= 0)
		return ERR_INTERNAL;
	snprintf(ref_out, LETTER_REF_MAX, "HR/SOS/%s/%d/%06lld", department_code, year,
	    (long long)seq);
	f->ref = ref_out;
	f->issued_at = now;
	f->verify_base_url = env->base_url;
	buf_init(&pdf, LETTER_MAX_BYTES);
	if ((rc = letter_issue_key(&env->cfg, f, &key, &pdf)) != LETTER_OK) {
		snprintf(msg, msglen, "The letter could not be made: %s.", letter_strerror(rc));
		log_error("letter %s: %s", ref_out, letter_strerror(rc));
		e = rc == LETTER_ERR_FACTS ? ERR_UNPROCESSABLE : ERR_INTERNAL;
		goto out;
	}
	/* What the portal issues, its own verifier must accept: a signer certificate that has
	 * expired or is not yet valid, or a broken signature, stops the issue here. The
	 * signed ranges' and the signer certificate's digests are what later verifications
	 * match the letter on. */
	vr.signed_sha256[0] = vr.cert_sha256[0] = '\0';
	if (env->ca != NULL) {
		struct verify_ctx vc = { env->ca, NULL, NULL, NULL };

		if (verify_pdf((const unsigned char *)pdf.data, pdf.len, &vc, &vr) != 0 ||
		    !vr.valid) {
			snprintf(msg, msglen, "The signed letter did not verify (%s): check the HoD's "
			    "signing certificate; nothing was issued.",
			    vr.nreasons ? verify_reason_code(vr.reasons[0]) : "internal");
			log_error("letter %s: self-check failed: %s", ref_out,
			    vr.nreasons ? verify_reason_code(vr.reasons[0]) : "internal");
			e = ERR_WRONG_STATE;
			goto out;
		}
	}
	crypt_sha256_hex(pdf.data, pdf.len, sha);
	if (letter_store_path(env->data_dir, sha, path, sizeof(path)) != 0 ||
	    fsx_write_atomic(path, pdf.data, pdf.len, 0440) != 0 ||
	    letter_journal_write(env->data_dir, ref_out, f->employee_id, department_code, sha,
	    (int64_t)pdf.len, now, hod_username) != 0) {
		log_error("letter %s: cannot store %s", ref_out, path);
		goto out;
	}
	if ((st = db_prepare(db, SQL_INSERT)) == NULL)
		goto out;
	db_bind_text(st, 1, ref_out);
	db_bind_text(st, 2, f->employee_id);
	db_bind_text(st, 3, department_code);
	db_bind_text(st, 4, sha);
	sqlite3_bind_int64(st, 5, (int64_t)pdf.len);
	sqlite3_bind_int64(st, 6, now);
	db_bind_text(st, 7, hod_username);
	if (vr.signed_sha256[0] != '\0' && vr.cert_sha256[0] != '\0') {
		db_bind_text(st, 8, vr.signed_sha256);
		db_bind_text(st, 9, vr.cert_sha256);
	}
	rc = sqlite3_step(st);
	db_done(st);
	if (rc != SQLITE_DONE)
		goto out;
	o = json_pack("{s:s, s:s, s:I, s:s}", "ref", ref_out, "sha256", sha, "size",
	    (json_int_t)pdf.len, "signer", hod_username);
	after = o ? json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(o);
	snprintf(object, sizeof(object), "letter:%s", ref_out);
	a.object = object;
	a.after = after;
	if (after == NULL || audit_append(db, &a) != 0)
		goto out;
	e = ERR_OK;
out:
	free(after);
	buf_free(&pdf);
	return e;
}

int
letter_store_get(struct db *db, const char *ref, struct issued_letter *l)
{
	sqlite3_stmt *st = db_prepare(db, SQL_GET);
	int rc = -1;

	if (st == NULL)
		return -1;
	db_bind_text(st, 1, ref);
	if (sqlite3_step(st) == SQLITE_ROW) {
		snprintf(l->ref, sizeof(l->ref), "%s", db_col_text(st, 0));
		snprintf(l->employee_id, sizeof(l->employee_id), "%s", db_col_text(st, 1));
		snprintf(l->department_code, sizeof(l->department_code), "%s", db_col_text(st, 2));
		snprintf(l->sha256, sizeof(l->sha256), "%s", db_col_text(st, 3));
		l->size = sqlite3_column_int64(st, 4);
		l->issued_at = sqlite3_column_int64(st, 5);
		snprintf(l->issued_by, sizeof(l->issued_by), "%s", db_col_text(st, 6));
		l->revoked_at = sqlite3_column_int64(st, 7);
		snprintf(l->revoked_by, sizeof(l->revoked_by), "%s", db_col_text(st, 8));
		snprintf(l->revoke_reason, sizeof(l->revoke_reason), "%s", db_col_text(st, 9));
		snprintf(l->signed_sha256, sizeof(l->signed_sha256), "%s", db_col_text(st, 10));
		snprintf(l->cert_sha256, sizeof(l->cert_sha256), "%s", db_col_text(st, 11));
		rc = 0;
	}
	db_done(st);
	return rc;
}

enum err
letter_store_revoke(struct db *db, const struct actor *who, const char *ref,
    const char *reason)
{
	struct audit_rec a = { who->name, who->role, "letter.revoke", NULL, NULL, who->ip, NULL,
	    NULL };
	struct issued_letter l;
	char object[96], *after;
	sqlite3_stmt *st;
	json_t *o;
	int ok;

	if (db_begin(db) != 0)
		return ERR_UNAVAILABLE;
	if (letter_store_get(db, ref, &l) != 0) {
		db_rollback(db);
		return ERR_NOT_FOUND;
	}
	if (l.revoked_at != 0) {
		db_rollback(db);
		return ERR_WRONG_STATE;
	}
	if ((st = db_prepare(db, SQL_REVOKE)) == NULL)
		goto fail;
	db_bind_text(st, 1, ref);
	sqlite3_bind_int64(st, 2, time_now());
	db_bind_text(st, 3, who->name);
	db_bind_text(st, 4, reason);
	ok = sqlite3_step(st) == SQLITE_DONE && sqlite3_changes(db_handle(db)) == 1;
	db_done(st);
	if (!ok)
		goto fail;
	o = json_pack("{s:s, s:s}", "ref", ref, "reason", reason);
	after = o ? json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(o);
	snprintf(object, sizeof(object), "letter:%s", ref);
	a.case_id = l.employee_id;
	a.object = object;
	a.after = after;
	ok = after != NULL && audit_append(db, &a) == 0 &&
	    notify_letter_revoked(db, l.employee_id, ref) == 0;
	free(after);
	if (!ok || db_commit(db) != 0)
		goto fail;
	return ERR_OK;
fail:
	db_rollback(db);
	return ERR_INTERNAL;
}

int
letter_store_lookup(const char *ref, struct verify_issued *out, void *arg)
{
	struct letter_lookup *lk = arg;
	struct issued_letter l;

	if (letter_store_get(lk->db, ref, &l) != 0)
		return 0;
	out->issued_at = l.issued_at;
	out->revoked_at = l.revoked_at;
	snprintf(out->file_sha256, sizeof(out->file_sha256), "%s", l.sha256);
	snprintf(out->signed_sha256, sizeof(out->signed_sha256), "%s", l.signed_sha256);
	snprintf(out->cert_sha256, sizeof(out->cert_sha256), "%s", l.cert_sha256);
	return 1;
}

/* issue 10: letter files an interrupted issue left (kill -9 between the write and the
 * commit): "<sha>.pdf.tmp.<pid>" of fsx_write_atomic, and "<sha>.pdf" no row names. */
int
letter_store_sweep(struct db *db, const char *data_dir, long min_age, unsigned *removed)
{
	char dir[1024], p[1200], sha[SHA256_HEX];
	time_t cutoff = time(NULL) - min_age;	/* file times are real times */
	sqlite3_stmt *st;
	struct dirent *de;
	struct stat sb;
	size_t n;
	DIR *d;
	int known;

	*removed = 0;
	if (fsx_join(dir, sizeof(dir), data_dir, "letters") != 0)
		return -1;
	if ((d = opendir(dir)) == NULL)
		return errno == ENOENT ? 0 : -1;
	while ((de = readdir(d)) != NULL) {
		n = strlen(de->d_name);
		if (n < 68 || strspn(de->d_name, "0123456789abcdef") != 64 ||
		    strncmp(de->d_name + 64, ".pdf", 4) != 0 ||
		    (n > 68 && strncmp(de->d_name + 68, ".tmp.", 5) != 0) ||
		    snprintf(p, sizeof(p), "%s/%s", dir, de->d_name) >= (int)sizeof(p) ||
		    lstat(p, &sb) != 0 || !S_ISREG(sb.st_mode) || sb.st_mtime >= cutoff)
			continue;
		if (n == 68) {
			memcpy(sha, de->d_name, 64);
			sha[64] = '\0';
			if ((st = db_prepare(db, SQL_SHA_KNOWN)) == NULL)
				continue;
			db_bind_text(st, 1, sha);
			known = sqlite3_step(st);
			db_done(st);
			if (known != SQLITE_DONE)	/* a row, or cannot tell: keep */
				continue;
		}
		if (unlink(p) == 0)
			(*removed)++;
	}
	closedir(d);
	if (*removed)
		log_info("letter sweep: %u files of letters never issued removed", *removed);
	return 0;
}
