#include "cli.h"

#include <stdio.h>
#include <string.h>

#include "commands.h"

struct command {
	const char	*name;
	int		(*run)(int argc, char **argv);
	const char	*help;
};

static const struct command commands[] = {
	{ "version", cmd_version, "print the version" },
	{ "intake", cmd_intake, "validate files as uploads (PDF, JPEG, PNG, ZIP)" },
};

static void
usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: suraksha COMMAND [OPTIONS]\n\ncommands:\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].help);
	fprintf(f, "\nEvery command takes --data DIR (default ./storage), --config FILE and "
	    "--help.\n");
}

int
cli_main(int argc, char **argv)
{
	size_t i;

	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return EXIT_OK;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "suraksha: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return EXIT_USAGE;
}

int
cmd_version(int argc, char **argv)
{
	puts("suraksha " SURAKSHA_VERSION);
	return EXIT_OK;
}
