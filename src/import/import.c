/* CSV import of master data (API.md, "Import files"; RULES.md §6). */
#include "import/master.h"

#include <ctype.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "db/db.h"
#include "import/csv.h"
#include "import/particulars.h"
#include "util/buf.h"
#include "util/crypt.h"
#include "util/strict.h"
#include "util/timeutil.h"

static const char SQL_IMPORT_ADD[] =
    "INSERT INTO imports (source, file_name, file_sha256, at, actor, rows_total,"
    " rows_inserted, rows_updated, rows_unchanged, rows_rejected)"
    " VALUES (?1, ?2, ?3, ?4, ?5, 0, 0, 0, 0, 0)";
static const char SQL_IMPORT_DONE[] =
    "UPDATE imports SET rows_total = ?2, rows_inserted = ?3, rows_updated = ?4,"
    " rows_unchanged = ?5, rows_rejected = ?6 WHERE id = ?1";
static const char SQL_DEPT_GET[] = "SELECT name FROM departments WHERE code = ?1";
static const char SQL_DEPT_PUT[] =
    "INSERT INTO departments (code, name, import_id) VALUES (?1, ?2, ?3)"
    " ON CONFLICT (code) DO UPDATE SET name = excluded.name, import_id = excluded.import_id";
static const char SQL_OFFICE_GET[] =
    "SELECT name, department_code, ddo_code, district FROM offices WHERE code = ?1";
static const char SQL_OFFICE_PUT[] =
    "INSERT INTO offices (code, name, department_code, ddo_code, district, import_id)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (code) DO UPDATE SET"
    " name = excluded.name, department_code = excluded.department_code,"
    " ddo_code = excluded.ddo_code, district = excluded.district,"
    " import_id = excluded.import_id";
static const char SQL_EMP_PUT[] =
    "INSERT INTO employees (id, name, father_name, dob, gender, mobile, family_id,"
    " department_code, office_code, designation, pay_level, engagement_mode,"
    " head_of_account, monthly_remuneration, joining_date, source, import_id, updated_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,"
    " ?18) ON CONFLICT (id) DO UPDATE SET name = excluded.name,"
    " father_name = excluded.father_name, dob = excluded.dob, gender = excluded.gender,"
    " mobile = excluded.mobile, family_id = excluded.family_id,"
    " department_code = excluded.department_code, office_code = excluded.office_code,"
    " designation = excluded.designation, pay_level = excluded.pay_level,"
    " engagement_mode = excluded.engagement_mode,"
    " head_of_account = excluded.head_of_account,"
    " monthly_remuneration = excluded.monthly_remuneration,"
    " joining_date = excluded.joining_date, source = excluded.source,"
    " import_id = excluded.import_id, updated_at = excluded.updated_at";
static const char SQL_SEEN_MAKE[] =
    "CREATE TEMP TABLE IF NOT EXISTS import_seen (id TEXT PRIMARY KEY, line INTEGER) STRICT";
static const char SQL_SEEN_CLEAR[] = "DELETE FROM import_seen";
static const char SQL_SEEN_ADD[] = "INSERT INTO import_seen (id, line) VALUES (?1, ?2)";
static const char SQL_SEEN_GET[] = "SELECT line FROM import_seen WHERE id = ?1";
static const char SQL_HELD_ADD[] =
    "INSERT INTO import_held (source, import_id, line, employee_id, department_code,"
    " office_code, row, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
/* A row taken (or superseded by a newer row of the same employee) is no longer held. */
static const char SQL_HELD_DONE[] =
    "UPDATE import_held SET taken_at = ?3, taken_import_id = ?4 WHERE employee_id = ?1"
    " AND source = ?2 AND taken_at IS NULL";
static const char SQL_HELD_READY[] =
    "SELECT h.id, h.source, h.import_id, h.line, h.row FROM import_held h"
    " WHERE h.taken_at IS NULL AND EXISTS (SELECT 1 FROM offices o"
    " WHERE o.code = h.office_code) ORDER BY h.id";

static const char *const office_cols[] = {
	"office_code", "office_name", "department_code", "department_name", "ddo_code",
	"district",
};
enum { O_CODE, O_NAME, O_DEPT, O_DEPT_NAME, O_DDO, O_DISTRICT, O__MAX };

static const char *const employee_cols[] = {
	"employee_id", "name", "father_name", "dob", "gender", "mobile", "family_id",
	"department_code", "office_code", "designation", "pay_level", "engagement_mode",
	"head_of_account", "monthly_remuneration", "joining_date",
};
enum { E_ID, E_NAME, E_FATHER, E_DOB, E_GENDER, E_MOBILE, E_FAMILY, E_DEPT, E_OFFICE,
	E_DESIGNATION, E_LEVEL, E_MODE, E_HOA, E_PAY, E_JOINED, E__MAX };

