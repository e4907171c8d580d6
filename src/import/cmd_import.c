/* suraksha import --source offices|hkrnl|treasury FILE.csv */
#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "cli.h"
#include "commands.h"
#include "config.h"
#include "db/db.h"
#include "import/master.h"

int
cmd_import(int argc, char **argv)
{
	struct actor who = { "cli", "admin", "cli" };
	struct cli_common c = { 0 };
	const char *source = NULL, *file = NULL;
	char path[1024], err[512] = "";
	struct import_stats st;
	enum import_source src;
	struct config cfg;
	struct db *db;
	int i, r;

	for (i = 1; i < argc;) {
		if ((r = cli_common_opt(argc, argv, &i, &c)) < 0)
			return EXIT_USAGE;
		if (r > 0)
			continue;
		if ((r = cli_opt(argc, argv, &i, "--source", &source)) != 0) {
			if (r < 0)
				return EXIT_USAGE;
			continue;
		}
		if (file != NULL || argv[i][0] == '-') {
			fprintf(stderr, "suraksha import: unexpected argument '%s'\n", argv[i]);
			return EXIT_USAGE;
		}
		file = argv[i++];
	}
	if (c.help || file == NULL || import_source_parse(source, &src) != 0) {
		fprintf(c.help ? stdout : stderr, "usage: suraksha import --source "
		    "offices|hkrnl|treasury [--data DIR] FILE.csv\n"
		    "  prints a line per row (added, updated, unchanged, each with the particulars "
		    "flagged for the\n  office to certify; held when its office is not in the "
		    "master list; or rejected with the\n  reasons) and a summary; exit 0 when every "
		    "row was taken, 1 when some were rejected or\n  held, 2 when the file was "
		    "refused whole.\n  Columns: docs/import.md.\n");
		return c.help ? EXIT_OK : EXIT_USAGE;
	}
	if (cli_load_config(&c, &cfg) != 0)
		return EXIT_USAGE;
	db_path(cfg.data_dir, path, sizeof(path));
	if ((db = db_open(path, 0, err, sizeof(err))) == NULL) {
		fprintf(stderr, "suraksha import: %s (run 'suraksha init' first)\n", err);
		return EXIT_USAGE;
	}
	r = import_csv(db, src, file, NULL, &who, stdout, &st, err, sizeof(err));
	db_close(db);
	if (r != 0) {
		fprintf(stderr, "suraksha import: %s\n", err);
		return EXIT_USAGE;
	}
	printf("import %lld: %ld rows: %ld added, %ld updated, %ld unchanged, %ld rejected, "
	    "%ld flagged, %ld held, %ld taken from held\n",
	    (long long)st.import_id, st.total, st.inserted, st.updated, st.unchanged,
	    st.rejected, st.flagged, st.held, st.taken);
	return st.rejected > 0 || st.held > 0 ? EXIT_NEGATIVE : EXIT_OK;
}
