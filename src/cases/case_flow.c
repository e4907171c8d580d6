/* The transitions of a case. Each runs in one transaction (BEGIN IMMEDIATE, so the state
 * read is the state changed) and writes its history row and audit record in it. */
#include "cases/case_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "cases/deadline.h"
#include "db/db.h"
#include "util/strict.h"
#include "util/timeutil.h"

#define R(x)		(1u << (x))
#define REMARKS_MAX	2000

/* Begins the transaction and checks role and scope; on ERR_OK the caller owns row and the
 * open transaction. */
static enum err
open_case(const struct case_ctx *cx, const char *id, unsigned roles, struct employee *emp,
    struct case_row *row, char *msg, size_t msglen)
{
	enum err e;

	if (db_begin(cx->db) != 0)
		return ERR_UNAVAILABLE;
	if ((e = case_access(cx, id, roles, emp, row, msg, msglen)) != ERR_OK)
		db_rollback(cx->db);
	return e;
}

static enum err
wrong_state(const struct case_row *row, const char *what, char *msg, size_t msglen)
{
	snprintf(msg, msglen, "The case is %s: %s.", case_state_name(row->state), what);
	return ERR_WRONG_STATE;
}

static enum err
window(const struct case_ctx *cx, const struct employee *emp, int stage, char *msg,
    size_t msglen)
{
	if (stage < 0)
		return ERR_WRONG_STATE;
	return deadline_check(cx->db, cx->rules, (enum rules_stage)stage, emp->department_code,
	    time_now(), msg, msglen);
}

static char *
dump(const json_t *j)
{
	return j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
}

/* Ends the transaction: commit on ERR_OK (a failed commit is ERR_INTERNAL), else roll
 * back. Frees row. */
static enum err
finish(const struct case_ctx *cx, struct case_row *row, enum err e)
{
	case_row_free(row);
	if (e == ERR_OK && db_commit(cx->db) == 0)
		return ERR_OK;
	db_rollback(cx->db);
	return e == ERR_OK ? ERR_INTERNAL : e;
}

static const char SQL_DECLARE[] =
    "UPDATE cases SET declared = ?2, declared_at = ?3 WHERE employee_id = ?1";

enum err
case_set_service(const struct case_ctx *cx, const char *id, const json_t *service, char *msg,
    size_t msglen)
{
	struct rules_outcome *o = NULL;
	struct employee emp;
	struct case_row row;
	sqlite3_stmt *st;
	char *text = NULL;
	enum err e;

	if ((e = open_case(cx, id, R(ROLE_EMPLOYEE), &emp, &row, msg, msglen)) != ERR_OK)
		return e;
	if ((o = malloc(sizeof(*o))) == NULL) {
		e = ERR_INTERNAL;
		goto out;
	}
	if ((e = case_evaluate(cx->rules, &emp, service, 0, o, msg, msglen)) != ERR_OK)
		goto out;
	if (row.state != CASE_DRAFT && row.state != CASE_RETURNED) {
		e = wrong_state(&row, "the service record can be changed only in a draft or a "
		    "returned case", msg, msglen);
		goto out;
	}
	if ((e = window(cx, &emp, case_stage_of(row.state, NULL), msg, msglen)) != ERR_OK)
		goto out;
	e = ERR_INTERNAL;
	if ((text = dump(service)) == NULL || (st = db_prepare(cx->db, SQL_DECLARE)) == NULL)
		goto out;
	db_bind_text(st, 1, id);
	db_bind_text(st, 2, text);
	sqlite3_bind_int64(st, 3, time_now());
	if (sqlite3_step(st) != SQLITE_DONE) {
		db_done(st);
		goto out;
	}
	db_done(st);
	if (case_store_outcome(cx->db, id, o, "declared") != 0 ||
	    case_move(cx, &row, row.state, NULL, "case.service", NULL, text) != 0)
		goto out;
	e = ERR_OK;
out:
	free(o);
	free(text);
	return finish(cx, &row, e);
}

