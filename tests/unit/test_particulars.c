/* Particulars the feeds got wrong (issue 14) on a real SQLite file: migration 5 on a
 * database of the previous schema (existing employees get their feed row and the flags
 * seen without a feed), the login check (a known pair only, no valid mobile or a blocking
 * flag), shared mobiles opened and closed, a certified value standing over the feed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "audit/audit.h"
#include "db/db.h"
#include "db/schema.h"
#include "import/particulars.h"
#include "util/fsx.h"

static char dir[64], path[96];
static struct db *db;
static struct actor act = { "tester", "test", "cli" };

/* The database as the previous schema left it: migrations 1-4 and three employees, two
 * sharing a mobile and one with a head of account that is not contractual. */
static const char OLD[] =
    "INSERT INTO imports (id, source, file_name, file_sha256, at, actor, rows_total,"
    " rows_inserted, rows_updated, rows_unchanged, rows_rejected)"
    " VALUES (1, 'offices', 'x', 'x', 0, 'cli', 0, 0, 0, 0, 0);"
    "INSERT INTO departments VALUES ('PWD', 'Works', 1);"
    "INSERT INTO offices VALUES ('PWD-1', 'Works 1', 'PWD', 'DDO-1', 'Ambala', 1);"
    "INSERT INTO employees VALUES"
    " ('E-A', 'A', 'F', '1985-03-12', 'F', '9812345601', 'PPP0001A', 'PWD', 'PWD-1', 'Clerk',"
    "  2, 'direct', '2059-80-001-97-51-69', 24000, '2012-04-01', 'treasury', 1, 0),"
    " ('E-B', 'B', 'F', '1985-03-12', 'M', '9812345601', 'PPP0002B', 'PWD', 'PWD-1', 'Peon',"
    "  1, 'hkrnl', '2059-80-001-97-51-69', 15000, '2015-01-01', 'hkrnl', 1, 0),"
    " ('E-C', 'C', 'F', '1985-03-12', 'M', '9812345603', 'PPP0003C', 'PWD', 'PWD-1', 'Mason',"
    "  1, 'hkrnl', '2059-80-001-97-51-01', 15000, '2015-01-01', 'hkrnl', 1, 0);";

