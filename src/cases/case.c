/* The case record: loading, access, evaluation, state moves, and the case as JSON. */
#include "cases/case_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "cases/deadline.h"
#include "cases/rules_json.h"
#include "db/db.h"
#include "notify/notify.h"
#include "util/log.h"
#include "util/strict.h"
#include "util/timeutil.h"

static const char *const state_names[CASE__MAX] = {
	[CASE_DRAFT] = "draft",
	[CASE_SUBMITTED] = "submitted",
	[CASE_RETURNED] = "returned",
	[CASE_DISCREPANCY] = "discrepancy",
	[CASE_CERTIFIED] = "certified",
	[CASE_VERIFIED] = "verified",
	[CASE_WAITING_POST] = "waiting_equivalent_post",
	[CASE_POST_CREATED] = "post_created",
	[CASE_APPROVED] = "approved",
	[CASE_REJECTED] = "rejected",
};

static const char *const field_names[CASE_F__MAX] = {
	[CASE_F_MOBILE] = "mobile",
	[CASE_F_FAMILY_ID] = "family_id",
	[CASE_F_HEAD_OF_ACCOUNT] = "head_of_account",
	[CASE_F_ENGAGEMENT_MODE] = "engagement_mode",
	[CASE_F_DOB] = "dob",
	[CASE_F_OFFICE_CODE] = "office_code",
};

const char *
case_state_name(enum case_state s)
{
	return (unsigned)s < CASE__MAX ? state_names[s] : "?";
}

int
case_state_parse(const char *s, enum case_state *out)
{
	int i;

	for (i = 0; s != NULL && i < CASE__MAX; i++)
		if (strcmp(s, state_names[i]) == 0) {
			*out = (enum case_state)i;
			return 0;
		}
	return -1;
}

const char *
case_field_name(enum case_field f)
{
	return (unsigned)f < CASE_F__MAX ? field_names[f] : "?";
}

int
case_field_parse(const char *s, enum case_field *out)
{
	int i;

	for (i = 0; s != NULL && i < CASE_F__MAX; i++)
		if (strcmp(s, field_names[i]) == 0) {
			*out = (enum case_field)i;
			return 0;
		}
	return -1;
}

int
case_stage_parse(const char *s, enum rules_stage *out)
{
	int i;

	for (i = 0; s != NULL && i < RULES_STAGE__MAX; i++)
		if (strcmp(s, rules_stage_name((enum rules_stage)i)) == 0) {
			*out = (enum rules_stage)i;
			return 0;
		}
	return -1;
}

static const char SQL_ROW[] =
    "SELECT c.state, c.department_code, c.office_code, c.declared, c.verified,"
    " c.discrepancy_fields, c.verdict, p.pay_level"
    " FROM cases c LEFT JOIN posts p ON p.employee_id = c.employee_id"
    " WHERE c.employee_id = ?1";

static json_t *
col_json(sqlite3_stmt *st, int i)
{
	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return NULL;
	return json_loads(db_col_text(st, i), JSON_REJECT_DUPLICATES, NULL);
}

int
case_row_load(struct db *db, const char *id, struct case_row *row)
{
	sqlite3_stmt *st = db_prepare(db, SQL_ROW);
	int rc;

	memset(row, 0, sizeof(*row));
	if (st == NULL)
		return -1;
	db_bind_text(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		snprintf(row->id, sizeof(row->id), "%s", id);
		if (case_state_parse(db_col_text(st, 0), &row->state) != 0)
			rc = SQLITE_ERROR;
		snprintf(row->department, sizeof(row->department), "%s", db_col_text(st, 1));
		snprintf(row->office, sizeof(row->office), "%s", db_col_text(st, 2));
		row->declared = col_json(st, 3);
		row->verified = col_json(st, 4);
		row->discrepancy = col_json(st, 5);
		snprintf(row->verdict, sizeof(row->verdict), "%s", db_col_text(st, 6));
		row->post_level = sqlite3_column_int(st, 7);
	}
	db_done(st);
	if (rc == SQLITE_ROW)
		return 0;
	case_row_free(row);
	return rc == SQLITE_DONE ? 1 : -1;
}