enum err
case_submit(const struct case_ctx *cx, const char *id, char *msg, size_t msglen)
{
	struct rules_outcome *o = NULL;
	struct employee emp;
	struct case_row row;
	json_t *missing = NULL;
	enum err e;
	int n;

	if ((e = open_case(cx, id, R(ROLE_EMPLOYEE), &emp, &row, msg, msglen)) != ERR_OK)
		return e;
	if (row.state != CASE_DRAFT && row.state != CASE_RETURNED) {
		e = wrong_state(&row, "only a draft or a returned case can be submitted", msg,
		    msglen);
		goto out;
	}
	if ((e = window(cx, &emp, case_stage_of(row.state, NULL), msg, msglen)) != ERR_OK)
		goto out;
	if (row.declared == NULL) {
		snprintf(msg, msglen, "Declare the service record (PUT .../service) before "
		    "submitting.");
		e = ERR_UNPROCESSABLE;
		goto out;
	}
	e = ERR_INTERNAL;
	if ((o = malloc(sizeof(*o))) == NULL)
		goto out;
	if ((e = case_evaluate(cx->rules, &emp, row.declared, 0, o, msg, msglen)) != ERR_OK)
		goto out;
	if (o->verdict == RULES_INCOMPLETE) {
		snprintf(msg, msglen, "The service record is incomplete (%s); complete it before "
		    "submitting.", o->nreasons ? o->reasons[0] : "missing data");
		e = ERR_UNPROCESSABLE;
		goto out;
	}
	missing = json_array();
	if ((n = case_missing_documents(cx->db, &emp, row.declared, NULL, missing)) != 0) {
		char *list = json_dumps(missing, JSON_COMPACT);

		snprintf(msg, msglen, "Upload the required documents first; missing: %s.",
		    list ? list : "?");
		free(list);
		e = n < 0 ? ERR_INTERNAL : ERR_UNPROCESSABLE;
		goto out;
	}
	e = ERR_INTERNAL;
	if (case_store_outcome(cx->db, id, o, "declared") != 0 ||
	    case_move(cx, &row, CASE_SUBMITTED, NULL, "case.submit", NULL, NULL) != 0)
		goto out;
	e = ERR_OK;
out:
	json_decref(missing);
	free(o);
	return finish(cx, &row, e);
}

static const char SQL_VERIFIED[] =
    "UPDATE cases SET verified = ?2, verified_at = ?3, verified_by = ?4, remarks = ?5,"
    " discrepancy_fields = NULL WHERE employee_id = ?1";
static const char SQL_REMARKS[] =
    "UPDATE cases SET remarks = ?2, discrepancy_fields = ?3 WHERE employee_id = ?1";

/* The "fields" list of a discrepancy: non-empty, known names, no repeats. */
static enum err
parse_fields(const json_t *arr, char *msg, size_t msglen)
{
	unsigned seen = 0;
	enum case_field f;
	json_t *v;
	size_t i;

	if (!json_is_array(arr) || json_array_size(arr) == 0)
		goto bad;
	json_array_foreach(arr, i, v) {
		if (case_field_parse(json_string_value(v), &f) != 0 || (seen & (1u << f)))
			goto bad;
		seen |= 1u << f;
	}
	return ERR_OK;
bad:
	snprintf(msg, msglen, "fields must list the fields in discrepancy, each once, from "
	    "mobile, family_id, head_of_account, engagement_mode.");
	return ERR_INVALID_FIELD;
}

struct verify_req {
	enum case_decision	 d;
	const char		*remarks;
	const json_t		*service;	/* NULL: the declared record */
	const json_t		*fields;
};

/* The shape of the verify body; ERR_INVALID_FIELD with a sentence when wrong. */
static enum err
parse_verify(const json_t *body, struct verify_req *v, char *msg, size_t msglen)
{
	static const char *const keys[] = { "decision", "remarks", "service", "fields", NULL };
	const char *decision;
	enum err e;
	int bad = 0;

	if ((e = case_only_keys(body, keys, msg, msglen)) != ERR_OK)
		return e;
	v->service = json_object_get(body, "service");
	v->fields = json_object_get(body, "fields");
	decision = case_text(body, "decision", 32, &bad);
	v->remarks = case_text(body, "remarks", REMARKS_MAX, &bad);
	if (bad || decision == NULL) {
		snprintf(msg, msglen, "Give decision (verified, returned or discrepancy) and "
		    "remarks as text.");
		return ERR_INVALID_FIELD;
	}
	if (strcmp(decision, "verified") == 0)
		v->d = CASE_D_VERIFIED;
	else if (strcmp(decision, "returned") == 0)
		v->d = CASE_D_RETURNED;
	else if (strcmp(decision, "discrepancy") == 0)
		v->d = CASE_D_DISCREPANCY;
	else {
		snprintf(msg, msglen, "decision must be verified, returned or discrepancy.");
		return ERR_INVALID_FIELD;
	}
	if ((v->service != NULL && v->d != CASE_D_VERIFIED) ||
	    (v->fields != NULL && v->d != CASE_D_DISCREPANCY)) {
		snprintf(msg, msglen, "service goes only with verified, fields only with "
		    "discrepancy.");
		return ERR_INVALID_FIELD;
	}
	if (v->d == CASE_D_RETURNED && v->remarks == NULL) {
		snprintf(msg, msglen, "A returned case needs remarks telling the employee what to "
		    "correct.");
		return ERR_INVALID_FIELD;
	}
	if (v->d == CASE_D_DISCREPANCY)
		return parse_fields(v->fields, msg, msglen);
	return ERR_OK;
}

