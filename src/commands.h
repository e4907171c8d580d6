/* One function per command of the command line; each takes argv from the command name on
 * and returns an exit code of cli.h. Each lives in the module whose work it does. */
#ifndef COMMANDS_H
#define COMMANDS_H

#define SURAKSHA_VERSION "0.1.0"

int	cmd_version(int argc, char **argv);
int	cmd_init(int argc, char **argv);	/* cmd_init.c */
int	cmd_backup(int argc, char **argv);	/* cmd_init.c */
int	cmd_restore(int argc, char **argv);	/* cmd_restore.c */
int	cmd_serve(int argc, char **argv);	/* cmd_serve.c */
int	cmd_import(int argc, char **argv);	/* import/cmd_import.c */
int	cmd_user(int argc, char **argv);	/* auth/cmd_user.c */
int	cmd_audit(int argc, char **argv);	/* audit/cmd_audit.c */
int	cmd_rules(int argc, char **argv);	/* cases/rules_cmd.c */
int	cmd_cases(int argc, char **argv);	/* cases/case_cmd.c */
int	cmd_export(int argc, char **argv);	/* cases/case_cmd.c */
int	cmd_verify(int argc, char **argv);	/* letters/cmd_letters.c */
int	cmd_letter(int argc, char **argv);	/* letters/cmd_letters.c */
int	cmd_hod(int argc, char **argv);	/* letters/cmd_letters.c */
int	cmd_intake(int argc, char **argv);
int	cmd_ca(int argc, char **argv);		/* letters/cmd_ca.c (issue 9) */
int	cmd_tsa(int argc, char **argv);	/* signer/cmd_tsa.c */
int	cmd_signer(int argc, char **argv);	/* signer/signer.c: serve's child */

#endif