static const char *const source_names[] = { "offices", "hkrnl", "treasury" };

int
import_source_parse(const char *s, enum import_source *out)
{
	size_t i;

	for (i = 0; i < 3; i++)
		if (s != NULL && strcmp(s, source_names[i]) == 0) {
			*out = (enum import_source)i;
			return 0;
		}
	return -1;
}

static int
file_sha256(const char *path, char out[SHA256_HEX])
{
	unsigned char md[SHA256_LEN], chunk[65536];
	EVP_MD_CTX *ctx;
	unsigned int n;
	size_t r;
	FILE *f;
	int rc = -1;

	if ((f = fopen(path, "rb")) == NULL)
		return -1;
	if ((ctx = EVP_MD_CTX_new()) != NULL && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL)) {
		while ((r = fread(chunk, 1, sizeof(chunk), f)) > 0)
			EVP_DigestUpdate(ctx, chunk, r);
		if (!ferror(f) && EVP_DigestFinal_ex(ctx, md, &n)) {
			crypt_hex(md, sizeof(md), out);
			rc = 0;
		}
	}
	EVP_MD_CTX_free(ctx);
	fclose(f);
	return rc;
}

struct rowctx {
	struct buf	 why;	/* reasons a row is refused, "; "-separated */
	struct buf	 flags;	/* particulars flagged, "; "-separated */
};

/* fmt holds one %s for the refused value; the formats are this file's own. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
static void
reject(struct rowctx *rc, const char *fmt, const char *value)
{
	char msg[256];
	char shown[48];
	size_t i;

	/* The refused value is shown cut and with control characters masked. */
	snprintf(shown, sizeof(shown), "%s", value ? value : "");
	for (i = 0; shown[i]; i++)
		if ((unsigned char)shown[i] < 0x20)
			shown[i] = '?';
	snprintf(msg, sizeof(msg), fmt, shown);
	if (rc->why.len > 0)
		buf_puts(&rc->why, "; ");
	buf_puts(&rc->why, msg);
}
#pragma GCC diagnostic pop

static int
lookup1(struct db *db, const char *sql, const char *key, char *out, size_t outlen)
{
	sqlite3_stmt *st = db_prepare(db, sql);
	int found;

	if (st == NULL)
		return 0;
	db_bind_text(st, 1, key);
	found = sqlite3_step(st) == SQLITE_ROW;
	if (found && out != NULL)
		snprintf(out, outlen, "%s", db_col_text(st, 1 < sqlite3_column_count(st) ? 1 : 0));
	db_done(st);
	return found;
}

static void
text_field(struct rowctx *rc, const char *v, const char *name, size_t max)
{
	char fmt[96];

	if (strict_text(v, max) != 0) {
		snprintf(fmt, sizeof(fmt), "%s '%%s' must be 1 to %zu characters of text", name,
		    max);
		reject(rc, fmt, v);
	}
}

static char *
emp_json(const struct employee *e)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:s, s:s,"
	    " s:I, s:s}", "name", e->name, "father_name", e->father_name, "dob", e->dob,
	    "gender", e->gender, "mobile", e->mobile, "family_id", e->family_id,
	    "department_code", e->department_code, "office_code", e->office_code,
	    "designation", e->designation, "pay_level", (json_int_t)e->pay_level,
	    "engagement_mode", e->engagement_mode, "head_of_account", e->head_of_account,
	    "monthly_remuneration", (json_int_t)e->monthly_remuneration, "joining_date",
	    e->joining_date);
	char *s = o ? json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS) : NULL;

	json_decref(o);
	return s;
}

/* Validates one employee row into e. Faults that stop the row go to rc; particulars an
 * office can certify go to rf (the row is kept); a department or office missing from the
 * master list sets *hold (the row waits for the administrator to add it). */
static void
employee_row(struct db *db, enum import_source src, char **f, struct employee *e,
    struct rowctx *rc, struct row_flags *rf, int *hold)
{
	char office_dept[CODE_MAX] = "";
	int32_t days;
	int64_t n;