/* Stores the verified record and its outcome and moves the case to verified. */
static int
record_verified(const struct case_ctx *cx, const struct case_row *row,
    const struct verify_req *v, const struct rules_outcome *o)
{
	sqlite3_stmt *st;
	char *text = NULL, *after = NULL;
	json_t *a;
	int rc = -1;

	if ((text = dump(v->service)) == NULL || (st = db_prepare(cx->db, SQL_VERIFIED)) == NULL)
		goto out;
	db_bind_text(st, 1, row->id);
	db_bind_text(st, 2, text);
	sqlite3_bind_int64(st, 3, time_now());
	db_bind_text(st, 4, cx->actor->name);
	db_bind_text(st, 5, v->remarks);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
	db_done(st);
	if (rc != 0)
		goto out;
	a = json_pack("{s:s, s:s, s:O}", "state", "verified", "verdict",
	    rules_verdict_name(o->verdict), "verified", v->service);
	after = dump(a);
	json_decref(a);
	rc = -1;
	if (after != NULL && case_store_outcome(cx->db, row->id, o, "verified") == 0 &&
	    case_move(cx, row, CASE_VERIFIED, rules_verdict_name(o->verdict), "case.verify",
	    v->remarks, after) == 0)
		rc = 0;
out:
	free(text);
	free(after);
	return rc;
}

/* Returned or discrepancy: remarks (and fields) on the case, and the move. */
static int
record_other(const struct case_ctx *cx, const struct case_row *row,
    const struct verify_req *v)
{
	sqlite3_stmt *st = db_prepare(cx->db, SQL_REMARKS);
	char *text = v->d == CASE_D_DISCREPANCY ? dump(v->fields) : NULL;
	int rc = -1;

	if (st == NULL || (v->d == CASE_D_DISCREPANCY && text == NULL))
		goto out;
	db_bind_text(st, 1, row->id);
	db_bind_text(st, 2, v->remarks);
	db_bind_text(st, 3, text);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
	db_done(st);
	if (rc == 0)
		rc = case_move(cx, row, v->d == CASE_D_RETURNED ? CASE_RETURNED :
		    CASE_DISCREPANCY, NULL, v->d == CASE_D_RETURNED ? "case.return" :
		    "case.discrepancy", v->remarks, NULL);
out:
	free(text);
	return rc;
}

enum err
case_verify(const struct case_ctx *cx, const char *id, const json_t *body, char *msg,
    size_t msglen)
{
	struct rules_outcome *o = NULL;
	struct verify_req v = { 0 };
	struct employee emp;
	struct case_row row;
	enum err e;

	if ((e = open_case(cx, id, R(ROLE_DDO), &emp, &row, msg, msglen)) != ERR_OK)
		return e;
	if ((e = parse_verify(body, &v, msg, msglen)) != ERR_OK)
		goto out;
	if (v.service == NULL)
		v.service = row.declared;
	e = ERR_INTERNAL;
	if ((o = malloc(sizeof(*o))) == NULL)
		goto out;
	if (v.d == CASE_D_VERIFIED && v.service != NULL &&
	    (e = case_evaluate(cx->rules, &emp, v.service, 0, o, msg, msglen)) != ERR_OK)
		goto out;
	if (row.state != CASE_SUBMITTED && row.state != CASE_CERTIFIED) {
		e = wrong_state(&row, "only a submitted or certified case can be verified", msg,
		    msglen);
		goto out;
	}
	if ((e = window(cx, &emp, RULES_STAGE_VERIFICATION, msg, msglen)) != ERR_OK)
		goto out;
	if (v.d == CASE_D_VERIFIED && (v.service == NULL || o->verdict == RULES_INCOMPLETE)) {
		snprintf(msg, msglen, "The verified record is incomplete (%s).",
		    v.service == NULL ? "no service record" :
		    o->nreasons ? o->reasons[0] : "missing data");
		e = ERR_UNPROCESSABLE;
		goto out;
	}
	e = ERR_INTERNAL;
	if ((v.d == CASE_D_VERIFIED ? record_verified(cx, &row, &v, o) :
	    record_other(cx, &row, &v)) == 0)
		e = ERR_OK;
out:
	free(o);
	return finish(cx, &row, e);
}

/* ---- certification ---- */

static const char SQL_DOC[] =
    "SELECT kind FROM documents WHERE id = ?1 AND employee_id = ?2";
static const char SQL_CERT_INS[] =
    "INSERT INTO certifications (employee_id, issuer, role, fields, remarks, document_id, at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
static const char SQL_EMP_MOBILE[] =
    "UPDATE employees SET mobile = ?2, updated_at = ?3 WHERE id = ?1";
static const char SQL_EMP_FAMILY[] =
    "UPDATE employees SET family_id = ?2, updated_at = ?3 WHERE id = ?1";
static const char SQL_EMP_HOA[] =
    "UPDATE employees SET head_of_account = ?2, updated_at = ?3 WHERE id = ?1";
static const char SQL_EMP_MODE[] =
    "UPDATE employees SET engagement_mode = ?2, updated_at = ?3 WHERE id = ?1";
static const char SQL_EMP_DOB[] =
    "UPDATE employees SET dob = ?2, updated_at = ?3 WHERE id = ?1";
