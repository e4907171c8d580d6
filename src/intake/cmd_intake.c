/* suraksha intake [--repeat N] FILE...: validates files exactly as an upload would be
 * (default limits) and prints one line per file: name, verdict, status, code, MIME type,
 * refused entry, detail. For operators checking a file a person could not upload, and for
 * the benchmark (--repeat validates each file N times). */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "intake/intake.h"
#include "util/strict.h"

static void
intake_usage(FILE *f)
{
	fprintf(f, "usage: suraksha intake [--data DIR] [--repeat N] FILE...\n"
	    "Validates each FILE as an upload and prints: file, accept|refuse, HTTP status, "
	    "code, type, entry, detail.\nExit 0 when every file is accepted, 1 when any is "
	    "refused.\n");
}

int
cmd_intake(int argc, char **argv)
{
	struct intake_limits lim;
	struct intake_result res;
	int64_t repeat = 1, r;
	int i, refused = 0, files = 0;

	intake_limits_default(&lim);
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0) {
			intake_usage(stdout);
			return EXIT_OK;
		} else if (strcmp(argv[i], "--data") == 0 && i + 1 < argc) {
			i++;	/* accepted for uniformity; validation touches no data folder */
		} else if (strcmp(argv[i], "--repeat") == 0 && i + 1 < argc) {
			if (strict_int64(argv[++i], 1, 1000000, &repeat) != 0) {
				fprintf(stderr, "intake: bad --repeat '%s'\n", argv[i]);
				return EXIT_USAGE;
			}
		} else if (argv[i][0] == '-' && argv[i][1] == '-') {
			intake_usage(stderr);
			return EXIT_USAGE;
		} else {
			break;
		}
	}
	if (i >= argc) {
		intake_usage(stderr);
		return EXIT_USAGE;
	}
	for (; i < argc; i++, files++) {
		for (r = 0; r < repeat; r++) {
			intake_validate_file(argv[i], &lim, NULL, &res);
			if (r + 1 < repeat)
				intake_result_free(&res);
		}
		if (res.code != INTAKE_OK)
			refused++;
		printf("%s\t%s\t%d\t%s\t%s\t%s\t%s\n", argv[i],
		    res.code == INTAKE_OK ? "accept" : "refuse", res.status, res.code_str,
		    res.mime ? res.mime : "-", res.entry[0] ? res.entry : "-",
		    res.detail[0] ? res.detail : "-");
		intake_result_free(&res);
	}
	intake_thread_cleanup();
	return refused ? EXIT_NEGATIVE : EXIT_OK;
}