void
case_row_free(struct case_row *row)
{
	json_decref(row->declared);
	json_decref(row->verified);
	json_decref(row->discrepancy);
	row->declared = row->verified = row->discrepancy = NULL;
}

enum err
case_access(const struct case_ctx *cx, const char *id, unsigned roles, struct employee *emp,
    struct case_row *row, char *msg, size_t msglen)
{
	int rc;

	memset(row, 0, sizeof(*row));
	if (!(roles & (1u << cx->who->role))) {
		snprintf(msg, msglen, "The role %s may not do this.", role_name(cx->who->role));
		return ERR_FORBIDDEN;
	}
	if (id == NULL || strict_code(id) != 0 || employee_get(cx->db, id, emp) != 0 ||
	    !scope_sees_employee(cx->who, emp->id, emp->office_code, emp->department_code))
		return ERR_NOT_FOUND;
	if ((rc = case_row_load(cx->db, id, row)) != 0)
		return rc > 0 ? ERR_NOT_FOUND : ERR_INTERNAL;
	return ERR_OK;
}

enum err
case_only_keys(const json_t *o, const char *const *keys, char *msg, size_t msglen)
{
	const char *k;
	json_t *v;
	size_t i;

	json_object_foreach((json_t *)o, k, v) {
		for (i = 0; keys[i] != NULL; i++)
			if (strcmp(k, keys[i]) == 0)
				break;
		if (keys[i] == NULL) {
			snprintf(msg, msglen, "Unknown field \"%.64s\".", k);
			return ERR_INVALID_FIELD;
		}
	}
	return ERR_OK;
}

const char *
case_text(const json_t *o, const char *key, size_t max, int *bad)
{
	json_t *v = json_object_get(o, key);
	const char *s;

	if (v == NULL || json_is_null(v))
		return NULL;
	if (!json_is_string(v) || (s = json_string_value(v)) == NULL ||
	    strlen(s) != json_string_length(v) || strict_text(s, max) != 0) {
		*bad = 1;
		return NULL;
	}
	return s;
}

static const char *const service_keys[] = {
	"spells", "unpaid", "centrally_sponsored", "part_time", "marriage_clause",
	"marriage_exemption", NULL,
};

enum err
case_evaluate(const struct rules_params *rules, const struct employee *emp,
    const json_t *service, int post_level, struct rules_outcome *o, char *msg, size_t msglen)
{
	struct rules_case *c = NULL;
	json_t *in = NULL;
	enum rules_err re;
	enum err e = ERR_INTERNAL;
	char err[256];

	if (!json_is_object(service)) {
		snprintf(msg, msglen, "The service record must be a JSON object.");
		return ERR_INVALID_FIELD;
	}
	if ((e = case_only_keys(service, service_keys, msg, msglen)) != ERR_OK)
		return e;
	e = ERR_INTERNAL;
	if ((in = json_deep_copy(service)) == NULL || (c = malloc(sizeof(*c))) == NULL)
		goto out;
	/* The master data of the feeds decides these; the employee cannot declare them. */
	json_object_set_new(in, "dob", json_string(emp->dob));
	json_object_set_new(in, "engagement_mode", json_string(emp->engagement_mode));
	json_object_set_new(in, "monthly_remuneration",
	    json_integer((json_int_t)emp->monthly_remuneration));
	json_object_set_new(in, "pay_level",
	    json_integer(post_level > 0 ? post_level : (json_int_t)emp->pay_level));
	re = rules_case_from_jansson(in, c, err, sizeof(err));
	if (re == RULES_OK)
		re = rules_eval(rules, c, o);
	else {
		snprintf(msg, msglen, "Service record: %s.", err);
		e = ERR_INVALID_FIELD;
		goto out;
	}
	if (re == RULES_EINVAL || re == RULES_ETOOMANY) {
		snprintf(msg, msglen, "The service record does not hold together: %s.",
		    re == RULES_ETOOMANY ? "too many spells or unpaid intervals" :
		    "a spell or unpaid interval ends before it starts");
		e = ERR_UNPROCESSABLE;
		goto out;
	}
	e = re == RULES_OK ? ERR_OK : ERR_INTERNAL;
out:
	free(c);
	json_decref(in);
	return e;
}

