/* suraksha ca: what the portal CA key is used for after set-up, all outside the server
 * (SIGNING.md, "Keys and who signs": the CA key stays offline, used by CLI commands).
 *   revoke-cert  put a HoD certificate on the CRL (audited), re-sign keys/crl.der
 *   crl          re-sign keys/crl.der from the revocations recorded (before it lapses)
 *   export-signer (re)issue the key in the token ("hkcl") and the certificate the server
 *                 signs HKCL export manifests with (issue 13: no key file) */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/x509v3.h>

#include "audit/audit.h"
#include "cli.h"
#include "commands.h"
#include "config.h"
#include "db/db.h"
#include "letters/pki.h"
#include "signer/keys.h"
#include "util/crypt.h"
#include "util/fsx.h"
#include "util/strict.h"
#include "util/timeutil.h"

#define MAX_REVOKED	100000

static const char SQL_REVOKE_CERT[] =
    "INSERT INTO revoked_certs (serial, subject, cert_sha256, revoked_at, revoked_by, reason)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (serial) DO NOTHING";
static const char SQL_REVOKED_ALL[] =
    "SELECT serial, revoked_at FROM revoked_certs ORDER BY serial";

static const char ca_usage[] =
    "usage: suraksha ca SUBCOMMAND [--data DIR]\n"
    "  revoke-cert (--hod USER | --cert FILE.pem) --reason TEXT\n"
    "                  revoke a HoD certificate the portal CA issued: it goes on the CRL\n"
    "                  (<data>/keys/crl.der, served as GET /crl); letters it signs after\n"
    "                  the revocation time are invalid. Audited.\n"
    "  crl             re-sign the CRL from the revocations recorded (valid 30 days: run\n"
    "                  it from cron well within that)\n"
    "  export-signer   issue a new key in the token (label hkcl) and its certificate\n"
    "                  (<data>/keys/hkcl.pem) the server signs HKCL export manifests with\n"
    "These read the portal CA key; the server never does.\n";

/* Every recorded revocation into a freshly signed CRL. Inside the caller's transaction. */
static int
write_crl(struct db *db, const char *keys)
{
	struct pki_revoked *rev = NULL;
	char (*serials)[80] = NULL;
	sqlite3_stmt *st;
	size_t n = 0, cap = 0;
	int rc = -1, step;

	if ((st = db_prepare(db, SQL_REVOKED_ALL)) == NULL)
		return -1;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == cap) {
			size_t nc = cap ? cap * 2 : 64;
			void *a, *b;

			if (nc > MAX_REVOKED || (a = realloc(rev, nc * sizeof(*rev))) == NULL)
				goto out;
			rev = a;
			if ((b = realloc(serials, nc * sizeof(*serials))) == NULL)
				goto out;
			serials = b;
			cap = nc;
		}
		snprintf(serials[n], sizeof(serials[n]), "%s", db_col_text(st, 0));
		rev[n].revoked_at = sqlite3_column_int64(st, 1);
		n++;
	}
	if (step != SQLITE_DONE)
		goto out;
	for (size_t i = 0; i < n; i++)
		rev[i].serial_hex = serials[i];
	rc = pki_crl_write(keys, rev, n, time_now()) == PKI_OK ? 0 : -1;
out:
	db_done(st);
	free(rev);
	free(serials);
	return rc;
}

