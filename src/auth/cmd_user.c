/* suraksha user add|disable|enable|scope|passwd|list */
#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "auth/provision.h"
#include "auth/password.h"
#include "cli.h"
#include "commands.h"
#include "config.h"
#include "db/db.h"

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: suraksha user add --role ROLE --username U [--name NAME]\n"
	    "                         [--office CODE ...] [--department CODE ...]\n"
	    "       suraksha user disable U | enable U\n"
	    "       suraksha user scope U [--office CODE ...] [--department CODE ...]\n"
	    "       suraksha user passwd U\n"
	    "       suraksha user list\n"
	    "  add and passwd read the password (10 to 256 characters) from the first line of "
	    "stdin.\n  roles: ddo (needs --office), hod and admin_secretary (need "
	    "--department), finance, auditor, admin.\n  A hod gets a signing key and certificate "
	    "from the portal CA. Disabling ends the user's sessions.\n"
	    "  Common options: --data DIR, --config FILE.\n");
}

static int
list(struct db *db)
{
	static const char sql[] =
	    "SELECT username, role, disabled, (SELECT group_concat(kind || ':' || code, ' ')"
	    " FROM user_scopes s WHERE s.user_id = u.id) FROM users u ORDER BY username";
	sqlite3_stmt *st = db_prepare(db, sql);

	if (st == NULL)
		return EXIT_NEGATIVE;
	while (sqlite3_step(st) == SQLITE_ROW)
		printf("%-24s %-16s %-9s %s\n", db_col_text(st, 0), db_col_text(st, 1),
		    sqlite3_column_int(st, 2) ? "disabled" : "active", db_col_text(st, 3));
	db_done(st);
	return EXIT_OK;
}

int
cmd_user(int argc, char **argv)
{
	struct actor who = { "cli", "admin", "cli" };
	struct cli_common c = { 0 };
	struct staff_scope sc = { 0 };
	const char *verb = NULL, *role = NULL, *user = NULL, *name = NULL, *v;
	char path[1024], err[512], msg[256] = "", pw[PASSWORD_MAX + 2];
	struct config cfg;
	struct db *db;
	enum err e = ERR_OK;
	int i, r, rc;

	for (i = 1; i < argc;) {
		if ((r = cli_common_opt(argc, argv, &i, &c)) < 0)
			return EXIT_USAGE;
		if (r > 0)
			continue;
		if ((r = cli_opt(argc, argv, &i, "--role", &role)) ||
		    (r = cli_opt(argc, argv, &i, "--username", &user)) ||
		    (r = cli_opt(argc, argv, &i, "--name", &name))) {
			if (r < 0)
				return EXIT_USAGE;
			continue;
		}
		if ((r = cli_opt(argc, argv, &i, "--office", &v)) != 0) {
			if (r < 0 || sc.noffices >= SCOPE_MAX)
				return EXIT_USAGE;
			sc.offices[sc.noffices++] = v;
			continue;
		}
		if ((r = cli_opt(argc, argv, &i, "--department", &v)) != 0) {
			if (r < 0 || sc.ndepartments >= SCOPE_MAX)
				return EXIT_USAGE;
			sc.departments[sc.ndepartments++] = v;
			continue;
		}
		if (argv[i][0] == '-') {
			fprintf(stderr, "suraksha user: unknown option '%s'\n", argv[i]);
			return EXIT_USAGE;
		}
		if (verb == NULL)
			verb = argv[i];
		else if (user == NULL)
			user = argv[i];
		else {
			fprintf(stderr, "suraksha user: unexpected argument '%s'\n", argv[i]);
			return EXIT_USAGE;
		}
		i++;
	}
	if (c.help || verb == NULL) {
		usage(c.help ? stdout : stderr);
		return c.help ? EXIT_OK : EXIT_USAGE;
	}
	if (strcmp(verb, "list") != 0 && user == NULL) {
		fprintf(stderr, "suraksha user %s: which user? (--username U)\n", verb);
		return EXIT_USAGE;
	}
	if (cli_load_config(&c, &cfg) != 0)
		return EXIT_USAGE;
	db_path(cfg.data_dir, path, sizeof(path));
	if ((db = db_open(path, 0, err, sizeof(err))) == NULL) {
		fprintf(stderr, "suraksha user: %s (run 'suraksha init' first)\n", err);
		return EXIT_USAGE;
	}
	if (strcmp(verb, "add") == 0 || strcmp(verb, "passwd") == 0) {
		if (cli_read_secret(pw, sizeof(pw)) != 0) {
			fprintf(stderr, "suraksha user: give the password on the first line of "
			    "stdin\n");
			db_close(db);
			return EXIT_USAGE;
		}
	}
	if (strcmp(verb, "add") == 0) {
		if (role == NULL) {
			fprintf(stderr, "suraksha user add: --role is required\n");
			db_close(db);
			return EXIT_USAGE;
		}
		e = staff_create(db, &cfg, &who, role_parse_staff(role), user, name ? name : user,
		    pw, &sc, msg, sizeof(msg));
	} else if (strcmp(verb, "disable") == 0 || strcmp(verb, "enable") == 0)
		e = staff_set_disabled(db, &who, user, verb[0] == 'd', msg, sizeof(msg));
	else if (strcmp(verb, "scope") == 0)
		e = staff_set_scope(db, &who, user, &sc, msg, sizeof(msg));
	else if (strcmp(verb, "passwd") == 0)
		e = staff_set_password(db, &cfg, &who, user, pw, msg, sizeof(msg));
	else if (strcmp(verb, "list") == 0) {
		rc = list(db);
		db_close(db);
		return rc;
	} else {
		fprintf(stderr, "suraksha user: unknown action '%s'\n", verb);
		usage(stderr);
		db_close(db);
		return EXIT_USAGE;
	}
	memset(pw, 0, sizeof(pw));
	db_close(db);
	if (e != ERR_OK) {
		fprintf(stderr, "suraksha user %s: %s\n", verb, msg[0] ? msg : err_message(e));
		return e == ERR_INTERNAL || e == ERR_UNAVAILABLE ? EXIT_NEGATIVE : EXIT_USAGE;
	}
	printf("user %s: %s done\n", user, verb);
	return EXIT_OK;
}