static const char SQL_OUTCOME[] =
    "UPDATE cases SET outcome = ?2, verdict = ?3, outcome_basis = ?4 WHERE employee_id = ?1";

int
case_store_outcome(struct db *db, const char *id, const struct rules_outcome *o,
    const char *basis)
{
	sqlite3_stmt *st = db_prepare(db, SQL_OUTCOME);
	char *text = NULL;
	json_t *j;
	int rc;

	if (st == NULL)
		return -1;
	if (o != NULL) {
		if ((j = rules_outcome_json(o)) == NULL) {
			db_done(st);
			return -1;
		}
		text = json_dumps(j, JSON_COMPACT);
		json_decref(j);
		if (text == NULL) {
			db_done(st);
			return -1;
		}
	}
	db_bind_text(st, 1, id);
	db_bind_text(st, 2, text);
	db_bind_text(st, 3, o ? rules_verdict_name(o->verdict) : NULL);
	db_bind_text(st, 4, o ? basis : NULL);
	rc = sqlite3_step(st);
	db_done(st);
	free(text);
	return rc == SQLITE_DONE ? 0 : -1;
}

int
case_stage_of(enum case_state s, const char *verdict)
{
	switch (s) {
	case CASE_DRAFT:
		return RULES_STAGE_REGISTRATION;
	/* A returned record is corrected within the verification window: the DDO must
	 * finish verifying by then, and the registration window may be long closed. */
	case CASE_RETURNED:
	case CASE_SUBMITTED:
	case CASE_DISCREPANCY:
	case CASE_CERTIFIED:
		return RULES_STAGE_VERIFICATION;
	case CASE_VERIFIED:
		return verdict != NULL && strcmp(verdict, "eligible") == 0 ? RULES_STAGE_POSTS :
		    RULES_STAGE_APPROVAL;
	case CASE_WAITING_POST:
		return RULES_STAGE_POSTS;
	case CASE_POST_CREATED:
		return RULES_STAGE_APPROVAL;
	default:
		return -1;
	}
}

static const char SQL_MOVE[] =
    "UPDATE cases SET state = ?2, stage = ?3, due_at = ?4, updated_at = ?5"
    " WHERE employee_id = ?1";
static const char SQL_STAGE[] =
    "UPDATE cases SET stage = ?2, due_at = ?3 WHERE employee_id = ?1";
static const char SQL_HIST[] =
    "INSERT INTO case_history (employee_id, at, actor, role, action, from_state, to_state,"
    " remarks) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";

static int
stage_due(struct db *db, const struct rules_params *rules, enum case_state s,
    const char *verdict, const char *department, const char **stage, int64_t *due)
{
	int sg = case_stage_of(s, verdict);
	int64_t t;

	*stage = NULL;
	*due = 0;
	if (sg < 0)
		return 0;
	if ((t = deadline_get(db, rules, (enum rules_stage)sg, department, NULL)) < 0)
		return -1;
	*stage = rules_stage_name((enum rules_stage)sg);
	*due = t + 60;
	return 0;
}

int
case_restage(struct db *db, const struct rules_params *rules, const char *id,
    enum case_state s, const char *verdict, const char *department)
{
	sqlite3_stmt *st;
	const char *stage;
	int64_t due;
	int rc;

