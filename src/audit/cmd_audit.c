/* suraksha audit verify */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "cli.h"
#include "commands.h"
#include "config.h"
#include "db/db.h"

int
cmd_audit(int argc, char **argv)
{
	struct cli_common c = { 0 };
	const char *verb = NULL;
	char path[1024], err[512], why[256] = "";
	struct config cfg;
	struct db *db;
	int64_t bad, count;
	enum audit_verdict v;
	int i, r;

	for (i = 1; i < argc;) {
		if ((r = cli_common_opt(argc, argv, &i, &c)) < 0)
			return EXIT_USAGE;
		if (r > 0)
			continue;
		if (verb != NULL || argv[i][0] == '-') {
			fprintf(stderr, "suraksha audit: unexpected argument '%s'\n", argv[i]);
			return EXIT_USAGE;
		}
		verb = argv[i++];
	}
	if (c.help || verb == NULL || strcmp(verb, "verify") != 0) {
		fprintf(c.help ? stdout : stderr, "usage: suraksha audit verify [--data DIR]\n"
		    "  checks the audit log's hash chain; exit 0 when intact, 1 naming the first "
		    "bad record.\n");
		return c.help ? EXIT_OK : EXIT_USAGE;
	}
	if (cli_load_config(&c, &cfg) != 0)
		return EXIT_USAGE;
	db_path(cfg.data_dir, path, sizeof(path));
	if ((db = db_open(path, 0, err, sizeof(err))) == NULL) {
		fprintf(stderr, "suraksha audit: %s\n", err);
		return EXIT_USAGE;
	}
	v = audit_verify(db, &bad, &count, why, sizeof(why));
	db_close(db);
	switch (v) {
	case AUDIT_INTACT:
		printf("audit log intact: %" PRId64 " records\n", count);
		return EXIT_OK;
	case AUDIT_BROKEN:
		printf("audit log BROKEN at record %" PRId64 ": %s (%" PRId64 " records before it "
		    "are intact)\n", bad, why, count);
		return EXIT_NEGATIVE;
	default:
		fprintf(stderr, "suraksha audit: cannot read the audit log\n");
		return EXIT_USAGE;
	}
}
