#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "audit/audit.h"
#include "commands.h"
#include "config.h"

struct command {
	const char	*name;
	int		(*run)(int argc, char **argv);
	const char	*help;
};

static const struct command commands[] = {
	{ "init", cmd_init, "create the database, storage folders, the portal CA and a "
	    "default config (--demo: demo data)" },
	{ "serve", cmd_serve, "run the HTTP server (--help lists every setting)" },
	{ "import", cmd_import, "load offices or employees from a CSV file (--source "
	    "offices|hkrnl|treasury)" },
	{ "user", cmd_user, "staff accounts: add, disable, enable, scope, passwd, list" },
	{ "audit", cmd_audit, "audit log: verify the hash chain" },
	{ "backup", cmd_backup, "consistent online backup of the database and stored files" },
	{ "restore", cmd_restore, "make a folder copied back from a backup safe to serve" },
	{ "version", cmd_version, "print the version" },
	{ "rules", cmd_rules, "evaluate the eligibility and pay rules (eval), show parameters" },
	{ "cases", cmd_cases, "cases: reeval after a rules change, extend a deadline, list "
	    "deadlines and overdue cases" },
	{ "export", cmd_export, "export hkcl DIR: verified cases with a signed SHA-256 manifest" },
	{ "verify", cmd_verify, "verify a signed offer letter: verify FILE.pdf [--ca FILE] "
	    "[--crl FILE] [--offline]" },
	{ "hod", cmd_hod, "a HoD's signing key: import-p12 (their own PKCS#12) or issue" },
	{ "letter", cmd_letter, "letter keys and sample letters (ca, hod, import-p12, sample)" },
	{ "intake", cmd_intake, "validate files as uploads (PDF, JPEG, PNG, ZIP)" },
	{ "ca", cmd_ca, "portal CA, offline: revoke-cert, crl, export-signer" },
	{ "tsa", cmd_tsa, "a small RFC 3161 time-stamping authority (key in the token)" },
	{ "signer", cmd_signer, "the signer process that serve starts (not run by hand)" },
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

	/* Data files are for the service account alone (and its group, for backups). */
	umask(027);
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return EXIT_OK;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[1], commands[i].name) == 0) {
			int rc = commands[i].run(argc - 1, argv + 1);

			/* What a command recorded is checkpointed outside the database. */
			audit_checkpoint_if_written();
			return rc;
		}
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

int
cli_opt(int argc, char **argv, int *i, const char *name, const char **value)
{
	size_t n = strlen(name);
	const char *a = argv[*i];

	if (strncmp(a, name, n) != 0)
		return 0;
	if (a[n] == '=') {
		*value = a + n + 1;
		*i += 1;
		return 1;
	}
	if (a[n] != '\0')
		return 0;
	if (*i + 1 >= argc) {
		fprintf(stderr, "suraksha: %s needs a value\n", name);
		return -1;
	}
	*value = argv[*i + 1];
	*i += 2;
	return 1;
}

int
cli_common_opt(int argc, char **argv, int *i, struct cli_common *c)
{
	int r;

	if (strcmp(argv[*i], "--help") == 0 || strcmp(argv[*i], "-h") == 0) {
		c->help = 1;
		*i += 1;
		return 1;
	}
	if ((r = cli_opt(argc, argv, i, "--data", &c->data)) != 0)
		return r;
	return cli_opt(argc, argv, i, "--config", &c->config);
}

int
cli_load_config(const struct cli_common *c, struct config *cfg)
{
	char path[1024], err[512];
	const char *data = c->data ? c->data : getenv("SURAKSHA_DATA");

	config_defaults(cfg, data ? data : "./storage");
	snprintf(path, sizeof(path), "%s/suraksha.conf", cfg->data_dir);
	if (config_load_file(cfg, c->config ? c->config : path, c->config != NULL, err,
	    sizeof(err)) != 0 || config_load_env(cfg, err, sizeof(err)) != 0) {
		fprintf(stderr, "suraksha: %s\n", err);
		return -1;
	}
	audit_open(cfg->data_dir);
	return 0;
}

int
cli_read_secret(char *out, size_t outlen)
{
	size_t n;

	if (fgets(out, (int)outlen, stdin) == NULL)
		return -1;
	n = strlen(out);
	if (n > 0 && out[n - 1] != '\n' && !feof(stdin))
		return -1;	/* longer than the buffer */
	while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == '\r'))
		out[--n] = '\0';
	return 0;
}