	if (stage_due(db, rules, s, verdict, department, &stage, &due) != 0 ||
	    (st = db_prepare(db, SQL_STAGE)) == NULL)
		return -1;
	db_bind_text(st, 1, id);
	db_bind_text(st, 2, stage);
	if (stage)
		sqlite3_bind_int64(st, 3, due);
	rc = sqlite3_step(st);
	db_done(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

int
case_move(const struct case_ctx *cx, const struct case_row *row, enum case_state to,
    const char *verdict, const char *action, const char *remarks, const char *after)
{
	struct audit_rec ar = { 0 };
	char object[64], before[128], aft[128];
	const char *stage;
	sqlite3_stmt *st;
	int64_t due, now = time_now();
	int rc;

	if (stage_due(cx->db, cx->rules, to, verdict, row->department, &stage, &due) != 0 ||
	    (st = db_prepare(cx->db, SQL_MOVE)) == NULL)
		return -1;
	db_bind_text(st, 1, row->id);
	db_bind_text(st, 2, case_state_name(to));
	db_bind_text(st, 3, stage);
	if (stage)
		sqlite3_bind_int64(st, 4, due);
	sqlite3_bind_int64(st, 5, now);
	rc = sqlite3_step(st);
	db_done(st);
	if (rc != SQLITE_DONE || (st = db_prepare(cx->db, SQL_HIST)) == NULL)
		return -1;
	db_bind_text(st, 1, row->id);
	sqlite3_bind_int64(st, 2, now);
	db_bind_text(st, 3, cx->actor->name);
	db_bind_text(st, 4, cx->actor->role);
	db_bind_text(st, 5, action);
	db_bind_text(st, 6, case_state_name(row->state));
	db_bind_text(st, 7, case_state_name(to));
	db_bind_text(st, 8, remarks);
	rc = sqlite3_step(st);
	db_done(st);
	/* the employee hears of a move (not of a record saved in the same state): the outbox
	 * row commits with the move or not at all */
	if (rc != SQLITE_DONE || (to != row->state && notify_case_move(cx->db, row->id,
	    case_state_name(to), sqlite3_last_insert_rowid(db_handle(cx->db)), after) != 0))
		return -1;
	snprintf(object, sizeof(object), "case:%s", row->id);
	snprintf(before, sizeof(before), "{\"state\":\"%s\"}", case_state_name(row->state));
	snprintf(aft, sizeof(aft), "{\"state\":\"%s\"}", case_state_name(to));
	ar.actor = cx->actor->name;
	ar.role = cx->actor->role;
	ar.action = action;
	ar.case_id = row->id;
	ar.object = object;
	ar.ip = cx->actor->ip;
	ar.before = before;
	ar.after = aft;
	if (after == NULL)
		return audit_append(cx->db, &ar);
	{
		/* The record always names the state reached: audit verify checks each case's
		 * state against its newest move (issue 11). */
		json_t *o = json_loads(after, JSON_REJECT_DUPLICATES, NULL);
		char *text;

		if (!json_is_object(o) ||
		    json_object_set_new(o, "state", json_string(case_state_name(to))) != 0 ||
		    (text = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS)) == NULL) {
			json_decref(o);
			return -1;
		}
		json_decref(o);
		ar.after = text;
		rc = audit_append(cx->db, &ar);
		free(text);
		return rc;
	}
}

static const char SQL_DOC_KINDS[] =
    "SELECT DISTINCT kind FROM documents WHERE employee_id = ?1";

int
case_missing_documents(struct db *db, const struct employee *emp, const json_t *declared,
    json_t *required, json_t *missing)
{
	static const char *const always[] = {
		"engagement_order", "salary_proof", "dob_proof", "family_id",
		"marital_declaration",
	};
	const char *need[10];
	char have[16][32];
	size_t n = 0, nh = 0, i, j;
	sqlite3_stmt *st;
	json_t *spells = json_object_get(declared, "spells"), *sp;
	int miss = 0, hssc = 0;

	for (i = 0; i < sizeof(always) / sizeof(always[0]); i++)
		need[n++] = always[i];
	if (strcmp(emp->engagement_mode, "hkrnl") == 0)
		need[n++] = "hkrnl_deployment_letter";
	json_array_foreach(spells, i, sp)
		if (json_is_string(json_object_get(sp, "kind")) &&
		    strcmp(json_string_value(json_object_get(sp, "kind")), "hssc_regular") == 0)
			hssc = 1;
	if (hssc) {
		need[n++] = "hssc_appointment_order";
		need[n++] = "hssc_termination_order";
	}
	if ((st = db_prepare(db, SQL_DOC_KINDS)) == NULL)
		return -1;
	db_bind_text(st, 1, emp->id);
	while (nh < 16 && sqlite3_step(st) == SQLITE_ROW)
		snprintf(have[nh++], sizeof(have[0]), "%s", db_col_text(st, 0));
	db_done(st);
	for (i = 0; i < n; i++) {
		if (required)
			json_array_append_new(required, json_string(need[i]));
		for (j = 0; j < nh; j++)
			if (strcmp(have[j], need[i]) == 0)
				break;
		if (j == nh) {
			miss++;
			if (missing)
				json_array_append_new(missing, json_string(need[i]));
		}
	}
	return miss;
}

/* ---- the case as JSON ---- */

static const char SQL_VIEW[] =
    "SELECT state, stage, due_at, declared, declared_at, verified, verified_at, verified_by,"
    " outcome, outcome_basis, remarks, discrepancy_fields, decision_remarks, decided_by,"
    " decided_at, letter_ref, created_at, updated_at FROM cases WHERE employee_id = ?1";
static const char SQL_DOCS[] =
    "SELECT id, kind, name, mime, size, sha256, uploaded_at FROM documents"
    " WHERE employee_id = ?1 ORDER BY id";
static const char SQL_HISTORY[] =
    "SELECT at, actor, role, action, from_state, to_state, remarks FROM case_history"
    " WHERE employee_id = ?1 ORDER BY id";
static const char SQL_CERTS[] =
    "SELECT id, issuer, role, fields, remarks, document_id, at FROM certifications"
    " WHERE employee_id = ?1 ORDER BY id";
static const char SQL_POST[] =
    "SELECT id, department_code, designation, pay_level, effective_date, created_by,"
    " created_at FROM posts WHERE employee_id = ?1";

static json_t *
jtext(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? json_null() :
	    json_string(db_col_text(st, i));
}

static json_t *
jjson(sqlite3_stmt *st, int i)
{
	json_t *v = col_json(st, i);

	return v ? v : json_null();
}

static json_t *
jtime(sqlite3_stmt *st, int i)
{
	char at[21];

	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return json_null();
	time_iso_utc(sqlite3_column_int64(st, i), at);
	return json_string(at);
}

static json_t *
employee_json(const struct employee *e)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:s, s:s, s:I,"
	    " s:s, s:s}", "employee_id", e->id, "name", e->name, "father_name", e->father_name,
	    "dob", e->dob, "gender", e->gender, "mobile", e->mobile, "family_id", e->family_id,
	    "department_code", e->department_code, "office_code", e->office_code,
	    "designation", e->designation, "pay_level", (json_int_t)e->pay_level,
	    "engagement_mode", e->engagement_mode, "head_of_account", e->head_of_account,
	    "monthly_remuneration", (json_int_t)e->monthly_remuneration, "joining_date",
	    e->joining_date, "source", e->source);
}