static int64_t
count(const char *sql)
{
	sqlite3_stmt *st = db_prepare(db, sql);
	int64_t n = -1;

	if (st != NULL && sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	db_done(st);
	return n;
}

static int
setup(void **state)
{
	char err[256], pragma[64];
	sqlite3 *h;
	size_t i;

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/suraksha-part.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/keys", dir);
	if (fsx_mkdirs(path, 0700) != 0)
		return -1;
	audit_open(dir);	/* the chain key, keys/audit.key, made by the first record */
	snprintf(path, sizeof(path), "%s/db", dir);
	if (sqlite3_open(path, &h) != SQLITE_OK)
		return -1;
	for (i = 0; i < 4; i++)
		if (sqlite3_exec(h, schema_migration(i), NULL, NULL, NULL) != SQLITE_OK)
			return -1;
	snprintf(pragma, sizeof(pragma), "PRAGMA user_version = 4");
	if (sqlite3_exec(h, pragma, NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_exec(h, OLD, NULL, NULL, NULL) != SQLITE_OK)
		return -1;
	sqlite3_close(h);
	db = db_open(path, 0, err, sizeof(err));
	return db == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	db_close(db);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

static void
test_migration(void **state)
{
	(void)state;
	assert_int_equal(count("SELECT count(*) FROM employee_feeds"), 3);
	assert_int_equal(count("SELECT count(*) FROM employee_flags WHERE closed_at IS NULL"
	    " AND particular = 'mobile' AND reason = 'shared'"), 2);
	assert_int_equal(count("SELECT count(*) FROM employee_flags WHERE employee_id = 'E-C'"
	    " AND reason = 'not_contractual'"), 1);
}

static void
test_login(void **state)
{
	(void)state;
	/* a shared mobile stops the OTP for the known pair only */
	assert_int_equal(particulars_login_blocked(db, "E-A", "PPP0001A"), 1);
	assert_int_equal(particulars_login_blocked(db, "E-A", "PPP9999Z"), 0);
	assert_int_equal(particulars_login_blocked(db, "NOBODY", "PPP0001A"), 0);
	assert_int_equal(particulars_login_blocked(db, "E-A", NULL), 0);
	/* a head of account does not stop it */
	assert_int_equal(particulars_login_blocked(db, "E-C", "PPP0003C"), 0);
}

static void
test_shared_and_certified(void **state)
{
	long opened = 0;

	(void)state;
	assert_int_equal(db_begin(db), 0);
	/* E-B gets another number: neither shares any more */
	assert_int_equal(db_exec(db, "UPDATE employees SET mobile = '9812345602' WHERE id ="
	    " 'E-B'"), 0);
	assert_int_equal(particulars_shared(db, "9812345601", "9812345602", 0, &act, &opened), 0);
	assert_int_equal(opened, 0);
	assert_int_equal(count("SELECT count(*) FROM employee_flags WHERE closed_at IS NULL"
	    " AND reason = 'shared'"), 0);
	assert_int_equal(count("SELECT count(*) FROM audit WHERE action = 'employee.flag_clear'"),
	    2);
	/* E-C takes E-A's number: both flagged; certified for E-C, only E-A stays */
	assert_int_equal(db_exec(db, "UPDATE employees SET mobile = '9812345601' WHERE id ="
	    " 'E-C'"), 0);
	assert_int_equal(particulars_shared(db, NULL, NULL, 0, &act, &opened), 0);
	assert_int_equal(opened, 2);
	assert_int_equal(db_exec(db, "INSERT INTO documents (id, employee_id, kind, name, mime,"
	    " size, sha256, uploaded_at, uploaded_by) VALUES (1, 'E-C', 'discrepancy_certificate',"
	    " 'c.pdf', 'application/pdf', 1, printf('%064d', 0), 0, 'x');"
	    "INSERT INTO certifications (id, employee_id, issuer, role, fields, remarks,"
	    " document_id, at) VALUES (1, 'E-C', 'ddo', 'ddo', '{}', 'ok', 1, 0)"), 0);
	assert_int_equal(particulars_certify(db, "E-C", PART_MOBILE, "9812345601", 1, &act), 0);
	assert_int_equal(count("SELECT count(*) FROM employee_flags WHERE employee_id = 'E-C'"
	    " AND particular = 'mobile' AND closed_how = 'certified' AND certification_id = 1"),
	    1);
	opened = 0;
	assert_int_equal(particulars_shared(db, NULL, NULL, 0, &act, &opened), 0);
	assert_int_equal(opened, 0);
	assert_int_equal(count("SELECT count(*) FROM employee_flags WHERE closed_at IS NULL"
	    " AND reason = 'shared'"), 1);
	db_commit(db);
}

static void
test_certified_stands_over_feed(void **state)
{
	struct row_flags rf;
	struct employee e;

	(void)state;
	assert_int_equal(employee_get(db, "E-C", &e), 0);
	/* the HKRNL feed repeats the number it said when certified: the certified one stands */
	memset(&rf, 0, sizeof(rf));
	snprintf(rf.feed[PART_MOBILE], FEED_VALUE_MAX, "9812345603");
	rf.reasons[PART_MOBILE] = 1u << REASON_INVALID;
	snprintf(e.mobile, sizeof(e.mobile), "9812345603");
	assert_int_equal(db_begin(db), 0);
	assert_int_equal(particulars_before_put(db, "hkrnl", &e, &rf, &act), 0);
	assert_string_equal(e.mobile, "9812345601");
	assert_int_equal(rf.certified[PART_MOBILE], 1);
	assert_int_equal(rf.reasons[PART_MOBILE], 0u);
	/* a feed that changes the number drops the certified value */
	snprintf(rf.feed[PART_MOBILE], FEED_VALUE_MAX, "9812345699");
	rf.certified[PART_MOBILE] = 0;
	snprintf(e.mobile, sizeof(e.mobile), "9812345699");
	assert_int_equal(particulars_before_put(db, "hkrnl", &e, &rf, &act), 0);
	assert_string_equal(e.mobile, "9812345699");
	assert_int_equal(count("SELECT count(*) FROM employee_certified WHERE employee_id ="
	    " 'E-C'"), 0);
	db_rollback(db);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_migration),
		cmocka_unit_test(test_login),
		cmocka_unit_test(test_shared_and_certified),
		cmocka_unit_test(test_certified_stands_over_feed),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
