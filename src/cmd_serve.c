/* suraksha serve: settings, start-up checks, the server, and a clean exit on SIGTERM. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "audit/audit.h"
#include "auth/limits.h"
#include "cases/case.h"
#include "cli.h"
#include "commands.h"
#include "config.h"
#include "letters/store.h"
#include "db/db.h"
#include "http/http.h"
#include "intake/blob.h"
#include "intake/intake.h"
#include "intake/sweep.h"
#include "letters/letter.h"
#include "letters/pki.h"
#include "letters/verify.h"
#include "intake/documents.h"
#include "signer/signer.h"
#include "util/fsx.h"
#include "util/log.h"

static void
serve_usage(FILE *f)
{
	fprintf(f, "usage: suraksha serve [--data DIR] [--config FILE] [--listen ADDR:PORT] "
	    "[--SETTING VALUE ...]\n\n");
	config_help(f);
}

static enum log_level
level_of(const char *s)
{
	if (strcmp(s, "debug") == 0)
		return LOG_DEBUG;
	if (strcmp(s, "warn") == 0)
		return LOG_WARN;
	if (strcmp(s, "error") == 0)
		return LOG_ERROR;
	return LOG_INFO;
}

/* Letters print base_url in their QR code and verify address: a loopback address there
 * while the server listens for other machines means every letter points nowhere. */
static int
loopback_host(const char *h, size_t n)
{
	return (n >= 4 && strncmp(h, "127.", 4) == 0) || (n == 9 && strncmp(h, "localhost", 9) == 0)
	    || (n == 5 && strncmp(h, "[::1]", 5) == 0) || (n == 3 && strncmp(h, "::1", 3) == 0);
}

static void
base_url_check(const struct config *c)
{
	const char *h = strstr(c->base_url, "://"), *colon = strrchr(c->listen, ':');
	size_t n;

	if (h == NULL || colon == NULL)
		return;
	h += 3;
	n = strcspn(h, ":/");
	if (h[0] == '[')
		n = strcspn(h, "]") + 1;
	if (loopback_host(h, n) && !loopback_host(c->listen, (size_t)(colon - c->listen)))
		log_warn("base_url %s is a loopback address but the server listens on %s: the QR "
		    "code and verify address of every letter will point at the reader's own "
		    "machine; set base_url to the address people reach the portal at",
		    c->base_url, c->listen);
}