	memset(e, 0, sizeof(*e));
	memset(rf, 0, sizeof(*rf));
	*hold = 0;
	if (strict_code(f[E_ID]) != 0)
		reject(rc, "employee_id '%s' must be 1 to 32 of letters, digits, '-' and '/'",
		    f[E_ID]);
	snprintf(e->id, sizeof(e->id), "%s", f[E_ID]);
	text_field(rc, f[E_NAME], "name", 128);
	snprintf(e->name, sizeof(e->name), "%s", f[E_NAME]);
	text_field(rc, f[E_FATHER], "father_name", 128);
	snprintf(e->father_name, sizeof(e->father_name), "%s", f[E_FATHER]);
	if (strict_date(f[E_DOB], &days) != 0)
		reject(rc, "dob '%s' is not a date YYYY-MM-DD", f[E_DOB]);
	else if (days > (int32_t)(time_now() / 86400) - 14 * 365)
		reject(rc, "dob '%s' makes the employee younger than 14", f[E_DOB]);
	snprintf(e->dob, sizeof(e->dob), "%s", f[E_DOB]);
	particulars_feed_value(rf->feed[PART_DOB], f[E_DOB]);
	if (strlen(f[E_GENDER]) != 1 || strchr("MFTmft", f[E_GENDER][0]) == NULL)
		reject(rc, "gender '%s' must be M, F or T", f[E_GENDER]);
	else
		e->gender[0] = (char)toupper((unsigned char)f[E_GENDER][0]);
	/* Particulars an office certifies: kept, flagged, never a reason to drop the row. */
	particulars_feed_value(rf->feed[PART_MOBILE], f[E_MOBILE]);
	if (f[E_MOBILE][0] == '\0')
		rf->reasons[PART_MOBILE] |= 1u << REASON_MISSING;
	else if (strict_mobile(f[E_MOBILE], e->mobile) != 0) {
		rf->reasons[PART_MOBILE] |= 1u << REASON_INVALID;
		e->mobile[0] = '\0';
	} else
		snprintf(rf->feed[PART_MOBILE], FEED_VALUE_MAX, "%s", e->mobile);
	particulars_feed_value(rf->feed[PART_FAMILY_ID], f[E_FAMILY]);
	if (f[E_FAMILY][0] == '\0')
		rf->reasons[PART_FAMILY_ID] |= 1u << REASON_MISSING;
	else if (strict_family_id(f[E_FAMILY]) != 0)
		rf->reasons[PART_FAMILY_ID] |= 1u << REASON_INVALID;
	/* An ill-shaped Family ID is kept when it is a code (the employee may type it and be
	 * told to see the office); anything else is not stored. */
	if (strict_code(f[E_FAMILY]) == 0 && strlen(f[E_FAMILY]) < sizeof(e->family_id))
		snprintf(e->family_id, sizeof(e->family_id), "%s", f[E_FAMILY]);
	if (strict_code(f[E_DEPT]) != 0)
		reject(rc, "department_code '%s' must be 1 to 32 of letters, digits, '-' and '/'",
		    f[E_DEPT]);
	else if (!lookup1(db, SQL_DEPT_GET, f[E_DEPT], NULL, 0))
		*hold = 1;
	snprintf(e->department_code, sizeof(e->department_code), "%s", f[E_DEPT]);
	particulars_feed_value(rf->feed[PART_OFFICE_CODE], f[E_OFFICE]);
	if (strict_code(f[E_OFFICE]) != 0)
		reject(rc, "office_code '%s' must be 1 to 32 of letters, digits, '-' and '/'",
		    f[E_OFFICE]);
	else if (!lookup1(db, SQL_OFFICE_GET, f[E_OFFICE], office_dept, sizeof(office_dept)))
		*hold = 1;
	else if (!*hold && strcmp(office_dept, f[E_DEPT]) != 0)
		reject(rc, "office_code '%s' belongs to another department", f[E_OFFICE]);
	snprintf(e->office_code, sizeof(e->office_code), "%s", f[E_OFFICE]);
	text_field(rc, f[E_DESIGNATION], "designation", 128);
	snprintf(e->designation, sizeof(e->designation), "%s", f[E_DESIGNATION]);
	if (strict_int64(f[E_LEVEL], 1, 10, &n) != 0)
		reject(rc, "pay_level '%s' must be a whole number from 1 to 10", f[E_LEVEL]);
	e->pay_level = n;
	if (strcmp(f[E_MODE], src == IMPORT_HKRNL ? "hkrnl" : "direct") != 0)
		reject(rc, src == IMPORT_HKRNL ?
		    "engagement_mode '%s' must be hkrnl in the HKRNL feed" :
		    "engagement_mode '%s' must be direct in the Treasuries feed", f[E_MODE]);
	snprintf(e->engagement_mode, sizeof(e->engagement_mode), "%s", f[E_MODE]);
	particulars_feed_value(rf->feed[PART_HEAD_OF_ACCOUNT], f[E_HOA]);
	if (f[E_HOA][0] == '\0')
		rf->reasons[PART_HEAD_OF_ACCOUNT] |= 1u << REASON_MISSING;
	else if (strict_head_of_account(f[E_HOA]) != 0)
		rf->reasons[PART_HEAD_OF_ACCOUNT] |= 1u << REASON_INVALID;
	else if (!head_of_account_is_contractual(f[E_HOA]))
		rf->reasons[PART_HEAD_OF_ACCOUNT] |= 1u << REASON_NOT_CONTRACTUAL;
	if (strict_text(f[E_HOA], sizeof(e->head_of_account) - 1) == 0)
		snprintf(e->head_of_account, sizeof(e->head_of_account), "%s", f[E_HOA]);
	if (strict_int64(f[E_PAY], 0, 10000000, &n) != 0)
		reject(rc, "monthly_remuneration '%s' must be whole rupees from 0 to 10000000",
		    f[E_PAY]);
	e->monthly_remuneration = n;
	if (strict_date(f[E_JOINED], &days) != 0)
		reject(rc, "joining_date '%s' is not a date YYYY-MM-DD", f[E_JOINED]);
	snprintf(e->joining_date, sizeof(e->joining_date), "%s", f[E_JOINED]);
	snprintf(e->source, sizeof(e->source), "%s", source_names[src]);
}

