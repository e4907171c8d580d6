/* suraksha init and suraksha backup. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit/audit.h"
#include "auth/otp.h"
#include "util/timeutil.h"
#include "auth/provision.h"
#include "cli.h"
#include "commands.h"
#include "config.h"
#include "db/db.h"
#include "import/master.h"
#include "letters/pki.h"
#include "letters/store.h"
#include "signer/keys.h"
#include "cases/rules.h"
#include "util/buf.h"
#include "util/fsx.h"
#include "util/log.h"

/* Folders of a data directory and their modes. */
static const struct {
	const char	*name;
	mode_t		 mode;
} folders[] = {
	{ "", 0750 }, { "blobs", 0750 }, { "tmp", 0700 }, { "letters", 0750 },
	{ "keys", 0700 }, { "outbox", 0700 },
};

/* The demo accounts: username, role, scope, password (printed by init --demo). */
static const struct {
	const char	*user, *role, *office, *department, *name;
} demo_users[] = {
	{ "admin", "admin", NULL, NULL, "Portal Administrator" },
	{ "ddo.pwd.amb", "ddo", "PWD-AMB-01", NULL, "DDO, PWD Ambala" },
	{ "ddo.hlt.kkr", "ddo", "HLT-KKR-01", NULL, "DDO, Health Kurukshetra" },
	{ "hod.pwd", "hod", NULL, "PWD", "Engineer-in-Chief, PWD (B&R)" },
	{ "hod.hlt", "hod", NULL, "HLT", "Director General, Health Services" },
	{ "secy.pwd", "admin_secretary", NULL, "PWD", "Administrative Secretary, PWD" },
	{ "finance", "finance", NULL, NULL, "Finance Department" },
	{ "auditor", "auditor", NULL, NULL, "Auditor" },
};
#define DEMO_PASSWORD "suraksha-demo"

static int
make_folders(const char *data)
{
	char path[PATH_MAX];
	size_t i;

	for (i = 0; i < sizeof(folders) / sizeof(folders[0]); i++) {
		if (fsx_join(path, sizeof(path), data, folders[i].name) != 0 ||
		    fsx_mkdirs(path, folders[i].mode) != 0 || chmod(path, folders[i].mode) != 0) {
			fprintf(stderr, "suraksha init: cannot create %s: %s\n", path,
			    strerror(errno));
			return -1;
		}
	}
	return 0;
}

static int
load_demo(struct db *db, const struct config *cfg, const char *dir)
{
	static const struct { const char *file; enum import_source src; } files[] = {
		{ "offices.csv", IMPORT_OFFICES }, { "hkrnl.csv", IMPORT_HKRNL },
		{ "treasury.csv", IMPORT_TREASURY },
	};
	struct actor who = { "cli:init", "admin", "cli" };
	struct import_stats st;
	char path[PATH_MAX], err[512], msg[256];
	size_t i;
	FILE *devnull = fopen("/dev/null", "w");

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		fsx_join(path, sizeof(path), dir, files[i].file);
		if (import_csv(db, files[i].src, path, NULL, &who, devnull ? devnull : stderr, &st, err,
		    sizeof(err)) != 0 || st.rejected > 0) {
			fprintf(stderr, "suraksha init: demo data %s: %s\n", path,
			    st.rejected ? "rows were refused" : err);
			if (devnull)
				fclose(devnull);
			return -1;
		}
	}
	if (devnull)
		fclose(devnull);
	for (i = 0; i < sizeof(demo_users) / sizeof(demo_users[0]); i++) {
		struct staff_scope sc = { 0 };
		enum err e;

		if (demo_users[i].office) {
			sc.offices[0] = demo_users[i].office;
			sc.noffices = 1;
		}
		if (demo_users[i].department) {
			sc.departments[0] = demo_users[i].department;
			sc.ndepartments = 1;
		}
		e = staff_create(db, cfg, &who, role_parse_staff(demo_users[i].role),
		    demo_users[i].user, demo_users[i].name, DEMO_PASSWORD, &sc, msg, sizeof(msg));
		if (e != ERR_OK && e != ERR_EXISTS) {
			fprintf(stderr, "suraksha init: demo user %s: %s\n", demo_users[i].user,
			    msg[0] ? msg : err_message(e));
			return -1;
		}
	}
	printf("demo data loaded from %s\n", dir);
	printf("staff accounts (password '%s' for each):\n", DEMO_PASSWORD);
	for (i = 0; i < sizeof(demo_users) / sizeof(demo_users[0]); i++)
		printf("  %-14s %s\n", demo_users[i].user, demo_users[i].name);
	printf("employees log in with employee id + Family ID and an OTP written to "
	    "%s/outbox/sms.jsonl (see docs/demo/README.md for the ids)\n", cfg->data_dir);
	return 0;
}