static const char SQL_EMP_OFFICE[] =
    "UPDATE employees SET office_code = ?2, updated_at = ?3 WHERE id = ?1";

enum err
case_cert_parse(const json_t *fields, const json_t *flagged,
    char vals[CASE_F__MAX][CASE_VAL_MAX], unsigned *given, char *msg, size_t msglen)
{
	int32_t days;

	enum case_field f;
	const char *k, *s;
	json_t *v;
	size_t i;

	*given = 0;
	if (!json_is_object(fields) || json_object_size(fields) == 0) {
		snprintf(msg, msglen, "fields must be an object of the certified fields, each "
		    "with its corrected value or null.");
		return ERR_INVALID_FIELD;
	}
	json_object_foreach((json_t *)fields, k, v) {
		if (case_field_parse(k, &f) != 0) {
			snprintf(msg, msglen, "Unknown field \"%.64s\" in fields.", k);
			return ERR_INVALID_FIELD;
		}
		*given |= 1u << f;
		vals[f][0] = '\0';
		if (json_is_null(v))
			continue;
		s = json_string_value(v);
		if (s == NULL || strlen(s) >= CASE_VAL_MAX ||
		    (f == CASE_F_DOB && strict_date(s, &days) != 0) ||
		    (f == CASE_F_OFFICE_CODE && strict_code(s) != 0) ||
		    (f == CASE_F_MOBILE && strict_mobile(s, vals[f]) != 0) ||
		    (f == CASE_F_FAMILY_ID && strict_family_id(s) != 0) ||
		    (f == CASE_F_HEAD_OF_ACCOUNT && strict_head_of_account(s) != 0) ||
		    (f == CASE_F_ENGAGEMENT_MODE && strcmp(s, "direct") != 0 &&
		    strcmp(s, "hkrnl") != 0)) {
			snprintf(msg, msglen, "fields.%s: not a valid value.", k);
			return ERR_INVALID_FIELD;
		}
		if (f != CASE_F_MOBILE)
			snprintf(vals[f], CASE_VAL_MAX, "%s", s);
	}
	json_array_foreach(flagged, i, v) {
		if (case_field_parse(json_string_value(v), &f) == 0 && !(*given & (1u << f))) {
			snprintf(msg, msglen, "The certification must cover every field in "
			    "discrepancy; %s is missing.", case_field_name(f));
			return ERR_UNPROCESSABLE;
		}
	}
	return ERR_OK;
}

int
case_correct_employee(const struct case_ctx *cx, const struct employee *emp,
    char vals[CASE_F__MAX][CASE_VAL_MAX], unsigned given)
{
	static const char *const sql[CASE_F__MAX] = {
		SQL_EMP_MOBILE, SQL_EMP_FAMILY, SQL_EMP_HOA, SQL_EMP_MODE, SQL_EMP_DOB,
		SQL_EMP_OFFICE,
	};
	const char *old[CASE_F__MAX] = {
		emp->mobile, emp->family_id, emp->head_of_account, emp->engagement_mode,
		emp->dob, emp->office_code,
	};
	struct audit_rec ar = { 0 };
	char object[64];
	sqlite3_stmt *st;
	int f, rc;

	snprintf(object, sizeof(object), "employee:%s", emp->id);
	for (f = 0; f < CASE_F__MAX; f++) {
		json_t *jb, *ja;
		char *sb, *sa;

		if (!(given & (1u << f)) || vals[f][0] == '\0' || strcmp(vals[f], old[f]) == 0)
			continue;
		if ((st = db_prepare(cx->db, sql[f])) == NULL)
			return -1;
		db_bind_text(st, 1, emp->id);
		db_bind_text(st, 2, vals[f]);
		sqlite3_bind_int64(st, 3, time_now());
		rc = sqlite3_step(st);
		db_done(st);
		if (rc != SQLITE_DONE)
			return -1;
		jb = json_pack("{s:s}", case_field_name((enum case_field)f), old[f]);
		ja = json_pack("{s:s}", case_field_name((enum case_field)f), vals[f]);
		sb = dump(jb);
		sa = dump(ja);
		json_decref(jb);
		json_decref(ja);
		ar.actor = cx->actor->name;
		ar.role = cx->actor->role;
		ar.action = "employee.correct";
		ar.case_id = emp->id;
		ar.object = object;
		ar.ip = cx->actor->ip;
		ar.before = sb;
		ar.after = sa;
		rc = audit_append(cx->db, &ar);
		free(sb);
		free(sa);
		if (rc != 0)
			return -1;
	}
	return 0;
}

