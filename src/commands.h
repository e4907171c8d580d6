/* One function per command of the command line; each takes argv from the command name on
 * and returns an exit code of cli.h. Each lives in the module whose work it does. */
#ifndef COMMANDS_H
#define COMMANDS_H

#define SURAKSHA_VERSION "0.1.0"

int	cmd_version(int argc, char **argv);
int	cmd_intake(int argc, char **argv);

#endif
