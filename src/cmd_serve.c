/* suraksha serve: settings, start-up checks, the server, and a clean exit on SIGTERM. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "audit/audit.h"
#include "cases/case.h"
#include "cli.h"
#include "commands.h"
#include "config.h"
#include "db/db.h"
#include "http/http.h"
#include "intake/blob.h"
#include "intake/intake.h"
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
	letter_heap_tune();
	/* The PDF parser's helper process forks before any thread exists. */
	if (intake_init() != INTAKE_OK) {
		fprintf(stderr, "suraksha serve: cannot start the document parser helper\n");
		return EXIT_NEGATIVE;
	}
	/* The signer process too: it alone reaches the keys in the token. */
	if (signer_start(&app.cfg) != SIGNER_OK) {
		fprintf(stderr, "suraksha serve: cannot start the signer process (token '%s' "
		    "through %s); run 'suraksha init' or check the pkcs11_* settings\n",
		    app.cfg.pkcs11_token, app.cfg.pkcs11_module);
		intake_shutdown();
		return EXIT_NEGATIVE;
	}
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
	fsx_join(app.letter_template, sizeof(app.letter_template), app.cfg.templates_dir,
	    "letter.txt");
	app.letters.data_dir = app.cfg.data_dir;
	app.letters.base_url = app.cfg.base_url;
	app.letters.ca = app.ca;
	app.letters.tsa_url = app.cfg.tsa_url;
	app.letters.tsa_timeout_ms = (long)app.cfg.tsa_timeout_ms;
	app.letters.cfg.template_path = app.letter_template;
	app.letters.cfg.fonts_dir = app.cfg.fonts_dir;
	if (db_thread_init(dbpath) != 0)
		return EXIT_USAGE;
	r = http_serve(&app);
	intake_shutdown();
	signer_stop();
	verify_cache_clear();
	X509_free(app.ca);
	return r == 0 ? EXIT_OK : EXIT_NEGATIVE;
}