enum err
case_cert_document(const struct case_ctx *cx, const char *id, int64_t document_id,
    char *msg, size_t msglen)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = db_prepare(cx->db, SQL_DOC)) == NULL)
		return ERR_INTERNAL;
	sqlite3_bind_int64(st, 1, document_id);
	db_bind_text(st, 2, id);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW || strcmp(db_col_text(st, 0), "discrepancy_certificate") != 0) {
		db_done(st);
		snprintf(msg, msglen, "The certification must carry a document of kind "
		    "discrepancy_certificate stored for this employee.");
		return rc == SQLITE_ROW || rc == SQLITE_DONE ? ERR_UNPROCESSABLE : ERR_INTERNAL;
	}
	db_done(st);
	return ERR_OK;
}

int
case_cert_insert(const struct case_ctx *cx, const char *id, const char *fields_text,
    const char *remarks, int64_t document_id, int64_t *cert_id)
{
	sqlite3_stmt *st = db_prepare(cx->db, SQL_CERT_INS);
	int rc;

	if (st == NULL)
		return -1;
	db_bind_text(st, 1, id);
	db_bind_text(st, 2, cx->actor->name);
	db_bind_text(st, 3, cx->actor->role);
	db_bind_text(st, 4, fields_text);
	db_bind_text(st, 5, remarks);
	sqlite3_bind_int64(st, 6, document_id);
	sqlite3_bind_int64(st, 7, time_now());
	rc = sqlite3_step(st);
	db_done(st);
	if (rc != SQLITE_DONE)
		return -1;
	if (cert_id != NULL)
		*cert_id = sqlite3_last_insert_rowid(db_handle(cx->db));
	return 0;
}

enum err
case_cert_begin(const struct case_ctx *cx, const char *id, const char *remarks,
    struct employee *emp, struct case_row *row, char *msg, size_t msglen)
{
	enum err e;

	if ((e = case_access(cx, id, R(ROLE_DDO) | R(ROLE_HOD) | R(ROLE_ADMIN_SECRETARY), emp,
	    row, msg, msglen)) != ERR_OK)
		return e;
	if (remarks == NULL || strict_text(remarks, REMARKS_MAX) != 0) {
		snprintf(msg, msglen, "A certification needs remarks (text, at most %d bytes).",
		    REMARKS_MAX);
		case_row_free(row);
		return ERR_INVALID_FIELD;
	}
	return ERR_OK;
}

enum err
case_certify_in(const struct case_ctx *cx, const char *id, const json_t *fields,
    const char *remarks, int64_t document_id, char *msg, size_t msglen)
{
	char vals[CASE_F__MAX][CASE_VAL_MAX];
	struct employee emp;
	struct case_row row;
	char *text = NULL, *after = NULL;
	unsigned given = 0;
	enum err e;

	if ((e = case_cert_begin(cx, id, remarks, &emp, &row, msg, msglen)) != ERR_OK)
		return e;
	if ((e = case_cert_parse(fields, row.discrepancy, vals, &given, msg, msglen)) !=
	    ERR_OK && e != ERR_UNPROCESSABLE)
		goto out;
	if (row.state != CASE_DISCREPANCY) {
		e = wrong_state(&row, "only a case in discrepancy can be certified", msg, msglen);
		goto out;
	}
	if (e != ERR_OK)
		goto out;
	if ((e = window(cx, &emp, RULES_STAGE_VERIFICATION, msg, msglen)) != ERR_OK)
		goto out;
	if ((given & (1u << CASE_F_OFFICE_CODE)) && vals[CASE_F_OFFICE_CODE][0] != '\0' &&
	    (e = case_cert_office(cx, &emp, vals[CASE_F_OFFICE_CODE], msg, msglen)) != ERR_OK)
		goto out;
	if ((e = case_cert_document(cx, id, document_id, msg, msglen)) != ERR_OK)
		goto out;
	e = ERR_INTERNAL;
	if ((text = dump(fields)) == NULL || case_correct_employee(cx, &emp, vals, given) != 0 ||
	    case_cert_insert(cx, id, text, remarks, document_id, NULL) != 0)
		goto out;
	{
		json_t *a = json_pack("{s:s, s:O, s:I}", "state", "certified", "fields", fields,
		    "document_id", (json_int_t)document_id);

		after = dump(a);
		json_decref(a);
	}
	if (case_move(cx, &row, CASE_CERTIFIED, NULL, "case.certify", remarks, after) != 0)
		goto out;
	e = ERR_OK;
out:
	free(text);
	free(after);
	case_row_free(&row);
	return e;
}

enum err
case_certify(const struct case_ctx *cx, const char *id, const json_t *fields,
    const char *remarks, int64_t document_id, char *msg, size_t msglen)
{
	enum err e;

	if (db_begin(cx->db) != 0)
		return ERR_UNAVAILABLE;
	if ((e = case_certify_in(cx, id, fields, remarks, document_id, msg, msglen)) == ERR_OK &&
	    db_commit(cx->db) == 0)
		return ERR_OK;
	db_rollback(cx->db);
	return e == ERR_OK ? ERR_INTERNAL : e;
}

/* ---- posts ---- */

static const char SQL_POST_INS[] =
    "INSERT INTO posts (employee_id, department_code, designation, pay_level,"
    " effective_date, created_by, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";