static json_t *
rows_json(struct db *db, const char *sql, const char *id, json_t *(*one)(sqlite3_stmt *))
{
	sqlite3_stmt *st = db_prepare(db, sql);
	json_t *arr = json_array();

	if (st == NULL)
		return arr;
	db_bind_text(st, 1, id);
	while (sqlite3_step(st) == SQLITE_ROW)
		json_array_append_new(arr, one(st));
	db_done(st);
	return arr;
}

static json_t *
doc_one(sqlite3_stmt *st)
{
	return json_pack("{s:I, s:o, s:o, s:o, s:I, s:o, s:o}",
	    "id", (json_int_t)sqlite3_column_int64(st, 0), "kind", jtext(st, 1),
	    "name", jtext(st, 2), "mime", jtext(st, 3),
	    "size", (json_int_t)sqlite3_column_int64(st, 4), "sha256", jtext(st, 5),
	    "uploaded_at", jtime(st, 6));
}

static json_t *
hist_one(sqlite3_stmt *st)
{
	return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "at", jtime(st, 0),
	    "actor", jtext(st, 1), "role", jtext(st, 2), "action", jtext(st, 3),
	    "from", jtext(st, 4), "to", jtext(st, 5), "remarks", jtext(st, 6));
}

static json_t *
cert_one(sqlite3_stmt *st)
{
	return json_pack("{s:I, s:o, s:o, s:o, s:o, s:I, s:o}",
	    "id", (json_int_t)sqlite3_column_int64(st, 0), "issuer", jtext(st, 1),
	    "role", jtext(st, 2), "fields", jjson(st, 3), "remarks", jtext(st, 4),
	    "document_id", (json_int_t)sqlite3_column_int64(st, 5), "at", jtime(st, 6));
}