int
cmd_init(int argc, char **argv)
{
	struct cli_common c = { 0 };
	struct config cfg;
	const char *demo_dir = "docs/demo";
	char path[PATH_MAX], keys[PATH_MAX], err[512];
	int i, r, demo = 0, pr;
	struct db *db;
	FILE *f;

	for (i = 1; i < argc;) {
		if ((r = cli_common_opt(argc, argv, &i, &c)) < 0)
			return EXIT_USAGE;
		if (r > 0)
			continue;
		if (strcmp(argv[i], "--demo") == 0) {
			demo = 1;
			i++;
		} else if ((r = cli_opt(argc, argv, &i, "--demo-dir", &demo_dir)) != 0) {
			if (r < 0)
				return EXIT_USAGE;
			demo = 1;
		} else {
			fprintf(stderr, "suraksha init: unknown argument '%s'\n", argv[i]);
			return EXIT_USAGE;
		}
	}
	if (c.help) {
		printf("usage: suraksha init [--data DIR] [--config FILE] [--demo] "
		    "[--demo-dir DIR]\n  creates DIR (default ./storage) with its folders, the "
		    "database, keys/ca.pem (the portal CA), keys/otp.key and suraksha.conf; safe "
		    "to run again (nothing existing is replaced).\n  --demo loads the demo "
		    "department, offices, employees and one account of each role from "
		    "docs/demo (or --demo-dir).\n");
		return EXIT_OK;
	}
	if (cli_load_config(&c, &cfg) != 0 || make_folders(cfg.data_dir) != 0)
		return EXIT_USAGE;
	fsx_join(path, sizeof(path), cfg.data_dir, "suraksha.conf");
	if (access(path, F_OK) != 0) {
		if ((f = fopen(path, "w")) == NULL) {
			fprintf(stderr, "suraksha init: cannot write %s\n", path);
			return EXIT_USAGE;
		}
		config_write(&cfg, f);
		fclose(f);
	}
	fsx_join(keys, sizeof(keys), cfg.data_dir, "keys");
	if ((pr = pki_ca_init(keys)) != PKI_OK) {
		fprintf(stderr, "suraksha init: portal CA: %s\n", pki_strerror(pr));
		return EXIT_USAGE;
	}
	/* The token (hsm/) with the portal seal, the HKCL export key and the TSA key, their
	 * certificates with the CRL distribution point (issue 9: the server never reads the CA
	 * key, so the export is signed with the "hkcl" key the signer reaches). */
	pki_set_crl_base_url(cfg.base_url);
	if (signer_keys_init(&cfg) != 0)
		return EXIT_USAGE;
	/* issue 9: a first, empty CRL */
	fsx_join(path, sizeof(path), keys, "crl.der");
	if (access(path, F_OK) != 0 && (pr = pki_crl_write(keys, NULL, 0, time_now())) != PKI_OK) {
		fprintf(stderr, "suraksha init: CRL: %s\n", pki_strerror(pr));
		return EXIT_USAGE;
	}
	fsx_join(path, sizeof(path), cfg.data_dir, "rules.conf");
	if (access(path, F_OK) != 0) {
		struct rules_params rp;
		struct buf b;

		rules_defaults(&rp);
		buf_init(&b, 1024 * 1024);
		if (rules_format(&rp, &b) != 0 ||
		    fsx_write_atomic(path, b.data, b.len, 0640) != 0) {
			buf_free(&b);
			fprintf(stderr, "suraksha init: cannot write %s\n", path);
			return EXIT_USAGE;
		}
		buf_free(&b);
	}
	if (otp_key_create(cfg.data_dir) != 0) {
		fprintf(stderr, "suraksha init: cannot create keys/otp.key\n");
		return EXIT_USAGE;
	}
	if (db_path(cfg.data_dir, path, sizeof(path)) != 0 ||
	    (db = db_open(path, 1, err, sizeof(err))) == NULL) {
		fprintf(stderr, "suraksha init: %s\n", err);
		return EXIT_USAGE;
	}
	r = demo ? load_demo(db, &cfg, demo_dir) : 0;
	db_close(db);
	if (r != 0)
		return EXIT_USAGE;
	printf("initialised %s (database, keys/ca.pem, suraksha.conf, rules.conf)\n", cfg.data_dir);
	return EXIT_OK;
}