/* The report's words for the flags of a row: "mobile '123': invalid; ...". */
static void
flags_text(const struct row_flags *rf, struct buf *out)
{
	static const char *const says[REASON__MAX] = {
		[REASON_MISSING] = "missing",
		[REASON_INVALID] = "not valid",
		[REASON_SHARED] = "shared with another employee",
		[REASON_FEEDS_DIFFER] = "the other feed says otherwise",
		[REASON_NOT_CONTRACTUAL] = "not the contractual head of account (object head 69)",
	};
	int p, r;

	for (p = 0; p < PART__MAX; p++)
		for (r = 0; r < REASON__MAX; r++) {
			if (!(rf->reasons[p] & (1u << r)))
				continue;
			buf_printf(out, "%s%s '%s': %s", out->len ? "; " : "",
			    particular_name((enum particular)p), rf->feed[p], says[r]);
		}
}

static int
same_employee(const struct employee *a, const struct employee *b)
{
	return !strcmp(a->name, b->name) && !strcmp(a->father_name, b->father_name) &&
	    !strcmp(a->dob, b->dob) && !strcmp(a->gender, b->gender) &&
	    !strcmp(a->mobile, b->mobile) && !strcmp(a->family_id, b->family_id) &&
	    !strcmp(a->department_code, b->department_code) &&
	    !strcmp(a->office_code, b->office_code) &&
	    !strcmp(a->designation, b->designation) && a->pay_level == b->pay_level &&
	    !strcmp(a->engagement_mode, b->engagement_mode) &&
	    !strcmp(a->head_of_account, b->head_of_account) &&
	    a->monthly_remuneration == b->monthly_remuneration &&
	    !strcmp(a->joining_date, b->joining_date) && !strcmp(a->source, b->source);
}

/* 'i'nserted, 'u'pdated, 'n' unchanged, or 0 on a database error. */
static char
employee_put(struct db *db, const struct employee *e, int64_t import_id,
    const struct actor *who)
{
	struct employee old;
	struct audit_rec r = { who->name, who->role, NULL, e->id, NULL, who->ip, NULL, NULL };
	char object[64], *before = NULL, *after = NULL, what;
	sqlite3_stmt *st;
	int found = employee_get(db, e->id, &old) == 0;

	if (found && same_employee(&old, e))
		return 'n';
	what = found ? 'u' : 'i';
	if ((st = db_prepare(db, SQL_EMP_PUT)) == NULL)
		return 0;
	db_bind_text(st, 1, e->id);
	db_bind_text(st, 2, e->name);
	db_bind_text(st, 3, e->father_name);
	db_bind_text(st, 4, e->dob);
	db_bind_text(st, 5, e->gender);
	db_bind_text(st, 6, e->mobile);
	db_bind_text(st, 7, e->family_id);
	db_bind_text(st, 8, e->department_code);
	db_bind_text(st, 9, e->office_code);
	db_bind_text(st, 10, e->designation);
	sqlite3_bind_int64(st, 11, e->pay_level);
	db_bind_text(st, 12, e->engagement_mode);
	db_bind_text(st, 13, e->head_of_account);
	sqlite3_bind_int64(st, 14, e->monthly_remuneration);
	db_bind_text(st, 15, e->joining_date);
	db_bind_text(st, 16, e->source);
	sqlite3_bind_int64(st, 17, import_id);
	sqlite3_bind_int64(st, 18, time_now());
	if (sqlite3_step(st) != SQLITE_DONE)
		what = 0;
	db_done(st);
	if (what == 0)
		return 0;
	snprintf(object, sizeof(object), "employee:%s", e->id);
	r.object = object;
	r.action = found ? "employee.update" : "employee.add";
	before = found ? emp_json(&old) : NULL;
	after = emp_json(e);
	r.before = before;
	r.after = after;
	if (audit_append(db, &r) != 0)
		what = 0;
	free(before);
	free(after);
	return what;
}

