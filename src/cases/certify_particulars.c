/* Certification before login (issue 14; the Chief Secretary's instruction of February
 * 2026): a DDO for their offices, a HoD or an administrative secretary for their department
 * certifies an employee's flagged particulars whether or not the employee ever logged in,
 * whatever the state of the case. The same fields, corrections and certificate as the
 * case's certification (case_flow.c), with the contractual engagement confirmed; the flags
 * close and the certified values stand over the feeds (import/particulars.h). */
#include "cases/case_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"
#include "import/particulars.h"

#define CONTRACTUAL	"contractual_engagement"

static const char SQL_OFFICE_DEPT[] = "SELECT department_code FROM offices WHERE code = ?1";

enum err
case_cert_office(const struct case_ctx *cx, const struct employee *emp, const char *office,
    char *msg, size_t msglen)
{
	sqlite3_stmt *st = db_prepare(cx->db, SQL_OFFICE_DEPT);
	int same;

	if (st == NULL)
		return ERR_INTERNAL;
	db_bind_text(st, 1, office);
	same = sqlite3_step(st) == SQLITE_ROW &&
	    strcmp(db_col_text(st, 0), emp->department_code) == 0;
	db_done(st);
	if (!same || !scope_sees_employee(cx->who, emp->id, office, emp->department_code)) {
		snprintf(msg, msglen, "fields.office_code: %s is not an office of the master list "
		    "in the employee's department that you certify for.", office);
		return ERR_UNPROCESSABLE;
	}
	return ERR_OK;
}

/* Takes contractual_engagement out of fields (null or true: confirmed); the rest is a new
 * object in *rest. */
static enum err
split_fields(const json_t *fields, json_t **rest, int *confirmed, char *msg, size_t msglen)
{
	json_t *c;

	*rest = NULL;
	*confirmed = 0;
	if (!json_is_object(fields)) {
		snprintf(msg, msglen, "fields must be an object of the certified particulars, each "
		    "with its corrected value or null (as recorded).");
		return ERR_INVALID_FIELD;
	}
	if ((c = json_object_get(fields, CONTRACTUAL)) != NULL) {
		if (!json_is_null(c) && !json_is_true(c)) {
			snprintf(msg, msglen, "fields.%s: the certification confirms the contractual "
			    "engagement (null or true); an employee who is not contractual is not "
			    "certified.", CONTRACTUAL);
			return ERR_INVALID_FIELD;
		}
		*confirmed = 1;
	}
	if ((*rest = json_deep_copy(fields)) == NULL)
		return ERR_INTERNAL;
	json_object_del(*rest, CONTRACTUAL);
	return ERR_OK;
}

/* A particular whose recorded value is missing or ill-shaped cannot be certified as
 * recorded: the certifier gives the right value. */
static enum err
as_recorded_ok(const struct case_ctx *cx, const char *id,
    char vals[CASE_F__MAX][CASE_VAL_MAX], unsigned given, char *msg, size_t msglen)
{
	enum particular p;
	int f, mask;

	for (f = 0; f < CASE_F__MAX; f++) {
		if (!(given & (1u << f)) || vals[f][0] != '\0' ||
		    particular_parse(case_field_name((enum case_field)f), &p) != 0)
			continue;
		if ((mask = particulars_open_reasons(cx->db, id, p)) < 0)
			return ERR_INTERNAL;
		if (mask & ((1 << REASON_MISSING) | (1 << REASON_INVALID))) {
			snprintf(msg, msglen, "fields.%s: the recorded value is missing or not valid; "
			    "give the corrected value.", case_field_name((enum case_field)f));
			return ERR_UNPROCESSABLE;
		}
	}
	return ERR_OK;
}

