/* Passwords, sessions, OTP and the audit chain, against a real SQLite file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit/audit.h"
#include "auth/otp.h"
#include "auth/password.h"
#include "auth/session.h"
#include "auth/staff.h"
#include "config.h"
#include "db/db.h"
#include "util/fsx.h"

static char dir[64];
static struct db *db;
static struct config cfg;
static unsigned char key[OTP_KEY_LEN];

static int
setup(void **state)
{
	char path[256], err[256];

	snprintf(dir, sizeof(dir), "/tmp/suraksha-unit.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	config_defaults(&cfg, dir);
	cfg.scrypt_log2n = 10;
	cfg.otp_resend_interval = 0;
	snprintf(cfg.otp_sink, sizeof(cfg.otp_sink), "file:%s/sms.jsonl", dir);
	snprintf(path, sizeof(path), "%s/keys", dir);
	fsx_mkdirs(path, 0700);
	audit_open(dir);	/* the chain key, keys/audit.key, made by the first record */
	if (otp_key_create(dir) != 0 || otp_key_load(dir, key) != 0)
		return -1;
	snprintf(path, sizeof(path), "%s/suraksha.db", dir);
	if ((db = db_open(path, 1, err, sizeof(err))) == NULL)
		return -1;
	return db_exec(db, "INSERT INTO imports VALUES (1, 'offices', 'x', 'x', 0, 't', 0, 0, 0,"
	    " 0, 0); INSERT INTO departments VALUES ('PWD', 'Public Works', 1);"
	    "INSERT INTO offices VALUES ('OFF-1', 'Office', 'PWD', 'DDO-1', 'Ambala', 1);"
	    "INSERT INTO employees VALUES ('E-1', 'A', 'B', '1980-01-01', 'F', '9812345678',"
	    " 'ABCD1234', 'PWD', 'OFF-1', 'Clerk', 2, 'direct', '2059-80-001-97-51-69', 20000,"
	    " '2010-01-01', 'treasury', 1, 0)");
}