#define POSTS_MAX 1000

static enum err
post_one(const struct case_ctx *cx, const char *id, const char *designation, int level,
    int no_equivalent, const char *remarks, json_t *done, char *msg, size_t msglen)
{
	struct rules_outcome *o = NULL;
	struct employee emp;
	struct case_row row;
	sqlite3_stmt *st;
	char eff[11], *after = NULL;
	enum err e;
	int rc;

	if ((e = case_access(cx, id, R(ROLE_FINANCE), &emp, &row, msg, msglen)) != ERR_OK) {
		if (e == ERR_NOT_FOUND)
			snprintf(msg, msglen, "There is no case %s.", id);
		return e;
	}
	if (!(row.state == CASE_VERIFIED || (!no_equivalent && row.state == CASE_WAITING_POST))) {
		e = wrong_state(&row, "posts are made only for verified cases", msg, msglen);
		snprintf(msg + strlen(msg), msglen - strlen(msg), " (%s)", id);
		goto out;
	}
	if (strcmp(row.verdict, "eligible") != 0) {
		snprintf(msg, msglen, "Case %s is not eligible (%s); it goes to the Head of "
		    "Department for a reasoned rejection, not to a post.", id, row.verdict);
		e = ERR_WRONG_STATE;
		goto out;
	}
	if ((e = window(cx, &emp, RULES_STAGE_POSTS, msg, msglen)) != ERR_OK)
		goto out;
	e = ERR_INTERNAL;
	if (no_equivalent) {
		if (case_move(cx, &row, CASE_WAITING_POST, NULL, "case.waiting_post", remarks,
		    NULL) != 0)
			goto out;
		json_array_append_new(done, json_string(id));
		e = ERR_OK;
		goto out;
	}
	if ((o = malloc(sizeof(*o))) == NULL ||
	    case_evaluate(cx->rules, &emp, row.verified, level, o, msg, msglen) != ERR_OK ||
	    (st = db_prepare(cx->db, SQL_POST_INS)) == NULL)
		goto out;
	date_format(cx->rules->post_effective_date, eff);
	db_bind_text(st, 1, id);
	db_bind_text(st, 2, emp.department_code);
	db_bind_text(st, 3, designation);
	sqlite3_bind_int(st, 4, level);
	db_bind_text(st, 5, eff);
	db_bind_text(st, 6, cx->actor->name);
	sqlite3_bind_int64(st, 7, time_now());
	rc = sqlite3_step(st);
	db_done(st);
	if (rc != SQLITE_DONE)
		goto out;
	{
		json_t *p = json_pack("{s:s, s:s, s:s, s:i, s:s}", "employee_id", id,
		    "department_code", emp.department_code, "designation", designation,
		    "pay_level", level, "effective_date", eff);
		json_t *a = json_pack("{s:s, s:O}", "state", "post_created", "post", p);

		after = dump(a);
		json_decref(a);
		json_array_append_new(done, p);
	}
	if (case_store_outcome(cx->db, id, o, "verified") != 0 ||
	    case_move(cx, &row, CASE_POST_CREATED, NULL, "case.post", remarks, after) != 0)
		goto out;
	e = ERR_OK;
out:
	free(o);
	free(after);
	case_row_free(&row);
	return e;
}

enum err
case_posts(const struct case_ctx *cx, const json_t *body, json_t **out, char *msg,
    size_t msglen)
{
	static const char *const keys[] = {
		"employee_ids", "designation", "pay_level", "no_equivalent", "remarks", NULL,
	};
	const json_t *ids = json_object_get(body, "employee_ids");
	const json_t *lvl = json_object_get(body, "pay_level");
	const json_t *noeq = json_object_get(body, "no_equivalent");
	const char *designation, *remarks;
	json_t *done = NULL, *v;
	int no_equivalent = 0, bad = 0;
	json_int_t level = 0;
	size_t i, j;
	enum err e;

	*out = NULL;
	if (cx->who->role != ROLE_FINANCE) {
		snprintf(msg, msglen, "Only the Finance Department creates posts.");
		return ERR_FORBIDDEN;
	}
	if ((e = case_only_keys(body, keys, msg, msglen)) != ERR_OK)
		return e;
	designation = case_text(body, "designation", 128, &bad);
	remarks = case_text(body, "remarks", REMARKS_MAX, &bad);
	if (noeq != NULL && !json_is_boolean(noeq))
		bad = 1;
	no_equivalent = json_is_true(noeq);
	if (lvl != NULL && (!json_is_integer(lvl) || (level = json_integer_value(lvl)) < 1 ||
	    level > RULES_LEVELS))
		bad = 1;
	if (!json_is_array(ids) || json_array_size(ids) == 0 ||
	    json_array_size(ids) > POSTS_MAX)
		bad = 1;
	json_array_foreach(ids, i, v) {
		if (!json_is_string(v) || strict_code(json_string_value(v)) != 0)
			bad = 1;
		for (j = 0; !bad && j < i; j++)
			if (strcmp(json_string_value(v),
			    json_string_value(json_array_get(ids, j))) == 0)
				bad = 1;
	}
	if (bad || (no_equivalent && (designation || lvl)) ||
	    (!no_equivalent && (!designation || !lvl))) {
		snprintf(msg, msglen, "Give employee_ids (1 to %d distinct ids) with designation "
		    "and pay_level (1-10), or with no_equivalent: true and remarks.", POSTS_MAX);
		return ERR_INVALID_FIELD;
	}
	if (db_begin(cx->db) != 0)
		return ERR_UNAVAILABLE;
	done = json_array();
	json_array_foreach(ids, i, v) {
		e = post_one(cx, json_string_value(v), designation, (int)level, no_equivalent,
		    remarks, done, msg, msglen);
		if (e != ERR_OK) {
			db_rollback(cx->db);
			json_decref(done);
			return e;
		}
	}
	if (db_commit(cx->db) != 0) {
		db_rollback(cx->db);
		json_decref(done);
		return ERR_INTERNAL;
	}
	*out = json_pack("{s:o}", no_equivalent ? "waiting" : "posts", done);
	return ERR_OK;
}