static int
revoke_cert(struct db *db, const char *keys, const char *hod, const char *cert_path,
    const char *reason)
{
	struct actor who = { "cli", "admin", "cli" };
	struct audit_rec a = { who.name, who.role, "ca.revoke_cert", NULL, NULL, who.ip, NULL,
	    NULL };
	char path[PATH_MAX], serial[80], sha[SHA256_HEX], subject[256], object[128];
	unsigned char *der = NULL;
	char *after = NULL;
	X509 *ca = NULL, *cert = NULL;
	sqlite3_stmt *st;
	json_t *o;
	int len, rc = EXIT_USAGE, changed;

	if (hod != NULL) {
		if (strict_username(hod) != 0 ||
		    snprintf(path, sizeof(path), "%s/hod-%s.pem", keys, hod) >= (int)sizeof(path)) {
			fprintf(stderr, "suraksha ca: bad HoD username '%s'\n", hod);
			return EXIT_USAGE;
		}
		cert_path = path;
	}
	if ((ca = pki_load_ca(keys)) == NULL || (cert = pki_load_cert_file(cert_path)) == NULL) {
		fprintf(stderr, "suraksha ca: cannot read %s\n", ca ? cert_path : "the portal CA");
		goto out;
	}
	if (X509_check_issued(ca, cert) != X509_V_OK || X509_verify(cert,
	    X509_get0_pubkey(ca)) != 1) {
		fprintf(stderr, "suraksha ca: %s was not issued by the portal CA\n", cert_path);
		goto out;
	}
	if (pki_serial_hex(cert, serial, sizeof(serial)) != 0 ||
	    (len = i2d_X509(cert, &der)) <= 0)
		goto out;
	crypt_sha256_hex(der, (size_t)len, sha);
	X509_NAME_oneline(X509_get_subject_name(cert), subject, sizeof(subject));
	if (db_begin(db) != 0) {
		fprintf(stderr, "suraksha ca: the database is busy\n");
		goto out;
	}
	rc = EXIT_NEGATIVE;
	if ((st = db_prepare(db, SQL_REVOKE_CERT)) == NULL)
		goto fail;
	db_bind_text(st, 1, serial);
	db_bind_text(st, 2, subject);
	db_bind_text(st, 3, sha);
	sqlite3_bind_int64(st, 4, time_now());
	db_bind_text(st, 5, who.name);
	db_bind_text(st, 6, reason);
	changed = sqlite3_step(st) == SQLITE_DONE ? sqlite3_changes(db_handle(db)) : -1;
	db_done(st);
	if (changed < 0)
		goto fail;
	if (changed == 0) {
		fprintf(stderr, "suraksha ca: certificate %s was revoked already\n", serial);
		db_rollback(db);
		rc = EXIT_USAGE;
		goto out;
	}
	o = json_pack("{s:s, s:s, s:s, s:s}", "serial", serial, "subject", subject,
	    "cert_sha256", sha, "reason", reason);
	after = o ? json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(o);
	snprintf(object, sizeof(object), "cert:%s", serial);
	a.object = object;
	a.after = after;
	if (after == NULL || audit_append(db, &a) != 0)
		goto fail;
	/* the CRL first: a commit that then fails leaves one revocation too many on it,
	 * never a recorded revocation missing from it */
	if (write_crl(db, keys) != 0) {
		fprintf(stderr, "suraksha ca: cannot sign the CRL\n");
		goto fail;
	}
	if (db_commit(db) != 0)
		goto fail;
	printf("revoked %s (%s); CRL %s/crl.der\n", serial, subject, keys);
	rc = EXIT_OK;
	goto out;
fail:
	db_rollback(db);
	fprintf(stderr, "suraksha ca: revocation failed; nothing changed\n");
out:
	free(after);
	OPENSSL_free(der);
	X509_free(cert);
	X509_free(ca);
	return rc;
}

int
cmd_ca(int argc, char **argv)
{
	struct cli_common c = { "./storage", NULL, 0 };
	const char *sub = NULL, *hod = NULL, *cert = NULL, *reason = NULL, *v;
	char keys[PATH_MAX], dbfile[PATH_MAX], err[256];
	struct config cfg;
	struct db *db = NULL;
	int i, k, rc = EXIT_USAGE;

	for (i = 1; i < argc;) {
		if ((k = cli_common_opt(argc, argv, &i, &c)) < 0)
			goto usage;
		if (k > 0)
			continue;
		if ((k = cli_opt(argc, argv, &i, "--hod", &v)) != 0) {
			if (k < 0)
				goto usage;
			hod = v;
		} else if ((k = cli_opt(argc, argv, &i, "--cert", &v)) != 0) {
			if (k < 0)
				goto usage;
			cert = v;
		} else if ((k = cli_opt(argc, argv, &i, "--reason", &v)) != 0) {
			if (k < 0)
				goto usage;
			reason = v;
		} else if (argv[i][0] != '-' && sub == NULL)
			sub = argv[i++];
		else
			goto usage;
	}
	if (c.help) {
		fputs(ca_usage, stdout);
		return EXIT_OK;
	}
	if (sub == NULL || cli_load_config(&c, &cfg) != 0 ||
	    fsx_join(keys, sizeof(keys), cfg.data_dir, "keys") != 0)
		goto usage;
	if (strcmp(sub, "export-signer") == 0) {
		if (signer_keys_issue(&cfg, "hkcl", "Suraksha Portal HKCL export", 10 * 365) != 0) {
			fprintf(stderr, "suraksha ca: cannot issue the export signer\n");
			return EXIT_USAGE;
		}
		return EXIT_OK;
	}
	if (strcmp(sub, "revoke-cert") != 0 && strcmp(sub, "crl") != 0)
		goto usage;
	if (strcmp(sub, "revoke-cert") == 0 && ((hod == NULL) == (cert == NULL) ||
	    reason == NULL || strict_text(reason, 500) != 0)) {
		fprintf(stderr, "suraksha ca revoke-cert: give --hod USER or --cert FILE, and "
		    "--reason TEXT\n");
		return EXIT_USAGE;
	}
	if (db_path(cfg.data_dir, dbfile, sizeof(dbfile)) != 0 ||
	    (db = db_open(dbfile, 0, err, sizeof(err))) == NULL) {
		fprintf(stderr, "suraksha ca: %s (run 'suraksha init' first)\n", err);
		return EXIT_USAGE;
	}
	if (strcmp(sub, "revoke-cert") == 0)
		rc = revoke_cert(db, keys, hod, cert, reason);
	else if (write_crl(db, keys) != 0)
		fprintf(stderr, "suraksha ca: cannot sign the CRL\n");
	else
		rc = EXIT_OK;
	db_close(db);
	return rc;
usage:
	fputs(ca_usage, stderr);
	return EXIT_USAGE;
}