int
cmd_serve(int argc, char **argv)
{
	static struct app app;
	struct cli_common c = { 0 };
	char dbpath[1024], err[512];
	struct db *db;
	int i, r;

	/* Common options first, so settings given as flags apply over the file. */
	for (i = 1; i < argc;) {
		if ((r = cli_common_opt(argc, argv, &i, &c)) < 0)
			return EXIT_USAGE;
		if (r == 0)
			i++;
	}
	if (c.help) {
		serve_usage(stdout);
		return EXIT_OK;
	}
	if (cli_load_config(&c, &app.cfg) != 0)
		return EXIT_USAGE;
	for (i = 1; i < argc;) {
		const char *name = argv[i], *value = NULL;
		char key[64];
		size_t n;

		if ((r = cli_common_opt(argc, argv, &i, &c)) < 0)
			return EXIT_USAGE;
		if (r > 0)
			continue;
		if (strncmp(name, "--", 2) != 0) {
			fprintf(stderr, "suraksha serve: unexpected argument '%s'\n", name);
			return EXIT_USAGE;
		}
		n = strcspn(name + 2, "=");
		if (n >= sizeof(key)) {
			fprintf(stderr, "suraksha serve: unknown option '%s'\n", name);
			return EXIT_USAGE;
		}
		memcpy(key, name + 2, n);
		key[n] = '\0';
		for (char *p = key; *p; p++)
			if (*p == '-')
				*p = '_';
		if (!config_known(key)) {
			fprintf(stderr, "suraksha serve: unknown option '%s' (see --help)\n", name);
			return EXIT_USAGE;
		}
		if (name[2 + n] == '=') {
			value = name + 3 + n;
			i++;
		} else if (i + 1 < argc) {
			value = argv[i + 1];
			i += 2;
		} else {
			fprintf(stderr, "suraksha serve: %s needs a value\n", name);
			return EXIT_USAGE;
		}
		if (config_set(&app.cfg, key, value, err, sizeof(err)) != 0) {
			fprintf(stderr, "suraksha serve: %s\n", err);
			return EXIT_USAGE;
		}
	}
	log_set_level(level_of(app.cfg.log_level));
	base_url_check(&app.cfg);
	letter_heap_tune();
	/* The PDF parser's helper process forks before any thread exists. */
	if (intake_init() != INTAKE_OK) {
		fprintf(stderr, "suraksha serve: cannot start the document parser helper\n");
		return EXIT_NEGATIVE;
	}
	/* So does the spawner of the limited workers that parse letters to verify. */
	if (verify_worker_start((unsigned)app.cfg.verify_workers, (uint64_t)app.cfg.pdf_memory_max,
	    (unsigned)app.cfg.parser_cpu_seconds) != 0) {
		fprintf(stderr, "suraksha serve: cannot start the verification parser helper\n");
		intake_shutdown();
		return EXIT_NEGATIVE;
	}
	/* The signer process too: it alone reaches the keys in the token. */
	if (signer_start(&app.cfg) != SIGNER_OK) {
		fprintf(stderr, "suraksha serve: cannot start the signer process (token '%s' "
		    "through %s); run 'suraksha init' or check the pkcs11_* settings\n",
		    app.cfg.pkcs11_token, app.cfg.pkcs11_module);
		verify_worker_stop();
		intake_shutdown();
		return EXIT_NEGATIVE;
	}
	pki_set_crl_base_url(app.cfg.base_url);
	pki_ca_key_offline();
	if (db_path(app.cfg.data_dir, dbpath, sizeof(dbpath)) != 0 || access(dbpath, F_OK) != 0) {
		fprintf(stderr, "suraksha serve: no database in %s; run 'suraksha init --data %s' "
		    "first\n", app.cfg.data_dir, app.cfg.data_dir);
		return EXIT_USAGE;
	}
	/* Open once here so migrations run before any worker connects. */
	if ((db = db_open(dbpath, 0, err, sizeof(err))) == NULL) {
		fprintf(stderr, "suraksha serve: %s\n", err);
		return EXIT_USAGE;
	}
	/* A bad rules file stops start-up naming the line; a changed one re-evaluates every
	 * case (audited) before the first request. */
	if (case_rules_for_data(app.cfg.data_dir, &app.rules, err, sizeof(err)) != 0) {
		fprintf(stderr, "suraksha serve: %s\n", err);
		db_close(db);
		return EXIT_USAGE;
	}
	{
		struct actor sys = { "system", "admin", "serve" };
		long n, changed;

		if (case_reeval_all(db, &app.rules, &sys, 1, &n, &changed) != 0) {
			fprintf(stderr, "suraksha serve: cannot re-evaluate cases under the rules\n");
			db_close(db);
			return EXIT_USAGE;
		}
		if (n > 0)
			log_info("rules changed: %ld cases re-evaluated, %ld changed outcome", n,
			    changed);
	}
	/* Temp files of uploads cut short, and blobs whose row never committed, go before any
	 * request is taken (only those older than an hour: see blob_sweep). */
	{
		struct blob_sweep_stats bs;

		if (blob_sweep(app.cfg.data_dir, document_blob_referenced, db, 3600, &bs) !=
		    BLOB_OK)
			log_warn("start-up sweep of storage did not complete");
		else if (bs.tmp_removed || bs.blobs_removed)
			log_info("start-up sweep: %u temp files and %u unreferenced blobs removed",
			    bs.tmp_removed, bs.blobs_removed);
	}
	/* No letter reference is ever given twice, even after a restore nobody reconciled. */
	{
		struct letter_reconcile_report lr;

		if (letter_reconcile(db, app.cfg.data_dir, 0, &lr) != 0)
			log_warn("start-up: letters on disk could not be checked");
		else if (lr.unknown > 0)
			log_warn("start-up: %ld letters on disk are not in the database (issued "
			    "after the backup this data came from?); run 'suraksha restore'",
			    lr.unknown);
	}
	db_close(db);
	if (otp_key_load(app.cfg.data_dir, app.otp_key) != 0) {
		fprintf(stderr, "suraksha serve: cannot read %s/keys/otp.key; run 'suraksha init'\n",
		    app.cfg.data_dir);
		return EXIT_USAGE;
	}
	fsx_join(app.ca_pem_path, sizeof(app.ca_pem_path), app.cfg.data_dir, "keys/ca.pem");
	if ((app.ca = pki_load_cert_file(app.ca_pem_path)) == NULL) {
		fprintf(stderr, "suraksha serve: cannot read the portal CA %s; run 'suraksha "
		    "init'\n", app.ca_pem_path);
		return EXIT_USAGE;
	}
	{
		/* the portal seal's certificate, so that the verification report names it */
		char seal[1100];

		if (fsx_join(seal, sizeof(seal), app.cfg.data_dir, "keys/seal.pem") == 0)
			app.seal = pki_load_cert_file(seal);
	}
	fsx_join(app.letter_template, sizeof(app.letter_template), app.cfg.templates_dir,
	    "letter.txt");
	app.letters.data_dir = app.cfg.data_dir;
	app.letters.base_url = app.cfg.base_url;
	app.letters.ca = app.ca;
	app.letters.tsa_url = app.cfg.tsa_url;
	app.letters.tsa_timeout_ms = (long)app.cfg.tsa_timeout_ms;
	app.letters.cfg.template_path = app.letter_template;
	app.letters.cfg.fonts_dir = app.cfg.fonts_dir;
	if (db_thread_init(dbpath) != 0 || limits_init(&app.cfg) != 0 ||
	    audit_checkpointer_start(app.cfg.audit_checkpoint_interval) != 0)
		return EXIT_USAGE;
	/* Leftovers are swept while the server runs, not only at the next start. */
	if (sweep_start(app.cfg.data_dir, (long)app.cfg.sweep_interval,
	    (long)app.cfg.sweep_min_age) != 0)
		log_warn("the sweeper of leftovers did not start");
	r = http_serve(&app);
	sweep_stop();
	audit_checkpointer_stop();
	intake_shutdown();
	verify_worker_stop();
	signer_stop();
	verify_cache_clear();
	pki_crl_cache_clear();
	X509_free(app.ca);
	X509_free(app.seal);
	return r == 0 ? EXIT_OK : EXIT_NEGATIVE;
}