static char
office_put(struct db *db, char **f, int64_t import_id, const struct actor *who)
{
	char old[4][256] = { "", "", "", "" }, dept_name[256] = "", object[64], after[1024];
	struct audit_rec r = { who->name, who->role, NULL, NULL, NULL, who->ip, NULL, NULL };
	sqlite3_stmt *st;
	int dept_found, found = 0, i;
	char what;

	dept_found = lookup1(db, SQL_DEPT_GET, f[O_DEPT], NULL, 0);
	if ((st = db_prepare(db, SQL_DEPT_GET)) == NULL)
		return 0;
	db_bind_text(st, 1, f[O_DEPT]);
	if (sqlite3_step(st) == SQLITE_ROW)
		snprintf(dept_name, sizeof(dept_name), "%s", db_col_text(st, 0));
	db_done(st);
	if (!dept_found || strcmp(dept_name, f[O_DEPT_NAME]) != 0) {
		if ((st = db_prepare(db, SQL_DEPT_PUT)) == NULL)
			return 0;
		db_bind_text(st, 1, f[O_DEPT]);
		db_bind_text(st, 2, f[O_DEPT_NAME]);
		sqlite3_bind_int64(st, 3, import_id);
		i = sqlite3_step(st) == SQLITE_DONE;
		db_done(st);
		if (!i)
			return 0;
		{
			json_t *o = json_pack("{s:s}", "name", f[O_DEPT_NAME]);
			char *a = o ? json_dumps(o, JSON_COMPACT) : NULL;

			json_decref(o);
			snprintf(after, sizeof(after), "%s", a ? a : "{}");
			free(a);
		}
		snprintf(object, sizeof(object), "department:%s", f[O_DEPT]);
		r.after = after;
		r.action = dept_found ? "department.update" : "department.add";
		r.object = object;
		if (audit_append(db, &r) != 0)
			return 0;
		r.after = NULL;
	}
	if ((st = db_prepare(db, SQL_OFFICE_GET)) == NULL)
		return 0;
	db_bind_text(st, 1, f[O_CODE]);
	if (sqlite3_step(st) == SQLITE_ROW) {
		found = 1;
		for (i = 0; i < 4; i++)
			snprintf(old[i], sizeof(old[i]), "%s", db_col_text(st, i));
	}
	db_done(st);
	if (found && !strcmp(old[0], f[O_NAME]) && !strcmp(old[1], f[O_DEPT]) &&
	    !strcmp(old[2], f[O_DDO]) && !strcmp(old[3], f[O_DISTRICT]))
		return 'n';
	what = found ? 'u' : 'i';
	if ((st = db_prepare(db, SQL_OFFICE_PUT)) == NULL)
		return 0;
	db_bind_text(st, 1, f[O_CODE]);
	db_bind_text(st, 2, f[O_NAME]);
	db_bind_text(st, 3, f[O_DEPT]);
	db_bind_text(st, 4, f[O_DDO]);
	db_bind_text(st, 5, f[O_DISTRICT]);
	sqlite3_bind_int64(st, 6, import_id);
	if (sqlite3_step(st) != SQLITE_DONE)
		what = 0;
	db_done(st);
	if (what == 0)
		return 0;
	{
		json_t *o = json_pack("{s:s, s:s, s:s, s:s}", "name", f[O_NAME], "department_code",
		    f[O_DEPT], "ddo_code", f[O_DDO], "district", f[O_DISTRICT]);
		char *a = o ? json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS) : NULL;

		json_decref(o);
		snprintf(object, sizeof(object), "office:%s", f[O_CODE]);
		r.action = found ? "office.update" : "office.add";
		r.object = object;
		r.after = a;
		if (audit_append(db, &r) != 0)
			what = 0;
		free(a);
	}
	return what;
}

static void
office_row(char **f, struct rowctx *rc)
{
	if (strict_code(f[O_CODE]) != 0)
		reject(rc, "office_code '%s' must be 1 to 32 of letters, digits, '-' and '/'",
		    f[O_CODE]);
	text_field(rc, f[O_NAME], "office_name", 200);
	if (strict_code(f[O_DEPT]) != 0)
		reject(rc, "department_code '%s' must be 1 to 32 of letters, digits, '-' and '/'",
		    f[O_DEPT]);
	text_field(rc, f[O_DEPT_NAME], "department_name", 200);
	if (strict_code(f[O_DDO]) != 0)
		reject(rc, "ddo_code '%s' must be 1 to 32 of letters, digits, '-' and '/'",
		    f[O_DDO]);
	text_field(rc, f[O_DISTRICT], "district", 100);
}

static int
seen(struct db *db, const char *id, unsigned long line, long *first)
{
	sqlite3_stmt *st = db_prepare(db, SQL_SEEN_GET);
	int found = 0;

	if (st == NULL)
		return -1;
	db_bind_text(st, 1, id);
	if (sqlite3_step(st) == SQLITE_ROW) {
		found = 1;
		*first = sqlite3_column_int64(st, 0);
	}
	db_done(st);
	if (found)
		return 1;
	if ((st = db_prepare(db, SQL_SEEN_ADD)) == NULL)
		return -1;
	db_bind_text(st, 1, id);
	sqlite3_bind_int64(st, 2, (int64_t)line);
	sqlite3_step(st);
	db_done(st);
	return 0;
}

