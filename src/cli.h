/* Command-line dispatch (API.md, "Command line"). Exit codes: 0 success, 1 a negative
 * result, 2 bad usage or bad input. */
#ifndef CLI_H
#define CLI_H

enum { EXIT_OK = 0, EXIT_NEGATIVE = 1, EXIT_USAGE = 2 };

int	cli_main(int argc, char **argv);

#endif

#include <stddef.h>

struct config;

/* Options every command takes. */
struct cli_common {
	const char	*data;		/* --data DIR, default ./storage */
	const char	*config;	/* --config FILE, default <data>/suraksha.conf if present */
	int		 help;
};

/* If argv[*i] is "--name VALUE" or "--name=VALUE", sets *value, advances *i past it and
 * returns 1; returns -1 when the value is missing; 0 when argv[*i] is another thing. */
int	cli_opt(int argc, char **argv, int *i, const char *name, const char **value);
/* Takes --data, --config and --help at argv[*i]; 1 taken, 0 not, -1 missing value. */
int	cli_common_opt(int argc, char **argv, int *i, struct cli_common *c);
/* Settings: defaults, then the config file, then the environment. 0 ok; -1 with a message
 * printed on stderr naming the setting. */
int	cli_load_config(const struct cli_common *c, struct config *cfg);
/* Reads one line (a password) from stdin into out without its line end; 0 ok. */
int	cli_read_secret(char *out, size_t outlen);
