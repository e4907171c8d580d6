/* suraksha restore: makes a data folder copied back from a backup safe to serve (issue 11).
 * Sessions and pending codes are dropped; letters issued after the backup's snapshot are
 * registered again (or quarantined when they cannot be); every department's letter
 * sequence resumes above every reference ever issued; the audit checkpoints of the portal
 * the backup came from, which name records the snapshot does not hold, are set aside. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "audit/audit.h"
#include "cli.h"
#include "commands.h"
#include "config.h"
#include "db/db.h"
#include "letters/store.h"
#include "util/fsx.h"
#include "util/timeutil.h"

static int
set_aside_checkpoints(const char *data_dir)
{
	char from[1100], to[1200];

	if (fsx_join(from, sizeof(from), data_dir, "audit.checkpoints") != 0)
		return -1;
	if (access(from, F_OK) != 0)
		return 0;
	snprintf(to, sizeof(to), "%s.before-restore-%" PRId64, from, time_now());
	if (rename(from, to) != 0)
		return -1;
	printf("audit checkpoints of the portal before the restore kept as %s\n", to);
	return 0;
}

int
cmd_restore(int argc, char **argv)
{
	struct letter_reconcile_report rep;
	struct cli_common c = { 0 };
	char path[1024], err[512], after[256];
	struct audit_rec ar = { "system", "system", "system.restore", NULL, "data", "cli",
	    NULL, NULL };
	struct config cfg;
	struct db *db;
	int i, r, rc = EXIT_NEGATIVE;

	for (i = 1; i < argc;) {
		if ((r = cli_common_opt(argc, argv, &i, &c)) < 0)
			return EXIT_USAGE;
		if (r > 0)
			continue;
		fprintf(stderr, "suraksha restore: unexpected argument '%s'\n", argv[i]);
		return EXIT_USAGE;
	}
	if (c.help) {
		printf("usage: suraksha restore --data DIR\n"
		    "  run on a folder written by 'suraksha backup' before serving from it: drops "
		    "sessions, registers letters issued after the snapshot, resumes letter "
		    "sequences above every issued reference.\n");
		return EXIT_OK;
	}
	if (cli_load_config(&c, &cfg) != 0)
		return EXIT_USAGE;
	db_path(cfg.data_dir, path, sizeof(path));
	if ((db = db_open(path, 0, err, sizeof(err))) == NULL) {
		fprintf(stderr, "suraksha restore: %s\n", err);
		return EXIT_USAGE;
	}
	if (set_aside_checkpoints(cfg.data_dir) != 0) {
		fprintf(stderr, "suraksha restore: cannot set the old audit checkpoints aside\n");
		goto out;
	}
	if (db_exec(db, "DELETE FROM sessions; DELETE FROM otps;") != 0 ||
	    letter_reconcile(db, cfg.data_dir, 1, &rep) != 0) {
		fprintf(stderr, "suraksha restore: the letters could not be reconciled; nothing "
		    "was changed\n");
		goto out;
	}
	snprintf(after, sizeof(after), "{\"letters_known\":%ld,\"letters_registered\":%ld,"
	    "\"letters_quarantined\":%ld,\"sequences_raised\":%ld}", rep.known, rep.registered,
	    rep.quarantined, rep.sequences_raised);
	ar.after = after;
	if (db_begin(db) != 0 || audit_append(db, &ar) != 0 || db_commit(db) != 0) {
		db_rollback(db);
		fprintf(stderr, "suraksha restore: cannot record the restore\n");
		goto out;
	}
	printf("restore: %ld letters known, %ld registered again, %ld quarantined in "
	    "letters/quarantine/, %ld letter sequences raised, %ld PDFs with no journal entry; "
	    "sessions dropped\n", rep.known, rep.registered, rep.quarantined,
	    rep.sequences_raised, rep.unjournalled);
	rc = EXIT_OK;
out:
	db_close(db);
	return rc;
}
