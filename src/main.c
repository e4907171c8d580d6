/* suraksha: the Security of Service portal. Entry point; see cli.c for the commands. */
#include "cli.h"

int
main(int argc, char **argv)
{
	return cli_main(argc, argv);
}
