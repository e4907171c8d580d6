/* The case state machine on a real SQLite file: every transition with its role, scope,
 * state and window checks; the letter hook at approval (called inside the transaction, a
 * failure rolls everything back); certification correcting the employee record; CSV
 * cells safe against formula injection. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "audit/audit.h"
#include "util/fsx.h"
#include "cases/case_int.h"
#include "cases/deadline.h"
#include "db/db.h"
#include "util/timeutil.h"

/* 2026-01-15 12:00 IST: every window open. */
#define T_OPEN "1768458600"

static char dir[64];
static struct db *db;
static struct rules_params rules;
static struct principal emp_a, emp_b, ddo, ddo_other, hod, hod_other, secy, fin, aud;
static struct actor act = { "tester", "test", "cli" };

static const char SEED[] =
    "INSERT INTO imports (id, source, file_name, file_sha256, at, actor, rows_total,"
    " rows_inserted, rows_updated, rows_unchanged, rows_rejected)"
    " VALUES (1, 'offices', 'x', 'x', 0, 'cli', 0, 0, 0, 0, 0);"
    "INSERT INTO departments VALUES ('PWD', 'Works', 1), ('HLT', 'Health', 1);"
    "INSERT INTO offices VALUES ('PWD-1', 'Works 1', 'PWD', 'DDO-1', 'Ambala', 1),"
    " ('HLT-1', 'Health 1', 'HLT', 'DDO-2', 'Karnal', 1);"
    "INSERT INTO employees VALUES"
    " ('E-A', 'A', 'F', '1985-03-12', 'F', '9812345601', 'PPP0001A', 'PWD', 'PWD-1', 'Clerk',"
    "  2, 'direct', '2059-80-001-97-51-69', 24000, '2012-04-01', 'treasury', 1, 0),"
    " ('E-B', 'B', 'F', '1985-03-12', 'M', '9812345602', 'PPP0002B', 'HLT', 'HLT-1', 'Nurse',"
    "  6, 'hkrnl', '2210-01-110-99-51-69', 35000, '2015-01-01', 'hkrnl', 1, 0);";

static const char SERVICE[] =
    "{\"spells\":[{\"from\":\"2012-04-01\",\"to\":null,\"kind\":\"contract\"}],"
    "\"centrally_sponsored\":false,\"part_time\":false,\"marriage_clause\":false}";

static void
principal(struct principal *p, enum role r, const char *emp, const char *office,
    const char *dept)
{
	memset(p, 0, sizeof(*p));
	p->role = r;
	snprintf(p->username, sizeof(p->username), "%s", role_name(r));
	if (emp)
		snprintf(p->employee_id, sizeof(p->employee_id), "%s", emp);
	if (office) {
		snprintf(p->offices[0], CODE_MAX, "%s", office);
		p->noffices = 1;
	}
	if (dept) {
		snprintf(p->departments[0], CODE_MAX, "%s", dept);
		p->ndepartments = 1;
	}
}

static struct case_ctx
as(const struct principal *p)
{
	struct case_ctx cx = { db, &rules, p, &act };

	return cx;
}

static void
docs(const char *emp, int hkrnl)
{
	static const char *const kinds[] = {
		"engagement_order", "salary_proof", "dob_proof", "family_id",
		"marital_declaration", "hkrnl_deployment_letter",
	};
	char sql[512];
	size_t i;

	for (i = 0; i < (hkrnl ? 6u : 5u); i++) {
		snprintf(sql, sizeof(sql), "INSERT INTO documents (employee_id, kind, name, mime, "
		    "size, sha256, uploaded_at, uploaded_by) VALUES ('%s', '%s', 'x', 'application/"
		    "pdf', 1, printf('%%064d', %zu), 0, 'x')", emp, kinds[i], i);
		assert_int_equal(db_exec(db, sql), 0);
	}
}

