/* Command-line dispatch (API.md, "Command line"). Exit codes: 0 success, 1 a negative
 * result, 2 bad usage or bad input. */
#ifndef CLI_H
#define CLI_H

enum { EXIT_OK = 0, EXIT_NEGATIVE = 1, EXIT_USAGE = 2 };

int	cli_main(int argc, char **argv);

#endif