static json_t *
post_one(sqlite3_stmt *st)
{
	return json_pack("{s:I, s:o, s:o, s:I, s:o, s:o, s:o}",
	    "id", (json_int_t)sqlite3_column_int64(st, 0), "department_code", jtext(st, 1),
	    "designation", jtext(st, 2), "pay_level", (json_int_t)sqlite3_column_int64(st, 3),
	    "effective_date", jtext(st, 4), "created_by", jtext(st, 5),
	    "created_at", jtime(st, 6));
}

enum err
case_get_json(const struct case_ctx *cx, const char *id, json_t **out, char *msg,
    size_t msglen)
{
	unsigned all = ~0u & ~(1u << ROLE_NONE);
	struct employee emp;
	struct case_row row;
	sqlite3_stmt *st;
	json_t *o, *posts, *req, *miss;
	int64_t now = time_now();
	enum err e;
	char due[26];

	*out = NULL;
	if ((e = case_access(cx, id, all, &emp, &row, msg, msglen)) != ERR_OK)
		return e;
	case_row_free(&row);
	if ((st = db_prepare(cx->db, SQL_VIEW)) == NULL)
		return ERR_INTERNAL;
	db_bind_text(st, 1, id);
	if (sqlite3_step(st) != SQLITE_ROW) {
		db_done(st);
		return ERR_NOT_FOUND;
	}
	if (sqlite3_column_type(st, 2) != SQLITE_NULL)
		time_iso_ist(sqlite3_column_int64(st, 2), due);
	o = json_pack("{s:o, s:o, s:o, s:o, s:b, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o,"
	    " s:o, s:o, s:o, s:o}",
	    "employee", employee_json(&emp), "state", jtext(st, 0), "stage", jtext(st, 1),
	    "due", sqlite3_column_type(st, 2) == SQLITE_NULL ? json_null() : json_string(due),
	    "overdue", sqlite3_column_type(st, 2) != SQLITE_NULL &&
	    sqlite3_column_int64(st, 2) <= now,
	    "declared", jjson(st, 3), "declared_at", jtime(st, 4),
	    "verified", jjson(st, 5), "verified_at", jtime(st, 6), "verified_by", jtext(st, 7),
	    "outcome", jjson(st, 8), "outcome_basis", jtext(st, 9), "remarks", jtext(st, 10),
	    "discrepancy_fields", jjson(st, 11), "letter_ref", jtext(st, 15),
	    "created_at", jtime(st, 16), "updated_at", jtime(st, 17),
	    "decision", json_null());
	if (o != NULL && sqlite3_column_type(st, 14) != SQLITE_NULL)
		json_object_set_new(o, "decision", json_pack("{s:o, s:o, s:o, s:o}",
		    "decision", jtext(st, 0), "remarks", jtext(st, 12), "by", jtext(st, 13),
		    "at", jtime(st, 14)));
	db_done(st);
	if (o == NULL)
		return ERR_INTERNAL;
	/* Finance sees case states for posts, not the papers (not even their names). */
	json_object_set_new(o, "documents", cx->who->role == ROLE_FINANCE ? json_array() :
	    rows_json(cx->db, SQL_DOCS, id, doc_one));
	req = json_array();
	miss = json_array();
	case_missing_documents(cx->db, &emp, json_object_get(o, "declared"), req, miss);
	json_object_set_new(o, "required_documents", req);
	json_object_set_new(o, "missing_documents", miss);
	json_object_set_new(o, "history", rows_json(cx->db, SQL_HISTORY, id, hist_one));
	json_object_set_new(o, "certifications", rows_json(cx->db, SQL_CERTS, id, cert_one));
	posts = rows_json(cx->db, SQL_POST, id, post_one);
	json_object_set(o, "post", json_array_size(posts) ? json_array_get(posts, 0) :
	    json_null());
	json_decref(posts);
	json_object_set_new(o, "deadlines", deadline_json_department(cx->db, cx->rules,
	    emp.department_code, now));
	*out = o;
	return ERR_OK;
}