static int64_t
count(const char *sql)
{
	sqlite3_stmt *st;
	int64_t n = -1;

	assert_int_equal(sqlite3_prepare_v2(db_handle(db), sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

static void
state_is(const char *emp, const char *state)
{
	sqlite3_stmt *st;
	char sql[128];

	snprintf(sql, sizeof(sql), "SELECT state FROM cases WHERE employee_id = '%s'", emp);
	assert_int_equal(sqlite3_prepare_v2(db_handle(db), sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, 0), state);
	sqlite3_finalize(st);
}

static json_t *
js(const char *text)
{
	json_t *j = json_loads(text, 0, NULL);

	assert_non_null(j);
	return j;
}

static int
setup(void **state)
{
	char path[128], err[256];

	snprintf(dir, sizeof(dir), "/tmp/t_case.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/keys", dir);
	assert_int_equal(fsx_mkdirs(path, 0700), 0);
	audit_open(dir);	/* the chain key, keys/audit.key, made by the first record */
	snprintf(path, sizeof(path), "%s/suraksha.db", dir);
	db = db_open(path, 1, err, sizeof(err));
	assert_non_null(db);
	assert_int_equal(db_exec(db, SEED), 0);
	rules_defaults(&rules);
	principal(&emp_a, ROLE_EMPLOYEE, "E-A", NULL, NULL);
	principal(&emp_b, ROLE_EMPLOYEE, "E-B", NULL, NULL);
	principal(&ddo, ROLE_DDO, NULL, "PWD-1", NULL);
	principal(&ddo_other, ROLE_DDO, NULL, "HLT-1", NULL);
	principal(&hod, ROLE_HOD, NULL, NULL, "PWD");
	principal(&hod_other, ROLE_HOD, NULL, NULL, "HLT");
	principal(&secy, ROLE_ADMIN_SECRETARY, NULL, NULL, "PWD");
	principal(&fin, ROLE_FINANCE, NULL, NULL, NULL);
	principal(&aud, ROLE_AUDITOR, NULL, NULL, NULL);
	return 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	db_close(db);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

struct hook_seen {
	int	 calls;
	int	 fail;
	char	 emp[CODE_MAX];
	int	 level;
	int64_t	 consolidated;
	int	 in_txn;
};

static int
hook(struct db *d, const struct case_view *cv, char ref_out[64], void *arg)
{
	struct hook_seen *h = arg;

	h->calls++;
	snprintf(h->emp, sizeof(h->emp), "%s", cv->emp.id);
	h->level = cv->post.pay_level;
	h->consolidated = cv->outcome.consolidated;
	h->in_txn = !sqlite3_get_autocommit(db_handle(d));
	if (h->fail)
		return -1;
	snprintf(ref_out, 64, "SSO/PWD/2026/%06d", h->calls);
	return 0;
}

static void
test_flow_to_approval_with_letter(void **state)
{
	struct case_ctx ce = as(&emp_a), cd = as(&ddo), cf = as(&fin), ch = as(&hod);
	struct case_ctx ch2 = as(&hod_other);
	struct hook_seen seen = { 0 };
	json_t *svc = js(SERVICE), *v, *posts, *out = NULL;
	char msg[512], ref[64];
	int64_t audits;

	assert_int_equal(case_submit(&ce, "E-A", msg, sizeof(msg)), ERR_UNPROCESSABLE);
	assert_int_equal(case_set_service(&ce, "E-A", svc, msg, sizeof(msg)), ERR_OK);
	assert_int_equal(case_submit(&ce, "E-A", msg, sizeof(msg)), ERR_UNPROCESSABLE);
	assert_non_null(strstr(msg, "salary_proof"));
	docs("E-A", 0);
	assert_int_equal(case_submit(&ce, "E-A", msg, sizeof(msg)), ERR_OK);
	state_is("E-A", "submitted");
	/* The employee's own colleagues and other offices do not see it. */
	{
		struct case_ctx cb = as(&emp_b), co = as(&ddo_other);

		assert_int_equal(case_get_json(&cb, "E-A", &out, msg, sizeof(msg)), ERR_NOT_FOUND);
		v = js("{\"decision\":\"verified\"}");
		assert_int_equal(case_verify(&co, "E-A", v, msg, sizeof(msg)), ERR_NOT_FOUND);
		assert_int_equal(case_verify(&ce, "E-A", v, msg, sizeof(msg)), ERR_FORBIDDEN);
		assert_int_equal(case_verify(&cd, "E-A", v, msg, sizeof(msg)), ERR_OK);
		json_decref(v);
	}
	state_is("E-A", "verified");
	posts = js("{\"employee_ids\":[\"E-A\"],\"designation\":\"Clerk\",\"pay_level\":2}");
	assert_int_equal(case_posts(&ch, posts, &out, msg, sizeof(msg)), ERR_FORBIDDEN);
	assert_int_equal(case_posts(&cf, posts, &out, msg, sizeof(msg)), ERR_OK);
	json_decref(out);
	json_decref(posts);
	state_is("E-A", "post_created");
	assert_int_equal(case_approve(&ch2, "E-A", NULL, hook, &seen, ref, msg, sizeof(msg)),
	    ERR_NOT_FOUND);
	/* A failing letter hook rolls the approval back whole. */
	audits = count("SELECT count(*) FROM audit");
	seen.fail = 1;
	assert_int_equal(case_approve(&ch, "E-A", "ok", hook, &seen, ref, msg, sizeof(msg)),
	    ERR_INTERNAL);
	state_is("E-A", "post_created");
	assert_int_equal(count("SELECT count(*) FROM audit"), audits);
	seen.fail = 0;
	assert_int_equal(case_approve(&ch, "E-A", "ok", hook, &seen, ref, msg, sizeof(msg)),
	    ERR_OK);
	assert_string_equal(ref, "SSO/PWD/2026/000002");
	assert_int_equal(seen.calls, 2);
	assert_string_equal(seen.emp, "E-A");
	assert_int_equal(seen.level, 2);
	assert_int_equal(seen.consolidated, 19900 + 3000);	/* 12 years: 15 % of 19900 */
	assert_true(seen.in_txn);
	state_is("E-A", "approved");
	assert_int_equal(count("SELECT count(*) FROM cases WHERE employee_id = 'E-A' AND "
	    "letter_ref = 'SSO/PWD/2026/000002' AND decided_by = 'tester'"), 1);
	assert_int_equal(count("SELECT count(*) FROM audit WHERE case_id = 'E-A' AND action "
	    "LIKE 'case.%'"), 5);
	assert_int_equal(count("SELECT count(*) FROM case_history WHERE employee_id = 'E-A'"), 5);
	assert_int_equal(case_get_json(&ce, "E-A", &out, msg, sizeof(msg)), ERR_OK);
	assert_string_equal(json_string_value(json_object_get(out, "letter_ref")),
	    "SSO/PWD/2026/000002");
	json_decref(out);
	json_decref(svc);
}

static void
test_certify(void **state)
{
	struct case_ctx ce = as(&emp_b), cd = as(&ddo_other), cs = as(&secy), cf = as(&fin);
	struct case_ctx ch = as(&hod_other);
	json_t *svc = js("{\"spells\":[{\"from\":\"2015-01-01\",\"to\":null,\"kind\":\"hkrnl\"}],"
	    "\"centrally_sponsored\":false,\"part_time\":false,\"marriage_clause\":false}");
	json_t *v, *fields, *partial;
	char msg[512], sql[256];
	int64_t doc, other;

	assert_int_equal(case_set_service(&ce, "E-B", svc, msg, sizeof(msg)), ERR_OK);
	docs("E-B", 1);
	assert_int_equal(case_submit(&ce, "E-B", msg, sizeof(msg)), ERR_OK);
	fields = js("{\"mobile\":\"09876512345\",\"engagement_mode\":\"direct\"}");
	partial = js("{\"mobile\":\"09876512345\"}");
	assert_int_equal(db_exec(db, "INSERT INTO documents (employee_id, kind, name, mime, size,"
	    " sha256, uploaded_at, uploaded_by) VALUES ('E-B', 'discrepancy_certificate', 'c',"
	    " 'application/pdf', 1, printf('%064d', 77), 0, 'x'), ('E-B', 'other', 'o',"
	    " 'application/pdf', 1, printf('%064d', 78), 0, 'x')"), 0);
	doc = count("SELECT id FROM documents WHERE kind = 'discrepancy_certificate'");
	other = count("SELECT id FROM documents WHERE kind = 'other' AND employee_id = 'E-B'");
	assert_int_equal(case_certify(&ch, "E-B", fields, "ok", doc, msg, sizeof(msg)),
	    ERR_WRONG_STATE);
	v = js("{\"decision\":\"discrepancy\",\"fields\":[\"mobile\",\"engagement_mode\"]}");
	assert_int_equal(case_verify(&cd, "E-B", v, msg, sizeof(msg)), ERR_OK);
	json_decref(v);
	state_is("E-B", "discrepancy");
	assert_int_equal(case_certify(&cf, "E-B", fields, "ok", doc, msg, sizeof(msg)),
	    ERR_FORBIDDEN);
	assert_int_equal(case_certify(&cs, "E-B", fields, "ok", doc, msg, sizeof(msg)),
	    ERR_NOT_FOUND);	/* secretary of PWD; the case is HLT */
	assert_int_equal(case_certify(&ch, "E-B", fields, "ok", other, msg, sizeof(msg)),
	    ERR_UNPROCESSABLE);
	assert_int_equal(case_certify(&ch, "E-B", partial, "ok", doc, msg, sizeof(msg)),
	    ERR_UNPROCESSABLE);
	assert_int_equal(case_certify(&ch, "E-B", fields, NULL, doc, msg, sizeof(msg)),
	    ERR_INVALID_FIELD);
	state_is("E-B", "discrepancy");
	assert_int_equal(case_certify(&ch, "E-B", fields, "genuine; paid under 69", doc, msg,
	    sizeof(msg)), ERR_OK);
	state_is("E-B", "certified");
	assert_int_equal(count("SELECT count(*) FROM employees WHERE id = 'E-B' AND mobile = "
	    "'9876512345' AND engagement_mode = 'direct'"), 1);
	assert_int_equal(count("SELECT count(*) FROM audit WHERE action = 'employee.correct' AND "
	    "case_id = 'E-B'"), 2);
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM certifications WHERE employee_id = "
	    "'E-B' AND issuer = 'tester' AND document_id = %lld", (long long)doc);
	assert_int_equal(count(sql), 1);
	v = js("{\"decision\":\"verified\"}");
	assert_int_equal(case_verify(&cd, "E-B", v, msg, sizeof(msg)), ERR_OK);
	json_decref(v);
	state_is("E-B", "verified");
	json_decref(fields);
	json_decref(partial);
	json_decref(svc);
}

/* Each transition from every state: only the states the header lists are accepted. */
static void
test_state_matrix(void **state)
{
	struct case_ctx ce = as(&emp_a), cd = as(&ddo), ch = as(&hod);
	json_t *svc = js(SERVICE), *ret = js("{\"decision\":\"returned\",\"remarks\":\"x\"}");
	json_t *fields = js("{\"mobile\":null}");
	char msg[512], sql[256];
	int s;

	for (s = 0; s < CASE__MAX; s++) {
		enum err e;

		snprintf(sql, sizeof(sql), "UPDATE cases SET state = '%s', verdict = 'eligible' "
		    "WHERE employee_id = 'E-A'", case_state_name((enum case_state)s));
		assert_int_equal(db_exec(db, sql), 0);
		e = case_set_service(&ce, "E-A", svc, msg, sizeof(msg));
		assert_int_equal(e, s == CASE_DRAFT || s == CASE_RETURNED ? ERR_OK :
		    ERR_WRONG_STATE);
		e = case_verify(&cd, "E-A", ret, msg, sizeof(msg));
		assert_int_equal(e, s == CASE_SUBMITTED || s == CASE_CERTIFIED ? ERR_OK :
		    ERR_WRONG_STATE);
		assert_int_equal(db_exec(db, sql), 0);
		e = case_certify(&cd, "E-A", fields, "x", 1, msg, sizeof(msg));
		assert_true(s == CASE_DISCREPANCY ? e == ERR_UNPROCESSABLE :
		    e == ERR_WRONG_STATE);
		e = case_reject(&ch, "E-A", "reasons", msg, sizeof(msg));
		assert_int_equal(e, s == CASE_POST_CREATED || s == CASE_WAITING_POST ? ERR_OK :
		    ERR_WRONG_STATE);
		assert_int_equal(db_exec(db, sql), 0);
	}
	/* A verified case that is not eligible goes to the HoD for rejection. */
	assert_int_equal(db_exec(db, "UPDATE cases SET state = 'verified', verdict = "
	    "'ineligible' WHERE employee_id = 'E-A'"), 0);
	assert_int_equal(case_reject(&ch, "E-A", "reasons", msg, sizeof(msg)), ERR_OK);
	json_decref(svc);
	json_decref(ret);
	json_decref(fields);
}

static void
test_window(void **state)
{
	struct case_ctx ce = as(&emp_a);
	const char *pwd[] = { "PWD" };
	json_t *svc = js(SERVICE);
	char msg[512];
	int64_t past = time_now() - 3600;

	assert_int_equal(db_exec(db, "UPDATE cases SET state = 'draft', stage = 'registration' "
	    "WHERE employee_id = 'E-A'"),
	    0);
	assert_int_equal(deadline_extend(db, &rules, &act, RULES_STAGE_REGISTRATION, pwd, 1, past,
	    "closed early for a test", msg, sizeof(msg)), ERR_OK);
	assert_int_equal(case_set_service(&ce, "E-A", svc, msg, sizeof(msg)), ERR_WINDOW_CLOSED);
	assert_non_null(strstr(msg, "IST"));
	assert_int_equal(count("SELECT count(*) FROM cases WHERE employee_id = 'E-A' AND "
	    "due_at <= (SELECT max(closes_at) + 60 FROM deadline_extensions)"), 1);
	/* The other department keeps the rules file's window. */
	assert_true(deadline_get(db, &rules, RULES_STAGE_REGISTRATION, "HLT", NULL) ==
	    rules.deadline[RULES_STAGE_REGISTRATION]);
	assert_int_equal(deadline_extend(db, &rules, &act, RULES_STAGE_REGISTRATION, NULL, 0,
	    past + 86400 * 30, "reopened for all", msg, sizeof(msg)), ERR_OK);
	assert_int_equal(case_set_service(&ce, "E-A", svc, msg, sizeof(msg)), ERR_OK);
	assert_int_equal(count("SELECT count(*) FROM audit WHERE action = 'deadline.extend'"), 2);
	json_decref(svc);
}

static void
test_csv_cell(void **state)
{
	static const struct { const char *in, *out; } cases[] = {
		{ "plain", "plain" }, { "", "" }, { "a,b", "\"a,b\"" },
		{ "say \"hi\"", "\"say \"\"hi\"\"\"" }, { "=1+2", "\"'=1+2\"" },
		{ "+91", "\"'+91\"" }, { "-5", "\"'-5\"" }, { "@SUM(A1)", "\"'@SUM(A1)\"" },
		{ "\tx", "\"'\tx\"" }, { "a=b", "a=b" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct buf b;

		buf_init(&b, 1024);
		assert_int_equal(case_csv_cell(&b, cases[i].in), 0);
		assert_string_equal(buf_str(&b), cases[i].out);
		buf_free(&b);
	}
}

static void
test_stage_of(void **state)
{
	assert_int_equal(case_stage_of(CASE_DRAFT, NULL), RULES_STAGE_REGISTRATION);
	assert_int_equal(case_stage_of(CASE_RETURNED, NULL), RULES_STAGE_VERIFICATION);
	assert_int_equal(case_stage_of(CASE_CERTIFIED, NULL), RULES_STAGE_VERIFICATION);
	assert_int_equal(case_stage_of(CASE_VERIFIED, "eligible"), RULES_STAGE_POSTS);
	assert_int_equal(case_stage_of(CASE_VERIFIED, "ineligible"), RULES_STAGE_APPROVAL);
	assert_int_equal(case_stage_of(CASE_WAITING_POST, NULL), RULES_STAGE_POSTS);
	assert_int_equal(case_stage_of(CASE_POST_CREATED, NULL), RULES_STAGE_APPROVAL);
	assert_int_equal(case_stage_of(CASE_APPROVED, NULL), -1);
	assert_int_equal(case_stage_of(CASE_REJECTED, NULL), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flow_to_approval_with_letter),
		cmocka_unit_test(test_certify),
		cmocka_unit_test(test_state_matrix),
		cmocka_unit_test(test_window),
		cmocka_unit_test(test_csv_cell),
		cmocka_unit_test(test_stage_of),
	};

	setenv("SURAKSHA_FAKE_NOW", T_OPEN, 1);
	return cmocka_run_group_tests(tests, setup, teardown);
}