static enum err
check(const struct case_ctx *cx, const char *id, const struct employee *emp,
    const json_t *rest, int confirmed, char vals[CASE_F__MAX][CASE_VAL_MAX],
    unsigned *given, char *msg, size_t msglen)
{
	json_t *flagged = particulars_open(cx->db, id);
	enum err e;

	*given = 0;
	if (flagged == NULL)
		return ERR_INTERNAL;
	if (json_object_size(rest) == 0) {
		e = ERR_OK;
		if (json_array_size(flagged) > 0) {
			snprintf(msg, msglen, "The certification must cover every flagged particular; "
			    "%s is missing.", json_string_value(json_array_get(flagged, 0)));
			e = ERR_UNPROCESSABLE;
		} else if (!confirmed) {
			snprintf(msg, msglen, "fields is empty: name the particulars certified.");
			e = ERR_INVALID_FIELD;
		}
		json_decref(flagged);
		return e;
	}
	e = case_cert_parse(rest, flagged, vals, given, msg, msglen);
	json_decref(flagged);
	if (e != ERR_OK)
		return e;
	if ((e = as_recorded_ok(cx, id, vals, *given, msg, msglen)) != ERR_OK)
		return e;
	if ((*given & (1u << CASE_F_OFFICE_CODE)) && vals[CASE_F_OFFICE_CODE][0] != '\0')
		return case_cert_office(cx, emp, vals[CASE_F_OFFICE_CODE], msg, msglen);
	return ERR_OK;
}

/* Closes the flags of every particular given and records the values that now stand. */
static int
settle(const struct case_ctx *cx, const struct employee *old,
    char vals[CASE_F__MAX][CASE_VAL_MAX], unsigned given, int64_t cert_id)
{
	struct employee now;
	enum particular p;
	long shared = 0;
	int f;

	if (employee_get(cx->db, old->id, &now) != 0)
		return -1;
	for (f = 0; f < CASE_F__MAX; f++) {
		const char *name = case_field_name((enum case_field)f);
		const char *v;

		if (!(given & (1u << f)) || particular_parse(name, &p) != 0)
			continue;
		v = p == PART_MOBILE ? now.mobile : p == PART_FAMILY_ID ? now.family_id :
		    p == PART_DOB ? now.dob : p == PART_OFFICE_CODE ? now.office_code :
		    now.head_of_account;
		if (particulars_certify(cx->db, now.id, p, v, cert_id, cx->actor) != 0)
			return -1;
	}
	if ((given & (1u << CASE_F_MOBILE)) && vals[CASE_F_MOBILE][0] != '\0' &&
	    particulars_shared(cx->db, old->mobile[0] ? old->mobile : now.mobile, now.mobile, 0,
	    cx->actor, &shared) != 0)
		return -1;
	return 0;
}

enum err
case_certify_particulars_in(const struct case_ctx *cx, const char *id, const json_t *fields,
    const char *remarks, int64_t document_id, int64_t *cert_id, char *msg, size_t msglen)
{
	char vals[CASE_F__MAX][CASE_VAL_MAX];
	struct employee emp;
	struct case_row row;
	json_t *rest = NULL, *a;
	char *text = NULL, *after = NULL;
	unsigned given = 0;
	int confirmed;
	enum err e;

	if ((e = case_cert_begin(cx, id, remarks, &emp, &row, msg, msglen)) != ERR_OK)
		return e;
	if ((e = split_fields(fields, &rest, &confirmed, msg, msglen)) != ERR_OK ||
	    (e = check(cx, id, &emp, rest, confirmed, vals, &given, msg, msglen)) != ERR_OK ||
	    (e = case_cert_document(cx, id, document_id, msg, msglen)) != ERR_OK)
		goto out;
	e = ERR_INTERNAL;
	if ((text = json_dumps(fields, JSON_COMPACT | JSON_SORT_KEYS)) == NULL ||
	    case_correct_employee(cx, &emp, vals, given) != 0 ||
	    case_cert_insert(cx, id, text, remarks, document_id, cert_id) != 0 ||
	    settle(cx, &emp, vals, given, *cert_id) != 0)
		goto out;
	a = json_pack("{s:O, s:I, s:I}", "fields", fields, "document_id",
	    (json_int_t)document_id, "certification_id", (json_int_t)*cert_id);
	after = a ? json_dumps(a, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(a);
	/* The case keeps its state; its history and the audit log record the certification. */
	if (after == NULL || case_move(cx, &row, row.state, row.verdict[0] ? row.verdict : NULL,
	    "employee.certify", remarks,
	    after) != 0)
		goto out;
	e = ERR_OK;
out:
	json_decref(rest);
	free(text);
	free(after);
	case_row_free(&row);
	return e;
}