static int
teardown(void **state)
{
	char cmd[128];

	db_close(db);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void
test_password(void **state)
{
	char h1[PASSWORD_HASH_MAX], h2[PASSWORD_HASH_MAX];

	assert_int_equal(password_hash("correct horse", 10, h1), 0);
	assert_int_equal(password_hash("correct horse", 10, h2), 0);
	assert_string_not_equal(h1, h2);		/* salted */
	assert_int_equal(strncmp(h1, "scrypt$10$", 10), 0);
	assert_int_equal(password_verify("correct horse", h1), 1);
	assert_int_equal(password_verify("correct horsE", h1), 0);
	assert_int_equal(password_verify("", h1), 0);
	assert_int_equal(password_verify("x", "md5$abc"), -1);
	assert_int_equal(password_verify("x", "scrypt$10$zz$00"), -1);
	assert_int_equal(password_acceptable("short"), -1);
	assert_int_equal(password_acceptable("long enough"), 0);
	assert_int_equal(password_acceptable("tab\tinside here"), -1);
}

static void
test_staff_login_lockout(void **state)
{
	struct actor who = { "test", "admin", "cli" };
	struct staff_scope sc = { 0 };
	struct session_new s;
	struct principal p;
	char msg[256], csrf[CSRF_HEX];
	enum role role;
	int64_t retry, exp;
	int i;

	sc.offices[0] = "OFF-1";
	sc.noffices = 1;
	assert_int_equal(staff_add(db, &cfg, &who, ROLE_DDO, "ddo1", "DDO One",
	    "a-long-password", &sc, msg, sizeof(msg)), ERR_OK);
	assert_int_equal(staff_add(db, &cfg, &who, ROLE_DDO, "ddo1", "DDO One",
	    "a-long-password", &sc, msg, sizeof(msg)), ERR_EXISTS);
	sc.offices[0] = "NOPE";
	assert_int_equal(staff_add(db, &cfg, &who, ROLE_DDO, "ddo2", "DDO Two",
	    "a-long-password", &sc, msg, sizeof(msg)), ERR_INVALID_FIELD);
	assert_int_equal(staff_login(db, &cfg, "ddo1", "a-long-password", "ip", &s, &role,
	    &retry), ERR_OK);
	assert_int_equal(role, ROLE_DDO);
	assert_int_equal(session_lookup(db, &cfg, s.token, &p, csrf, &exp), SESSION_OK);
	assert_int_equal(p.role, ROLE_DDO);
	assert_string_equal(p.offices[0], "OFF-1");
	assert_string_equal(csrf, s.csrf);
	assert_true(scope_sees_employee(&p, "E-1", "OFF-1", "PWD"));
	assert_false(scope_sees_employee(&p, "E-1", "OFF-2", "PWD"));
	for (i = 0; i < 5; i++)
		assert_int_equal(staff_login(db, &cfg, "ddo1", "wrong-password", "ip", &s, &role,
		    &retry), ERR_BAD_CREDENTIALS);
	assert_int_equal(staff_login(db, &cfg, "ddo1", "a-long-password", "ip", &s, &role,
	    &retry), ERR_LOCKED);
	assert_true(retry > 0 && retry <= cfg.login_lockout);
	/* The lockout is of this address for this name: from elsewhere the user logs in. */
	assert_int_equal(staff_login(db, &cfg, "ddo1", "a-long-password", "ip2", &s, &role,
	    &retry), ERR_OK);
	assert_int_equal(staff_login(db, &cfg, "nobody", "a-long-password", "ip", &s, &role,
	    &retry), ERR_BAD_CREDENTIALS);
	/* Disabling ends sessions. */
	assert_int_equal(staff_set_disabled(db, &who, "ddo1", 1, msg, sizeof(msg)), ERR_OK);
	assert_int_equal(session_lookup(db, &cfg, s.token, &p, csrf, &exp), SESSION_NONE);
	assert_int_equal(session_end(db, s.token), 0);
}

static int
outbox_code(char code[7])
{
	char path[128], line[1024], *p;
	FILE *f;

	snprintf(path, sizeof(path), "%s/sms.jsonl", dir);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	code[0] = '\0';
	while (fgets(line, sizeof(line), f))
		if ((p = strstr(line, "\"otp\": \"")) != NULL ||
		    (p = strstr(line, "\"otp\":\"")) != NULL) {
			p = strchr(p + 5, '"') + 1;
			memcpy(code, p, 6);
			code[6] = '\0';
		}
	fclose(f);
	return code[0] ? 0 : -1;
}

static void
test_otp(void **state)
{
	struct session_new s;
	char masked[16], code[7], wrong[7];
	int64_t retry;
	int i;

	assert_int_equal(otp_request(db, &cfg, key, "E-1", "ABCD1234", "ip", masked, &retry),
	    ERR_OK);
	assert_string_equal(masked, "******5678");
	assert_int_equal(outbox_code(code), 0);
	snprintf(wrong, sizeof(wrong), "%06d", (atoi(code) + 1) % 1000000);
	assert_int_equal(otp_verify(db, &cfg, key, "E-1", wrong, "ip", &s), ERR_OTP_INVALID);
	assert_int_equal(otp_verify(db, &cfg, key, "E-1", code, "ip", &s), ERR_OK);
	assert_int_equal(otp_verify(db, &cfg, key, "E-1", code, "ip", &s), ERR_OTP_INVALID);

	/* Unknown pair: a made-up mask, no message, no code to verify. */
	assert_int_equal(otp_request(db, &cfg, key, "E-1", "WRONG123", "ip", masked, &retry),
	    ERR_OK);
	assert_string_not_equal(masked, "******5678");
	assert_int_equal(otp_verify(db, &cfg, key, "E-1", code, "ip", &s), ERR_OTP_INVALID);

	/* Five wrong tries kill the code. */
	assert_int_equal(otp_request(db, &cfg, key, "E-1", "ABCD1234", "ip", masked, &retry),
	    ERR_OK);
	assert_int_equal(outbox_code(code), 0);
	snprintf(wrong, sizeof(wrong), "%06d", (atoi(code) + 1) % 1000000);
	for (i = 0; i < 4; i++)
		assert_int_equal(otp_verify(db, &cfg, key, "E-1", wrong, "ip", &s),
		    ERR_OTP_INVALID);
	assert_int_equal(otp_verify(db, &cfg, key, "E-1", wrong, "ip", &s), ERR_OTP_DEAD);
	assert_int_equal(otp_verify(db, &cfg, key, "E-1", code, "ip", &s), ERR_OTP_DEAD);
	assert_int_equal(otp_verify(db, &cfg, key, "E-1", "12345", "ip", &s), ERR_OTP_INVALID);

	/* Resend interval. */
	cfg.otp_resend_interval = 60;
	assert_int_equal(otp_request(db, &cfg, key, "E-1", "ABCD1234", "ip", masked, &retry),
	    ERR_RATE_LIMITED);
	assert_true(retry > 0 && retry <= 60);
	cfg.otp_resend_interval = 0;
}

static void
test_audit_chain(void **state)
{
	struct audit_rec r = { "a", "admin", "x.test", "E-1", "thing:1", "ip", NULL, "{}" };
	char why[256];
	int64_t bad, count;
	int i;

	assert_int_equal(db_begin(db), 0);
	for (i = 0; i < 10; i++)
		assert_int_equal(audit_append(db, &r), 0);
	assert_int_equal(db_commit(db), 0);
	assert_int_equal(audit_verify(db, &bad, &count, why, sizeof(why)), AUDIT_INTACT);
	assert_true(count >= 10);
	assert_int_equal(db_exec(db, "UPDATE audit SET after = '{\"x\":1}' WHERE id = 3"), 0);
	assert_int_equal(audit_verify(db, &bad, &count, why, sizeof(why)), AUDIT_BROKEN);
	assert_int_equal(bad, 3);
	assert_int_equal(count, 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_password),
		cmocka_unit_test(test_staff_login_lockout),
		cmocka_unit_test(test_otp),
		cmocka_unit_test(test_audit_chain),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
