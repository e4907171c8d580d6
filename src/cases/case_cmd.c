/* suraksha cases reeval|extend|deadlines|overdue and suraksha export hkcl DIR. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "audit/audit.h"
#include "cases/case.h"
#include "cases/deadline.h"
#include "cases/export.h"
#include "signer/signer.h"
#include "cli.h"
#include "commands.h"
#include "config.h"
#include "db/db.h"
#include "util/fsx.h"
#include "util/timeutil.h"

#define DEPTS_MAX 32

int
case_rules_for_data(const char *data_dir, struct rules_params *p, char *err, size_t errlen)
{
	char path[1024];

	if (fsx_join(path, sizeof(path), data_dir, "rules.conf") != 0) {
		snprintf(err, errlen, "data folder path too long");
		return -1;
	}
	if (access(path, F_OK) != 0) {
		rules_defaults(p);
		return 0;
	}
	return rules_load(path, p, err, errlen) == RULES_OK ? 0 : -1;
}

static void
cases_usage(FILE *f)
{
	fprintf(f, "usage: suraksha cases COMMAND [--data DIR] [OPTIONS]\n"
	    "  reeval      recompute every case's outcome under DIR/rules.conf (audited)\n"
	    "  extend --stage registration|verification|posts|approval --closes "
	    "'YYYY-MM-DD HH:MM' (IST)\n"
	    "         --reason TEXT [--department CODE ...]   extend (or reopen) a window for "
	    "all or the named\n"
	    "         departments (audited)\n"
	    "  deadlines   print the effective windows of every department as JSON\n"
	    "  overdue [--stage S] [--department CODE] [--office CODE]   overdue cases as CSV\n");
}

static struct db *
open_db(const struct cli_common *c, struct config *cfg, struct rules_params *rp)
{
	char path[1024], err[512];
	struct db *db;

	if (cli_load_config(c, cfg) != 0)
		return NULL;
	if (case_rules_for_data(cfg->data_dir, rp, err, sizeof(err)) != 0) {
		fprintf(stderr, "suraksha: %s\n", err);
		return NULL;
	}
	db_path(cfg->data_dir, path, sizeof(path));
	if ((db = db_open(path, 0, err, sizeof(err))) == NULL)
		fprintf(stderr, "suraksha: %s (run 'suraksha init' first)\n", err);
	return db;
}

int
cmd_cases(int argc, char **argv)
{
	struct actor who = { "cli", "admin", "cli" };
	struct cli_common c = { 0 };
	const char *sub = NULL, *stage = NULL, *closes = NULL, *reason = NULL, *v;
	const char *office = NULL, *depts[DEPTS_MAX];
	struct rules_params rp;
	struct config cfg;
	struct db *db;
	size_t nd = 0;
	int i, r, rc = EXIT_USAGE;

	for (i = 1; i < argc;) {
		if ((r = cli_common_opt(argc, argv, &i, &c)) < 0)
			return EXIT_USAGE;
		if (r > 0)
			continue;
		if ((r = cli_opt(argc, argv, &i, "--stage", &stage)) != 0 ||
		    (r = cli_opt(argc, argv, &i, "--closes", &closes)) != 0 ||
		    (r = cli_opt(argc, argv, &i, "--reason", &reason)) != 0 ||
		    (r = cli_opt(argc, argv, &i, "--office", &office)) != 0) {
			if (r < 0)
				return EXIT_USAGE;
			continue;
		}
		if ((r = cli_opt(argc, argv, &i, "--department", &v)) != 0) {
			if (r < 0 || nd == DEPTS_MAX) {
				fprintf(stderr, "suraksha cases: at most %d departments\n", DEPTS_MAX);
				return EXIT_USAGE;
			}
			depts[nd++] = v;
			continue;
		}
		if (sub != NULL || argv[i][0] == '-') {
			fprintf(stderr, "suraksha cases: unexpected argument '%s'\n", argv[i]);
			return EXIT_USAGE;
		}
		sub = argv[i++];
	}
	if (c.help || sub == NULL) {
		cases_usage(c.help ? stdout : stderr);
		return c.help ? EXIT_OK : EXIT_USAGE;
	}
	if (strcmp(sub, "reeval") == 0) {
		long n, ch;

		if ((db = open_db(&c, &cfg, &rp)) == NULL)
			return EXIT_USAGE;
		if (case_reeval_all(db, &rp, &who, 0, &n, &ch) != 0) {
			fprintf(stderr, "suraksha cases reeval: failed (see the log)\n");
			rc = EXIT_NEGATIVE;
		} else {
			printf("re-evaluated %ld cases under %s/rules.conf; %ld changed outcome\n", n,
			    cfg.data_dir, ch);
			rc = EXIT_OK;
		}
	} else if (strcmp(sub, "extend") == 0) {
		enum rules_stage s;
		int64_t t;
		char msg[512] = "";
		enum err e;

		if (case_stage_parse(stage, &s) != 0 || time_parse_ist(closes, &t) != 0 ||
		    reason == NULL) {
			fprintf(stderr, "suraksha cases extend: give --stage (registration, "
			    "verification, posts, approval), --closes 'YYYY-MM-DD HH:MM' in IST "
			    "and --reason\n");
			return EXIT_USAGE;
		}
		if ((db = open_db(&c, &cfg, &rp)) == NULL)
			return EXIT_USAGE;
		e = deadline_extend(db, &rp, &who, s, depts, nd, t, reason, msg, sizeof(msg));
		fprintf(e == ERR_OK ? stdout : stderr, "%s%s\n", e == ERR_OK ? "" :
		    "suraksha cases extend: ", msg[0] ? msg : err_message(e));
		rc = e == ERR_OK ? EXIT_OK : EXIT_USAGE;
	} else if (strcmp(sub, "deadlines") == 0) {
		json_t *j;

		if ((db = open_db(&c, &cfg, &rp)) == NULL)
			return EXIT_USAGE;
		j = deadline_json(db, &rp, time_now());
		if (j != NULL && json_dumpf(j, stdout, JSON_INDENT(2)) == 0) {
			putchar('\n');
			rc = EXIT_OK;
		}
		json_decref(j);
	} else if (strcmp(sub, "overdue") == 0) {
		struct principal admin = { .role = ROLE_ADMIN };
		struct case_filter f = { .stage = stage, .office = office, .overdue = 1,
		    .page = 1, .per_page = 1 };
		struct case_ctx cx = { NULL, &rp, &admin, &who };
		char msg[256] = "";
		struct buf b;
		enum err e;

		f.department = nd ? depts[0] : NULL;
		if ((db = open_db(&c, &cfg, &rp)) == NULL)
			return EXIT_USAGE;
		cx.db = db;
		buf_init(&b, 256u * 1024 * 1024);
		e = case_list_csv(&cx, &f, time_now(), &b, msg, sizeof(msg));
		if (e == ERR_OK) {
			fwrite(b.data ? b.data : "", 1, b.len, stdout);
			rc = EXIT_OK;
		} else
			fprintf(stderr, "suraksha cases overdue: %s\n", msg[0] ? msg :
			    err_message(e));
		buf_free(&b);
	} else {
		fprintf(stderr, "suraksha cases: unknown command '%s'\n", sub);
		cases_usage(stderr);
		return EXIT_USAGE;
	}
	db_close(db);
	return rc;
}

int
cmd_export(int argc, char **argv)
{
	struct actor who = { "cli", "admin", "cli" };
	struct cli_common c = { 0 };
	const char *what = NULL, *dir = NULL;
	char path[1024], keys[1024], err[512];
	struct export_result res;
	struct config cfg;
	struct db *db;
	int i, r;

	for (i = 1; i < argc;) {
		if ((r = cli_common_opt(argc, argv, &i, &c)) < 0)
			return EXIT_USAGE;
		if (r > 0)
			continue;
		if (argv[i][0] == '-' || dir != NULL) {
			fprintf(stderr, "suraksha export: unexpected argument '%s'\n", argv[i]);
			return EXIT_USAGE;
		}
		if (what == NULL)
			what = argv[i++];
		else
			dir = argv[i++];
	}
	if (c.help || what == NULL || strcmp(what, "hkcl") != 0 || dir == NULL) {
		fprintf(c.help ? stdout : stderr, "usage: suraksha export hkcl [--data DIR] OUTDIR\n"
		    "  writes OUTDIR/" EXPORT_CSV " (the cases with a verified record), "
		    EXPORT_MANIFEST " and " EXPORT_SIG "\n  (a CMS signature of the manifest by a "
		    "certificate of the portal CA). Check with:\n"
		    "    sha256sum -c " EXPORT_MANIFEST "\n"
		    "    openssl cms -verify -in " EXPORT_SIG " -inform DER -content "
		    EXPORT_MANIFEST " -CAfile ca.pem -binary\n");
		return c.help ? EXIT_OK : EXIT_USAGE;
	}
	if (cli_load_config(&c, &cfg) != 0)
		return EXIT_USAGE;
	db_path(cfg.data_dir, path, sizeof(path));
	if ((db = db_open(path, 0, err, sizeof(err))) == NULL) {
		fprintf(stderr, "suraksha export: %s (run 'suraksha init' first)\n", err);
		return EXIT_USAGE;
	}
	fsx_join(keys, sizeof(keys), cfg.data_dir, "keys");
	if (signer_start(&cfg) != SIGNER_OK) {	/* the manifest's key is in the token */
		db_close(db);
		fprintf(stderr, "suraksha export: cannot reach the key token\n");
		return EXIT_NEGATIVE;
	}
	r = export_hkcl(db, keys, dir, &who, cfg.stuck_overdue_days, &res, err, sizeof(err));
	signer_stop();
	db_close(db);
	if (r != 0) {
		fprintf(stderr, "suraksha export: %s\n", err);
		return EXIT_NEGATIVE;
	}
	printf("exported %ld verified cases to %s (sha256 %s); %ld employees waiting past %lld "
	    "days for certification\n", res.cases, dir, res.csv_sha256, res.stuck_overdue,
	    (long long)cfg.stuck_overdue_days);
	return EXIT_OK;
}