/* ---- decision ---- */

static const char SQL_DECIDE[] =
    "UPDATE cases SET decision_remarks = ?2, decided_by = ?3, decided_at = ?4,"
    " letter_ref = ?5 WHERE employee_id = ?1";
static const char SQL_POST_GET[] =
    "SELECT id, department_code, designation, pay_level, effective_date, created_by"
    " FROM posts WHERE employee_id = ?1";

static int
decide(const struct case_ctx *cx, const char *id, const char *remarks, const char *ref)
{
	sqlite3_stmt *st = db_prepare(cx->db, SQL_DECIDE);
	int rc;

	if (st == NULL)
		return -1;
	db_bind_text(st, 1, id);
	db_bind_text(st, 2, remarks);
	db_bind_text(st, 3, cx->actor->name);
	sqlite3_bind_int64(st, 4, time_now());
	db_bind_text(st, 5, ref);
	rc = sqlite3_step(st);
	db_done(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

static int
load_post(struct db *db, const char *id, struct case_post *p)
{
	sqlite3_stmt *st = db_prepare(db, SQL_POST_GET);
	int rc;

	if (st == NULL)
		return -1;
	db_bind_text(st, 1, id);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		p->id = sqlite3_column_int64(st, 0);
		snprintf(p->department_code, sizeof(p->department_code), "%s", db_col_text(st, 1));
		snprintf(p->designation, sizeof(p->designation), "%s", db_col_text(st, 2));
		p->pay_level = sqlite3_column_int(st, 3);
		snprintf(p->effective_date, sizeof(p->effective_date), "%s", db_col_text(st, 4));
		snprintf(p->created_by, sizeof(p->created_by), "%s", db_col_text(st, 5));
	}
	db_done(st);
	return rc == SQLITE_ROW ? 0 : -1;
}

enum err
case_approve(const struct case_ctx *cx, const char *id, const char *remarks,
    case_letter_fn issue_letter, void *arg, char letter_ref[64], char *msg, size_t msglen)
{
	struct case_view *cv = NULL;
	struct case_row row;
	char ref[64] = "", *after = NULL;
	enum err e;

	letter_ref[0] = '\0';
	if ((cv = calloc(1, sizeof(*cv))) == NULL)
		return ERR_INTERNAL;
	if ((e = open_case(cx, id, R(ROLE_HOD), &cv->emp, &row, msg, msglen)) != ERR_OK) {
		free(cv);
		return e;
	}
	if (remarks != NULL && strict_text(remarks, REMARKS_MAX) != 0) {
		snprintf(msg, msglen, "remarks must be text of at most %d bytes.", REMARKS_MAX);
		e = ERR_INVALID_FIELD;
		goto out;
	}
	if (row.state != CASE_POST_CREATED) {
		e = wrong_state(&row, "only a case with a supernumerary post can be approved", msg,
		    msglen);
		goto out;
	}
	if ((e = window(cx, &cv->emp, RULES_STAGE_APPROVAL, msg, msglen)) != ERR_OK)
		goto out;
	e = ERR_INTERNAL;
	if (load_post(cx->db, id, &cv->post) != 0 ||
	    case_evaluate(cx->rules, &cv->emp, row.verified, cv->post.pay_level, &cv->outcome,
	    msg, msglen) != ERR_OK)
		goto out;
	if (cv->outcome.verdict != RULES_ELIGIBLE) {
		snprintf(msg, msglen, "Under the rules now in force the case is %s; it cannot be "
		    "approved, only rejected with reasons.", rules_verdict_name(cv->outcome.verdict));
		e = ERR_WRONG_STATE;
		goto out;
	}
	cv->state = row.state;
	cv->approver = cx->actor->name;
	cv->remarks = remarks;
	if (issue_letter != NULL) {
		if (issue_letter(cx->db, cv, ref, arg) != 0 || ref[0] == '\0' ||
		    memchr(ref, '\0', sizeof(ref)) == NULL) {
			snprintf(msg, msglen, "The offer letter could not be issued; the case was "
			    "not approved.");
			goto out;
		}
	}
	{
		json_t *a = json_pack("{s:s, s:o}", "state", "approved", "letter_ref",
		    ref[0] ? json_string(ref) : json_null());

		after = dump(a);
		json_decref(a);
	}
	if (decide(cx, id, remarks, ref[0] ? ref : NULL) != 0 ||
	    case_move(cx, &row, CASE_APPROVED, NULL, "case.approve", remarks, after) != 0)
		goto out;
	snprintf(letter_ref, 64, "%s", ref);
	e = ERR_OK;
out:
	free(after);
	free(cv);
	return finish(cx, &row, e);
}

enum err
case_letter_preview(const struct case_ctx *cx, const char *id, case_letter_fn render,
    void *arg, char *msg, size_t msglen)
{
	struct case_view *cv = NULL;
	struct case_row row;
	char ref[64];
	enum err e;

	if ((cv = calloc(1, sizeof(*cv))) == NULL)
		return ERR_INTERNAL;
	if ((e = open_case(cx, id, R(ROLE_HOD), &cv->emp, &row, msg, msglen)) != ERR_OK) {
		free(cv);
		return e;
	}
	if (row.state != CASE_POST_CREATED) {
		e = wrong_state(&row, "only a case with a supernumerary post has a letter to "
		    "preview", msg, msglen);
		goto out;
	}
	e = ERR_INTERNAL;
	if (load_post(cx->db, id, &cv->post) != 0 ||
	    case_evaluate(cx->rules, &cv->emp, row.verified, cv->post.pay_level, &cv->outcome,
	    msg, msglen) != ERR_OK)
		goto out;
	if (cv->outcome.verdict != RULES_ELIGIBLE) {
		snprintf(msg, msglen, "Under the rules now in force the case is %s; it has no "
		    "letter.", rules_verdict_name(cv->outcome.verdict));
		e = ERR_WRONG_STATE;
		goto out;
	}
	cv->state = row.state;
	cv->approver = cx->actor->name;
	e = render(cx->db, cv, ref, arg) == 0 ? ERR_OK : ERR_INTERNAL;
out:
	/* a preview changes nothing */
	case_row_free(&row);
	db_rollback(cx->db);
	free(cv);
	return e;
}

enum err
case_reject(const struct case_ctx *cx, const char *id, const char *remarks, char *msg,
    size_t msglen)
{
	struct employee emp;
	struct case_row row;
	enum err e;

	if ((e = open_case(cx, id, R(ROLE_HOD), &emp, &row, msg, msglen)) != ERR_OK)
		return e;
	if (remarks == NULL || strict_text(remarks, REMARKS_MAX) != 0) {
		snprintf(msg, msglen, "A rejection needs its reasons as remarks (text, at most %d "
		    "bytes).", REMARKS_MAX);
		e = ERR_INVALID_FIELD;
		goto out;
	}
	if (!(row.state == CASE_POST_CREATED || row.state == CASE_WAITING_POST ||
	    (row.state == CASE_VERIFIED && strcmp(row.verdict, "eligible") != 0))) {
		e = wrong_state(&row, "the Head of Department rejects cases with a post, waiting "
		    "for one, or verified as not eligible", msg, msglen);
		goto out;
	}
	if ((e = window(cx, &emp, RULES_STAGE_APPROVAL, msg, msglen)) != ERR_OK)
		goto out;
	e = ERR_INTERNAL;
	if (decide(cx, id, remarks, NULL) != 0 ||
	    case_move(cx, &row, CASE_REJECTED, NULL, "case.reject", remarks, NULL) != 0)
		goto out;
	e = ERR_OK;
out:
	return finish(cx, &row, e);
}

enum err
case_documents_check(const struct case_ctx *cx, const char *id, int deleting, char *msg,
    size_t msglen)
{
	struct employee emp;
	struct case_row row;
	enum err e;

	if ((e = case_access(cx, id, R(ROLE_EMPLOYEE), &emp, &row, msg, msglen)) != ERR_OK)
		return e;
	/* A returned case is the employee's to correct: a wrong document is replaced or
	 * removed then as in a draft (the audit keeps the removed one's name and digest). */
	if (row.state != CASE_DRAFT && row.state != CASE_RETURNED)
		e = wrong_state(&row, deleting ? "documents can be deleted only while the case "
		    "is a draft or returned" : "documents can be added only to a draft or a "
		    "returned case", msg, msglen);
	else
		e = window(cx, &emp, case_stage_of(row.state, NULL), msg, msglen);
	case_row_free(&row);
	return e;
}