static int
held_done(struct db *db, const char *id, const char *source, int64_t import_id)
{
	sqlite3_stmt *st = db_prepare(db, SQL_HELD_DONE);
	int rc;

	if (st == NULL)
		return -1;
	db_bind_text(st, 1, id);
	db_bind_text(st, 2, source);
	sqlite3_bind_int64(st, 3, time_now());
	sqlite3_bind_int64(st, 4, import_id);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
	db_done(st);
	return rc;
}

/* Stores a validated employee row with its particulars: 'i'nserted, 'u'pdated, 'n'
 * unchanged, or 0 on a database error. */
static char
employee_take(struct db *db, enum import_source src, struct employee *e,
    struct row_flags *rf, int64_t import_id, const struct actor *who, long *flagged)
{
	long opened = 0;
	char what;
	int p;

	if (particulars_before_put(db, source_names[src], e, rf, who) != 0 ||
	    (what = employee_put(db, e, import_id, who)) == 0 ||
	    particulars_after_put(db, source_names[src], e, rf, import_id, who, &opened) != 0 ||
	    held_done(db, e->id, source_names[src], import_id) != 0)
		return 0;
	for (p = 0; p < PART__MAX; p++)
		if (rf->reasons[p] != 0) {
			(*flagged)++;
			break;
		}
	return what;
}

/* Holds a row naming a department or office missing from the master list (a newer row of
 * the same employee replaces it). 0 ok. */
static int
hold_row(struct db *db, enum import_source src, int64_t import_id, unsigned long line,
    char **f, const struct actor *who)
{
	struct audit_rec a = { who->name, who->role, "import.hold", NULL, NULL, who->ip, NULL,
	    NULL };
	json_t *o = json_object();
	char *text = NULL, object[64];
	sqlite3_stmt *st;
	size_t i;
	int rc = -1;

	for (i = 0; o != NULL && i < E__MAX; i++)
		json_object_set_new(o, employee_cols[i], json_string(f[i]));
	if (o == NULL || (text = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS)) == NULL ||
	    held_done(db, f[E_ID], source_names[src], import_id) != 0 ||
	    (st = db_prepare(db, SQL_HELD_ADD)) == NULL)
		goto out;
	db_bind_text(st, 1, source_names[src]);
	sqlite3_bind_int64(st, 2, import_id);
	sqlite3_bind_int64(st, 3, (int64_t)line);
	db_bind_text(st, 4, f[E_ID]);
	db_bind_text(st, 5, f[E_DEPT]);
	db_bind_text(st, 6, f[E_OFFICE]);
	db_bind_text(st, 7, text);
	sqlite3_bind_int64(st, 8, time_now());
	i = sqlite3_step(st) == SQLITE_DONE;
	db_done(st);
	if (!i)
		goto out;
	snprintf(object, sizeof(object), "employee:%s", f[E_ID]);
	a.object = object;
	a.after = text;
	rc = audit_append(db, &a);
out:
	json_decref(o);
	free(text);
	return rc;
}

/* Takes the held rows whose office is now in the master list, each validated afresh. */
static int
take_held(struct db *db, int64_t import_id, const struct actor *who, struct rowctx *rc,
    FILE *report, struct import_stats *stats)
{
	struct held { int64_t id, import_id, line; enum import_source src; json_t *row; }
	    *list = NULL;
	size_t n = 0, cap = 0, k, i;
	sqlite3_stmt *st;
	int ret = -1;

	if ((st = db_prepare(db, SQL_HELD_READY)) == NULL)
		return -1;
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (n == cap) {
			size_t ncap = cap ? 2 * cap : 16;
			struct held *nl = realloc(list, ncap * sizeof(*nl));

			if (nl == NULL) {
				db_done(st);
				goto out;
			}
			list = nl;
			cap = ncap;
		}
		list[n].id = sqlite3_column_int64(st, 0);
		if (import_source_parse(db_col_text(st, 1), &list[n].src) != 0)
			continue;
		list[n].import_id = sqlite3_column_int64(st, 2);
		list[n].line = sqlite3_column_int64(st, 3);
		list[n].row = json_loads(db_col_text(st, 4), 0, NULL);
		n++;
	}
	db_done(st);
	for (k = 0; k < n; k++) {
		struct employee e;
		struct row_flags rf;
		char *f[E__MAX], what;
		int hold;

		for (i = 0; i < E__MAX; i++) {
			const char *v = json_string_value(json_object_get(list[k].row,
			    employee_cols[i]));

			f[i] = (char *)(v ? v : "");
		}
		buf_reset(&rc->why);
		buf_reset(&rc->flags);
		employee_row(db, list[k].src, f, &e, rc, &rf, &hold);
		if (rc->why.len > 0 || hold) {
			fprintf(report, "held row (import %lld, line %lld): employee %s: still held: "
			    "%s\n", (long long)list[k].import_id, (long long)list[k].line, e.id,
			    rc->why.len ? buf_str(&rc->why) : "the department is not in the master "
			    "list");
			continue;
		}
		if ((what = employee_take(db, list[k].src, &e, &rf, import_id, who,
		    &stats->flagged)) == 0)
			goto out;
		flags_text(&rf, &rc->flags);
		stats->taken++;
		fprintf(report, "held row (import %lld, line %lld): employee %s: %s%s%s\n",
		    (long long)list[k].import_id, (long long)list[k].line, e.id,
		    what == 'i' ? "added" : what == 'u' ? "updated" : "unchanged",
		    rc->flags.len ? "; flagged: " : "", buf_str(&rc->flags));
	}
	ret = 0;