/* Copies a folder tree file by file (regular files only). */
static int
copy_tree(const char *from, const char *to, mode_t mode)
{
	char a[PATH_MAX], b[PATH_MAX];
	struct dirent *de;
	struct stat st;
	DIR *d;
	int rc = 0;

	if ((d = opendir(from)) == NULL)
		return errno == ENOENT ? 0 : -1;
	if (fsx_mkdirs(to, mode) != 0) {
		closedir(d);
		return -1;
	}
	while (rc == 0 && (de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (fsx_join(a, sizeof(a), from, de->d_name) != 0 ||
		    fsx_join(b, sizeof(b), to, de->d_name) != 0 || lstat(a, &st) != 0) {
			rc = -1;
			break;
		}
		if (S_ISDIR(st.st_mode))
			rc = copy_tree(a, b, st.st_mode & 07777);
		else if (S_ISREG(st.st_mode) && strstr(de->d_name, ".tmp.") == NULL)
			rc = fsx_copy(a, b);
	}
	closedir(d);
	if (rc == 0)
		rc = fsx_fsync_dir(to);
	return rc;
}

/* The copy is made safe to start from (issue 11): sessions and pending codes are not
 * carried over (a restored portal must not honour a login made before the backup), and
 * letters issued after the snapshot whose files were copied are listed for the restore. */
static int
backup_finish(const char *src_db, const char *dst_db, const char *dest)
{
	struct db *snap = NULL, *live = NULL;
	char err[256];
	long marked = 0;
	int rc = -1;

	if ((snap = db_open(dst_db, 0, err, sizeof(err))) == NULL ||
	    (live = db_open(src_db, 0, err, sizeof(err))) == NULL) {
		fprintf(stderr, "suraksha backup: %s\n", err);
		goto out;
	}
	if (db_exec(snap, "DELETE FROM sessions; DELETE FROM otps;") != 0 ||
	    letter_backup_mark(dest, snap, live, &marked) != 0) {
		fprintf(stderr, "suraksha backup: cannot finish the copy's database\n");
		goto out;
	}
	if (marked > 0)
		printf("%ld letters issued while the backup ran are listed in letters/%s; "
		    "'suraksha restore' registers them\n", marked, LETTER_AFTER_SNAPSHOT);
	rc = 0;
out:
	db_close(snap);
	db_close(live);
	return rc;
}

int
cmd_backup(int argc, char **argv)
{
	static const char *const trees[] = { "keys", "hsm", "blobs", "letters" };
	static const char *const files[] = { "suraksha.conf", "rules.conf" };
	struct cli_common c = { 0 };
	const char *dest = NULL;
	char src[PATH_MAX], dst[PATH_MAX], a[PATH_MAX], b[PATH_MAX];
	sqlite3 *from = NULL, *to = NULL;
	sqlite3_backup *bk;
	struct config cfg;
	size_t k;
	int i, r, rc = EXIT_NEGATIVE;

	for (i = 1; i < argc;) {
		if ((r = cli_common_opt(argc, argv, &i, &c)) < 0)
			return EXIT_USAGE;
		if (r > 0)
			continue;
		if (dest != NULL || argv[i][0] == '-') {
			fprintf(stderr, "suraksha backup: unexpected argument '%s'\n", argv[i]);
			return EXIT_USAGE;
		}
		dest = argv[i++];
	}
	if (c.help || dest == NULL) {
		fprintf(c.help ? stdout : stderr, "usage: suraksha backup [--data DIR] DEST\n"
		    "  copies the database (SQLite online backup: a consistent snapshot while the "
		    "server runs), then keys/, blobs/, letters/ and the config files into DEST, a "
		    "new folder. 'suraksha serve --data DEST' starts from it.\n");
		return c.help ? EXIT_OK : EXIT_USAGE;
	}
	if (cli_load_config(&c, &cfg) != 0)
		return EXIT_USAGE;
	if (mkdir(dest, 0750) != 0) {
		fprintf(stderr, "suraksha backup: cannot create %s: %s (it must not exist)\n", dest,
		    strerror(errno));
		return EXIT_USAGE;
	}
	db_path(cfg.data_dir, src, sizeof(src));
	db_path(dest, dst, sizeof(dst));
	if (sqlite3_open_v2(src, &from, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
	    sqlite3_open_v2(dst, &to, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
	    SQLITE_OK) {
		fprintf(stderr, "suraksha backup: cannot open %s\n", src);
		goto out;
	}
	sqlite3_busy_timeout(from, 5000);
	/* The database first: every blob and letter a row names was stored before its row
	 * committed, so the files copied afterwards hold all the snapshot refers to. */
	if ((bk = sqlite3_backup_init(to, "main", from, "main")) == NULL) {
		fprintf(stderr, "suraksha backup: %s\n", sqlite3_errmsg(to));
		goto out;
	}
	while ((r = sqlite3_backup_step(bk, -1)) == SQLITE_BUSY || r == SQLITE_LOCKED)
		sqlite3_sleep(50);
	sqlite3_backup_finish(bk);
	if (r != SQLITE_DONE) {
		fprintf(stderr, "suraksha backup: database copy failed: %s\n", sqlite3_errstr(r));
		goto out;
	}
	sqlite3_close(to);
	to = NULL;
	for (k = 0; k < sizeof(trees) / sizeof(trees[0]); k++) {
		fsx_join(a, sizeof(a), cfg.data_dir, trees[k]);
		fsx_join(b, sizeof(b), dest, trees[k]);
		if (copy_tree(a, b, strcmp(trees[k], "keys") == 0 ||
		    strcmp(trees[k], "hsm") == 0 ? 0700 : 0750) != 0) {
			fprintf(stderr, "suraksha backup: cannot copy %s\n", a);
			goto out;
		}
	}
	for (k = 0; k < sizeof(files) / sizeof(files[0]); k++) {
		fsx_join(a, sizeof(a), cfg.data_dir, files[k]);
		fsx_join(b, sizeof(b), dest, files[k]);
		if (access(a, F_OK) == 0 && fsx_copy(a, b) != 0) {
			fprintf(stderr, "suraksha backup: cannot copy %s\n", a);
			goto out;
		}
	}
	for (k = 0; k < sizeof(folders) / sizeof(folders[0]); k++) {
		fsx_join(b, sizeof(b), dest, folders[k].name);
		fsx_mkdirs(b, folders[k].mode);
	}
	if (backup_finish(src, dst, dest) != 0)
		goto out;
	fsx_fsync_dir(dest);
	printf("backup of %s written to %s\n", cfg.data_dir, dest);
	rc = EXIT_OK;
out:
	sqlite3_close(from);
	sqlite3_close(to);
	return rc;
}