out:
	for (k = 0; k < n; k++)
		json_decref(list[k].row);
	free(list);
	return ret;
}

int
import_csv(struct db *db, enum import_source src, const char *path, const char *name,
    const struct actor *who,
    FILE *report, struct import_stats *stats, char *err, size_t errlen)
{
	const char *const *cols = src == IMPORT_OFFICES ? office_cols : employee_cols;
	size_t ncols = src == IMPORT_OFFICES ? O__MAX : E__MAX, i, j;
	int map[E__MAX];
	char sha[SHA256_HEX], *row[E__MAX];
	struct csv *c = NULL;
	struct rowctx rc;
	sqlite3_stmt *st;
	FILE *f = NULL;
	int r, ret = -1, in_txn = 0;

	memset(stats, 0, sizeof(*stats));
	buf_init(&rc.why, 4096);
	buf_init(&rc.flags, 4096);
	if (file_sha256(path, sha) != 0 || (f = fopen(path, "rb")) == NULL) {
		snprintf(err, errlen, "%s: cannot read the file", path);
		goto out;
	}
	if ((c = malloc(sizeof(*c))) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	csv_init(c, f);
	if ((r = csv_next(c)) <= 0) {
		snprintf(err, errlen, "%s: %s", path, r < 0 ? c->err : "empty file, no header row");
		goto out;
	}
	for (i = 0; i < ncols; i++)
		map[i] = -1;
	for (j = 0; j < c->nfields; j++) {
		for (i = 0; i < ncols; i++)
			if (strcmp(c->fields[j], cols[i]) == 0)
				break;
		if (i == ncols) {
			fprintf(report, "header: unknown column '%s' ignored\n", c->fields[j]);
			continue;
		}
		if (map[i] >= 0) {
			snprintf(err, errlen, "%s: column '%s' appears twice", path, cols[i]);
			goto out;
		}
		map[i] = (int)j;
	}
	for (i = 0; i < ncols; i++)
		if (map[i] < 0) {
			snprintf(err, errlen, "%s: required column '%s' is missing; nothing was "
			    "imported", path, cols[i]);
			goto out;
		}
	if (db_begin(db) != 0) {
		snprintf(err, errlen, "the database is busy; nothing was imported");
		goto out;
	}
	in_txn = 1;
	if (db_exec(db, SQL_SEEN_MAKE) != 0 || db_exec(db, SQL_SEEN_CLEAR) != 0 ||
	    (st = db_prepare(db, SQL_IMPORT_ADD)) == NULL)
		goto dberr;
	db_bind_text(st, 1, source_names[src]);
	db_bind_text(st, 2, name ? name : path);
	db_bind_text(st, 3, sha);
	sqlite3_bind_int64(st, 4, time_now());
	db_bind_text(st, 5, who->name);
	r = sqlite3_step(st);
	db_done(st);
	if (r != SQLITE_DONE)
		goto dberr;
	stats->import_id = sqlite3_last_insert_rowid(db_handle(db));
	while ((r = csv_next(c)) != 0) {
		struct employee e;
		struct row_flags rf;
		char what = 0, idbuf[48];
		const char *id;
		long first = 0;
		int hold = 0;

		if (r < 0) {
			snprintf(err, errlen, "%s: %s; nothing was imported", path, c->err);
			goto fail;
		}
		stats->total++;
		buf_reset(&rc.why);
		buf_reset(&rc.flags);
		if (c->nfields == 1 && c->fields[0][0] == '\0') {
			stats->total--;
			continue;	/* a blank line */
		}
		{
			size_t need = 0;

			for (i = 0; i < ncols; i++)
				if ((size_t)map[i] + 1 > need)
					need = (size_t)map[i] + 1;
			if (c->nfields < need) {
				fprintf(report, "line %lu: rejected: the row has %zu fields, the "
				    "header names %zu\n", c->line, c->nfields, need);
				stats->rejected++;
				continue;
			}
		}
		for (i = 0; i < ncols; i++)
			row[i] = c->fields[map[i]];
		id = row[0];
		snprintf(idbuf, sizeof(idbuf), "%s", id);
		if (src == IMPORT_OFFICES)
			office_row(row, &rc);
		else
			employee_row(db, src, row, &e, &rc, &rf, &hold);
		if (rc.why.len == 0) {
			int s = seen(db, id, c->line, &first);

			if (s < 0)
				goto dberr;
			if (s > 0) {
				char fmt[96];

				snprintf(fmt, sizeof(fmt), "'%%s' appears again (first on line %ld)",
				    first);
				reject(&rc, fmt, id);
			}
		}
		if (rc.why.len > 0) {
			fprintf(report, "line %lu: %s %s: rejected: %s\n", c->line,
			    src == IMPORT_OFFICES ? "office" : "employee",
			    strict_code(idbuf) == 0 ? idbuf : "?", buf_str(&rc.why));
			stats->rejected++;
			continue;
		}
		if (hold) {
			if (hold_row(db, src, stats->import_id, c->line, row, who) != 0)
				goto dberr;
			stats->held++;
			fprintf(report, "line %lu: employee %s: held: office_code '%s' of "
			    "department_code '%s' is not in the master list; the row is taken when "
			    "an administrator adds the office\n", c->line, idbuf, row[E_OFFICE],
			    row[E_DEPT]);
			continue;
		}
		what = src == IMPORT_OFFICES ? office_put(db, row, stats->import_id, who) :
		    employee_take(db, src, &e, &rf, stats->import_id, who, &stats->flagged);
		if (what == 0)
			goto dberr;
		if (what == 'i')
			stats->inserted++;
		else if (what == 'u')
			stats->updated++;
		else
			stats->unchanged++;
		if (src != IMPORT_OFFICES)
			flags_text(&rf, &rc.flags);
		fprintf(report, "line %lu: %s %s: %s%s%s\n", c->line,
		    src == IMPORT_OFFICES ? "office" : "employee", idbuf,
		    what == 'i' ? "added" : what == 'u' ? "updated" : "unchanged",
		    rc.flags.len ? "; flagged: " : "", buf_str(&rc.flags));
	}
	if (src == IMPORT_OFFICES && take_held(db, stats->import_id, who, &rc, report,
	    stats) != 0)
		goto dberr;
	if (src != IMPORT_OFFICES) {
		long shared = 0;

		if (particulars_shared(db, NULL, NULL, stats->import_id, who, &shared) != 0)
			goto dberr;
		if (shared > 0)
			fprintf(report, "shared mobiles: %ld employees flagged (the same mobile on "
			    "another employee)\n", shared);
	}
	if ((st = db_prepare(db, SQL_IMPORT_DONE)) == NULL)
		goto dberr;
	sqlite3_bind_int64(st, 1, stats->import_id);
	sqlite3_bind_int64(st, 2, stats->total);
	sqlite3_bind_int64(st, 3, stats->inserted);
	sqlite3_bind_int64(st, 4, stats->updated);
	sqlite3_bind_int64(st, 5, stats->unchanged);
	sqlite3_bind_int64(st, 6, stats->rejected);
	r = sqlite3_step(st);
	db_done(st);
	if (r != SQLITE_DONE)
		goto dberr;
	{
		struct audit_rec a = { who->name, who->role, "import", NULL, NULL, who->ip, NULL,
		    NULL };
		char object[48], after[512];

		snprintf(object, sizeof(object), "import:%lld", (long long)stats->import_id);
		snprintf(after, sizeof(after), "{\"source\":\"%s\",\"sha256\":\"%s\",\"total\":%ld,"
		    "\"inserted\":%ld,\"updated\":%ld,\"unchanged\":%ld,\"rejected\":%ld,"
		    "\"flagged\":%ld,\"held\":%ld,\"taken\":%ld}",
		    source_names[src], sha, stats->total, stats->inserted, stats->updated,
		    stats->unchanged, stats->rejected, stats->flagged, stats->held, stats->taken);
		a.object = object;
		a.after = after;
		if (audit_append(db, &a) != 0)
			goto dberr;
	}
	if (db_commit(db) != 0) {
		in_txn = 0;
		goto dberr;
	}
	in_txn = 0;
	ret = 0;
	goto out;
dberr:
	snprintf(err, errlen, "database error: %s; nothing was imported",
	    sqlite3_errmsg(db_handle(db)));
fail:
	if (in_txn)
		db_rollback(db);
	memset(stats, 0, sizeof(*stats));
out:
	buf_free(&rc.why);
	buf_free(&rc.flags);
	free(c);
	if (f)
		fclose(f);
	return ret;
}
