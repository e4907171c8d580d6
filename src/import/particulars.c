/* Discrepancy flags on employees' particulars (issue 14): raised and cleared by imports,
 * read by the API, the login and the stuck-employees dashboard. */
#include "import/particulars.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "db/db.h"
#include "util/timeutil.h"

static const char *const part_names[PART__MAX] = {
	[PART_MOBILE] = "mobile",
	[PART_FAMILY_ID] = "family_id",
	[PART_DOB] = "dob",
	[PART_OFFICE_CODE] = "office_code",
	[PART_HEAD_OF_ACCOUNT] = "head_of_account",
};
static const char *const reason_names[REASON__MAX] = {
	[REASON_MISSING] = "missing",
	[REASON_INVALID] = "invalid",
	[REASON_SHARED] = "shared",
	[REASON_FEEDS_DIFFER] = "feeds_differ",
	[REASON_NOT_CONTRACTUAL] = "not_contractual",
};

static const char SQL_FEED_GET[] =
    "SELECT source, mobile, family_id, dob, office_code, head_of_account FROM employee_feeds"
    " WHERE employee_id = ?1";
static const char SQL_FEED_PUT[] =
    "INSERT INTO employee_feeds (employee_id, source, mobile, family_id, dob, office_code,"
    " head_of_account, import_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
    " ON CONFLICT (employee_id, source) DO UPDATE SET mobile = excluded.mobile,"
    " family_id = excluded.family_id, dob = excluded.dob, office_code = excluded.office_code,"
    " head_of_account = excluded.head_of_account, import_id = excluded.import_id";
static const char SQL_CERTIFIED_GET[] =
    "SELECT particular, feeds, value FROM employee_certified WHERE employee_id = ?1";
static const char SQL_CERTIFIED_DROP[] =
    "DELETE FROM employee_certified WHERE employee_id = ?1 AND particular = ?2";
static const char SQL_OPEN_GET[] =
    "SELECT id, particular, reason FROM employee_flags WHERE employee_id = ?1"
    " AND closed_at IS NULL";
static const char SQL_FLAG_ADD[] =
    "INSERT INTO employee_flags (employee_id, particular, reason, detail, since, import_id)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
static const char SQL_FLAG_CLOSE[] =
    "UPDATE employee_flags SET closed_at = ?2, closed_by = ?3, closed_how = 'feed_corrected'"
    " WHERE id = ?1";
/* Employees who should carry a shared flag: their mobile is another's too, and it was not
 * certified for them. ?1/?2 limit to holders of those numbers (NULL: all). */
#define SHOULD_SHARE \
    "SELECT e.id FROM employees e WHERE e.mobile <> ''" \
    " AND (?1 IS NULL OR e.mobile IN (?1, ?2))" \
    " AND EXISTS (SELECT 1 FROM employees o WHERE o.mobile = e.mobile AND o.id <> e.id)" \
    " AND NOT EXISTS (SELECT 1 FROM employee_certified c WHERE c.employee_id = e.id" \
    "  AND c.particular = 'mobile' AND c.value = e.mobile)"
static const char SQL_SHARED_STALE[] =
    "SELECT f.id, f.employee_id FROM employee_flags f JOIN employees e ON e.id = f.employee_id"
    " WHERE f.closed_at IS NULL AND f.particular = 'mobile' AND f.reason = 'shared'"
    " AND (?1 IS NULL OR e.mobile IN (?1, ?2) OR json_extract(f.detail, '$.recorded')"
    "  IN (?1, ?2)) AND f.employee_id NOT IN (" SHOULD_SHARE ")";
static const char SQL_SHARED_NEW[] =
    "SELECT s.id, (SELECT mobile FROM employees WHERE id = s.id) FROM (" SHOULD_SHARE ") s"
    " WHERE s.id NOT IN (SELECT employee_id FROM employee_flags WHERE closed_at IS NULL"
    "  AND particular = 'mobile' AND reason = 'shared')";
static const char SQL_FLAGS_ALL[] =
    "SELECT particular, reason, since, closed_at, closed_by, closed_how, certification_id"
    " FROM employee_flags WHERE employee_id = ?1 AND (closed_at IS NULL OR"
    " closed_how = 'certified') ORDER BY closed_at IS NOT NULL, since, id";
static const char SQL_OPEN_PARTS[] =
    "SELECT DISTINCT particular FROM employee_flags WHERE employee_id = ?1"
    " AND closed_at IS NULL ORDER BY particular";
static const char SQL_OPEN_REASONS[] =
    "SELECT reason FROM employee_flags WHERE employee_id = ?1 AND particular = ?2"
    " AND closed_at IS NULL";
static const char SQL_LOGIN[] =
    "SELECT e.mobile, e.family_id = ?2 OR (EXISTS (SELECT 1 FROM employee_flags f"
    "  WHERE f.employee_id = e.id AND f.closed_at IS NULL AND f.particular = 'family_id')"
    "  AND EXISTS (SELECT 1 FROM employee_feeds d WHERE d.employee_id = e.id"
    "  AND d.family_id = ?2)),"
    " EXISTS (SELECT 1 FROM employee_flags f WHERE f.employee_id = e.id"
    "  AND f.closed_at IS NULL AND f.particular IN ('mobile', 'family_id', 'dob'))"
    " FROM employees e WHERE e.id = ?1";
static const char SQL_OFFICE_OF[] =
    "SELECT o.name, o.ddo_code FROM employees e JOIN offices o ON o.code = e.office_code"
    " WHERE e.id = ?1";

const char *
particular_name(enum particular p)
{
	return (unsigned)p < PART__MAX ? part_names[p] : "?";
}

int
particular_parse(const char *s, enum particular *out)
{
	size_t i;

	for (i = 0; s != NULL && i < PART__MAX; i++)
		if (strcmp(s, part_names[i]) == 0) {
			*out = (enum particular)i;
			return 0;
		}
	return -1;
}

const char *
flag_reason_name(enum flag_reason r)
{
	return (unsigned)r < REASON__MAX ? reason_names[r] : "?";
}

static int
reason_parse(const char *s, enum flag_reason *out)
{
	size_t i;

	for (i = 0; s != NULL && i < REASON__MAX; i++)
		if (strcmp(s, reason_names[i]) == 0) {
			*out = (enum flag_reason)i;
			return 0;
		}
	return -1;
}

int
particular_blocks_login(enum particular p)
{
	return p == PART_MOBILE || p == PART_FAMILY_ID || p == PART_DOB;
}

void
particulars_feed_value(char out[FEED_VALUE_MAX], const char *v)
{
	size_t i;

	snprintf(out, FEED_VALUE_MAX, "%s", v ? v : "");
	for (i = 0; out[i]; i++)
		if ((unsigned char)out[i] < 0x20 || out[i] == 0x7f)
			out[i] = '?';
}

static char *
employee_field(struct employee *e, enum particular p, size_t *cap)
{
	switch (p) {
	case PART_MOBILE:
		*cap = sizeof(e->mobile);
		return e->mobile;
	case PART_FAMILY_ID:
		*cap = sizeof(e->family_id);
		return e->family_id;
	case PART_DOB:
		*cap = sizeof(e->dob);
		return e->dob;
	case PART_OFFICE_CODE:
		*cap = sizeof(e->office_code);
		return e->office_code;
	default:
		*cap = sizeof(e->head_of_account);
		return e->head_of_account;
	}
}

static int
audit_flag(struct db *db, const struct actor *who, const char *action, const char *id,
    const char *particular, const char *reason, const char *detail)
{
	struct audit_rec r = { who->name, who->role, action, id, NULL, who->ip, NULL, NULL };
	json_t *o = json_pack("{s:s, s:s}", "particular", particular, "reason", reason);
	char object[64], *after;
	int rc;

	if (o != NULL && detail != NULL)
		json_object_set_new(o, "values", json_loads(detail, 0, NULL));
	after = o ? json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(o);
	if (after == NULL)
		return -1;
	snprintf(object, sizeof(object), "employee:%s", id);
	r.object = object;
	r.after = after;
	rc = audit_append(db, &r);
	free(after);
	return rc;
}

int
particulars_before_put(struct db *db, const char *source, struct employee *e,
    struct row_flags *rf, const struct actor *who)
{
	char other[PART__MAX][FEED_VALUE_MAX], drop[PART__MAX];
	sqlite3_stmt *st;
	int have_other = 0, i;
	enum particular p;

	memset(drop, 0, sizeof(drop));
	if ((st = db_prepare(db, SQL_CERTIFIED_GET)) == NULL)
		return -1;
	db_bind_text(st, 1, e->id);
	while (sqlite3_step(st) == SQLITE_ROW) {
		json_t *feeds = json_loads(db_col_text(st, 1), 0, NULL);
		const char *was = json_string_value(json_object_get(feeds, source));
		size_t cap;
		char *f;

		if (particular_parse(db_col_text(st, 0), &p) == 0) {
			if (was != NULL && strcmp(was, rf->feed[p]) == 0) {
				f = employee_field(e, p, &cap);
				snprintf(f, cap, "%s", db_col_text(st, 2));
				rf->certified[p] = 1;
				rf->reasons[p] = 0;
			} else {
				drop[p] = 1;
			}
		}
		json_decref(feeds);
	}
	db_done(st);
	for (i = 0; i < PART__MAX; i++) {
		if (!drop[i])
			continue;
		/* The feed changed what was certified over: the feed is judged afresh. */
		if ((st = db_prepare(db, SQL_CERTIFIED_DROP)) == NULL)
			return -1;
		db_bind_text(st, 1, e->id);
		db_bind_text(st, 2, part_names[i]);
		if (sqlite3_step(st) != SQLITE_DONE) {
			db_done(st);
			return -1;
		}
		db_done(st);
		if (audit_flag(db, who, "employee.certified_lapse", e->id, part_names[i], "",
		    NULL) != 0)
			return -1;
	}
	if ((st = db_prepare(db, SQL_FEED_GET)) == NULL)
		return -1;
	db_bind_text(st, 1, e->id);
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (strcmp(db_col_text(st, 0), source) == 0)
			continue;
		have_other = 1;
		for (i = 0; i < 4; i++)	/* mobile, family_id, dob, office_code */
			particulars_feed_value(other[i], db_col_text(st, 1 + i));
	}
	db_done(st);
	if (!have_other)
		return 0;
	for (i = 0; i < 4; i++)
		if (!rf->certified[i] && strcmp(other[i], rf->feed[i]) != 0)
			rf->reasons[i] |= 1u << REASON_FEEDS_DIFFER;
	return 0;
}

static int
feed_put(struct db *db, const char *source, const struct employee *e,
    const struct row_flags *rf, int64_t import_id)
{
	sqlite3_stmt *st = db_prepare(db, SQL_FEED_PUT);
	int rc, i;

	if (st == NULL)
		return -1;
	db_bind_text(st, 1, e->id);
	db_bind_text(st, 2, source);
	for (i = 0; i < PART__MAX; i++)
		db_bind_text(st, 3 + i, rf->feed[i]);
	sqlite3_bind_int64(st, 8, import_id);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
	db_done(st);
	return rc;
}

static int
flag_open(struct db *db, const char *id, enum particular p, enum flag_reason r,
    const char *detail, int64_t import_id, const struct actor *who)
{
	sqlite3_stmt *st = db_prepare(db, SQL_FLAG_ADD);
	int rc;

	if (st == NULL)
		return -1;
	db_bind_text(st, 1, id);
	db_bind_text(st, 2, part_names[p]);
	db_bind_text(st, 3, reason_names[r]);
	db_bind_text(st, 4, detail);
	sqlite3_bind_int64(st, 5, time_now());
	if (import_id > 0)
		sqlite3_bind_int64(st, 6, import_id);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
	db_done(st);
	if (rc == 0)
		rc = audit_flag(db, who, "employee.flag", id, part_names[p], reason_names[r],
		    detail);
	return rc;
}

static int
flag_close(struct db *db, int64_t flag_id, const char *id, const char *particular,
    const char *reason, const struct actor *who)
{
	sqlite3_stmt *st = db_prepare(db, SQL_FLAG_CLOSE);
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, flag_id);
	sqlite3_bind_int64(st, 2, time_now());
	db_bind_text(st, 3, who->name);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
	db_done(st);
	if (rc == 0)
		rc = audit_flag(db, who, "employee.flag_clear", id, particular, reason, NULL);
	return rc;
}

int
particulars_after_put(struct db *db, const char *source, const struct employee *e,
    const struct row_flags *rf, int64_t import_id, const struct actor *who, long *opened)
{
	unsigned open[PART__MAX];
	sqlite3_stmt *st;
	enum flag_reason r;
	enum particular p;
	int i, j;

	memset(open, 0, sizeof(open));
	if (feed_put(db, source, e, rf, import_id) != 0 ||
	    (st = db_prepare(db, SQL_OPEN_GET)) == NULL)
		return -1;
	db_bind_text(st, 1, e->id);
	/* Close first what the row no longer says; collect what stays open. */
	{
		struct { int64_t id; enum particular p; enum flag_reason r; } stale[PART__MAX *
		    REASON__MAX];
		size_t n = 0, k;

		while (sqlite3_step(st) == SQLITE_ROW) {
			if (particular_parse(db_col_text(st, 1), &p) != 0 ||
			    reason_parse(db_col_text(st, 2), &r) != 0)
				continue;
			if (r == REASON_SHARED || (rf->reasons[p] & (1u << r))) {
				open[p] |= 1u << r;
				continue;
			}
			if (n < sizeof(stale) / sizeof(stale[0])) {
				stale[n].id = sqlite3_column_int64(st, 0);
				stale[n].p = p;
				stale[n++].r = r;
			}
		}
		db_done(st);
		for (k = 0; k < n; k++)
			if (flag_close(db, stale[k].id, e->id, part_names[stale[k].p],
			    reason_names[stale[k].r], who) != 0)
				return -1;
	}
	for (i = 0; i < PART__MAX; i++)
		for (j = 0; j < REASON__MAX; j++) {
			json_t *d;
			char *detail;
			int rc;

			if (!(rf->reasons[i] & (1u << j)) || (open[i] & (1u << j)))
				continue;
			d = json_pack("{s:s}", source, rf->feed[i]);
			detail = d ? json_dumps(d, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
			json_decref(d);
			if (detail == NULL)
				return -1;
			rc = flag_open(db, e->id, (enum particular)i, (enum flag_reason)j, detail,
			    import_id, who);
			free(detail);
			if (rc != 0)
				return -1;
			(*opened)++;
		}
	return 0;
}

int
particulars_shared(struct db *db, const char *mobile1, const char *mobile2,
    int64_t import_id, const struct actor *who, long *opened)
{
	struct item { int64_t flag; char id[CODE_MAX]; char mobile[16]; } *list = NULL;
	size_t n = 0, cap = 0, k;
	sqlite3_stmt *st;
	int pass, rc = -1;

	for (pass = 0; pass < 2; pass++) {
		if ((st = db_prepare(db, pass == 0 ? SQL_SHARED_STALE : SQL_SHARED_NEW)) == NULL)
			goto out;
		db_bind_text(st, 1, mobile1);
		db_bind_text(st, 2, mobile2 ? mobile2 : mobile1);
		n = 0;
		while (sqlite3_step(st) == SQLITE_ROW) {
			if (n == cap) {
				size_t ncap = cap ? 2 * cap : 16;
				struct item *nl = realloc(list, ncap * sizeof(*nl));

				if (nl == NULL) {
					db_done(st);
					goto out;
				}
				list = nl;
				cap = ncap;
			}
			if (pass == 0) {
				list[n].flag = sqlite3_column_int64(st, 0);
				snprintf(list[n].id, sizeof(list[n].id), "%s", db_col_text(st, 1));
			} else {
				snprintf(list[n].id, sizeof(list[n].id), "%s", db_col_text(st, 0));
				snprintf(list[n].mobile, sizeof(list[n].mobile), "%s",
				    db_col_text(st, 1));
			}
			n++;
		}
		db_done(st);
		for (k = 0; k < n; k++) {
			if (pass == 0) {
				if (flag_close(db, list[k].flag, list[k].id, "mobile", "shared",
				    who) != 0)
					goto out;
			} else {
				json_t *d = json_pack("{s:s}", "recorded", list[k].mobile);
				char *detail = d ? json_dumps(d, JSON_COMPACT) : NULL;
				int r;

				json_decref(d);
				if (detail == NULL)
					goto out;
				r = flag_open(db, list[k].id, PART_MOBILE, REASON_SHARED, detail,
				    import_id, who);
				free(detail);
				if (r != 0)
					goto out;
				(*opened)++;
			}
		}
	}
	rc = 0;
out:
	free(list);
	return rc;
}

static const char SQL_CERTIFY_FLAGS[] =
    "SELECT id, reason FROM employee_flags WHERE employee_id = ?1 AND particular = ?2"
    " AND closed_at IS NULL";
static const char SQL_CERTIFY_CLOSE[] =
    "UPDATE employee_flags SET closed_at = ?2, closed_by = ?3, closed_how = 'certified',"
    " certification_id = ?4 WHERE id = ?1";
static const char SQL_CERTIFIED_PUT[] =
    "INSERT INTO employee_certified (employee_id, particular, feeds, value,"
    " certification_id, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
    " ON CONFLICT (employee_id, particular) DO UPDATE SET feeds = excluded.feeds,"
    " value = excluded.value, certification_id = excluded.certification_id,"
    " at = excluded.at";

int
particulars_certify(struct db *db, const char *employee_id, enum particular p,
    const char *value, int64_t cert_id, const struct actor *who)
{
	struct { int64_t id; char reason[24]; } open[REASON__MAX];
	json_t *feeds = json_object();
	sqlite3_stmt *st;
	char *text = NULL, v[FEED_VALUE_MAX];
	size_t n = 0, k;
	int rc = -1;

	if (feeds == NULL || (st = db_prepare(db, SQL_FEED_GET)) == NULL)
		goto out;
	db_bind_text(st, 1, employee_id);
	while (sqlite3_step(st) == SQLITE_ROW) {
		particulars_feed_value(v, db_col_text(st, 1 + p));
		json_object_set_new(feeds, db_col_text(st, 0), json_string(v));
	}
	db_done(st);
	if ((st = db_prepare(db, SQL_CERTIFY_FLAGS)) == NULL)
		goto out;
	db_bind_text(st, 1, employee_id);
	db_bind_text(st, 2, part_names[p]);
	while (n < REASON__MAX && sqlite3_step(st) == SQLITE_ROW) {
		open[n].id = sqlite3_column_int64(st, 0);
		snprintf(open[n++].reason, sizeof(open[0].reason), "%s", db_col_text(st, 1));
	}
	db_done(st);
	for (k = 0; k < n; k++) {
		if ((st = db_prepare(db, SQL_CERTIFY_CLOSE)) == NULL)
			goto out;
		sqlite3_bind_int64(st, 1, open[k].id);
		sqlite3_bind_int64(st, 2, time_now());
		db_bind_text(st, 3, who->name);
		sqlite3_bind_int64(st, 4, cert_id);
		rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
		db_done(st);
		if (rc != 0 || (rc = audit_flag(db, who, "employee.flag_certify", employee_id,
		    part_names[p], open[k].reason, NULL)) != 0)
			goto out;
	}
	rc = -1;
	if ((text = json_dumps(feeds, JSON_COMPACT | JSON_SORT_KEYS)) == NULL ||
	    (st = db_prepare(db, SQL_CERTIFIED_PUT)) == NULL)
		goto out;
	db_bind_text(st, 1, employee_id);
	db_bind_text(st, 2, part_names[p]);
	db_bind_text(st, 3, text);
	db_bind_text(st, 4, value);
	sqlite3_bind_int64(st, 5, cert_id);
	sqlite3_bind_int64(st, 6, time_now());
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
	db_done(st);
out:
	json_decref(feeds);
	free(text);
	return rc;
}

static void
recorded_value(const struct employee *e, enum particular p, char out[FEED_VALUE_MAX])
{
	struct employee copy = *e;
	size_t cap;

	particulars_feed_value(out, employee_field(&copy, p, &cap));
}

json_t *
particulars_json(struct db *db, const struct employee *e)
{
	char feeds[2][PART__MAX][FEED_VALUE_MAX], rec[FEED_VALUE_MAX], at[21];
	int have[2] = { 0, 0 }, s, i;
	json_t *arr = json_array();
	sqlite3_stmt *st;
	enum particular p;

	if (arr == NULL || (st = db_prepare(db, SQL_FEED_GET)) == NULL) {
		json_decref(arr);
		return NULL;
	}
	db_bind_text(st, 1, e->id);
	while (sqlite3_step(st) == SQLITE_ROW) {
		s = strcmp(db_col_text(st, 0), "hkrnl") == 0 ? 0 : 1;
		have[s] = 1;
		for (i = 0; i < PART__MAX; i++)
			particulars_feed_value(feeds[s][i], db_col_text(st, 1 + i));
	}
	db_done(st);
	if ((st = db_prepare(db, SQL_FLAGS_ALL)) == NULL) {
		json_decref(arr);
		return NULL;
	}
	db_bind_text(st, 1, e->id);
	while (sqlite3_step(st) == SQLITE_ROW) {
		json_t *o, *v;

		if (particular_parse(db_col_text(st, 0), &p) != 0)
			continue;
		recorded_value(e, p, rec);
		v = json_pack("{s:s}", "recorded", rec);
		for (s = 0; s < 2; s++)
			if (have[s])
				json_object_set_new(v, s == 0 ? "hkrnl" : "treasury",
				    json_string(feeds[s][p]));
		time_iso_utc(sqlite3_column_int64(st, 2), at);
		o = json_pack("{s:s, s:s, s:o, s:s, s:b, s:b}", "particular", part_names[p],
		    "reason", db_col_text(st, 1), "values", v, "since", at, "blocks_login",
		    particular_blocks_login(p), "certified", sqlite3_column_type(st, 3) !=
		    SQLITE_NULL);
		if (sqlite3_column_type(st, 3) != SQLITE_NULL) {
			time_iso_utc(sqlite3_column_int64(st, 3), at);
			json_object_set_new(o, "certified_at", json_string(at));
			json_object_set_new(o, "certified_by", json_string(db_col_text(st, 4)));
			json_object_set_new(o, "certification_id",
			    json_integer(sqlite3_column_int64(st, 6)));
			json_object_set_new(o, "blocks_login", json_false());
		}
		json_array_append_new(arr, o);
	}
	db_done(st);
	return arr;
}

json_t *
particulars_open(struct db *db, const char *employee_id)
{
	sqlite3_stmt *st = db_prepare(db, SQL_OPEN_PARTS);
	json_t *arr;

	if (st == NULL)
		return NULL;
	arr = json_array();
	db_bind_text(st, 1, employee_id);
	while (sqlite3_step(st) == SQLITE_ROW)
		json_array_append_new(arr, json_string(db_col_text(st, 0)));
	db_done(st);
	return arr;
}

int
particulars_open_reasons(struct db *db, const char *employee_id, enum particular p)
{
	sqlite3_stmt *st = db_prepare(db, SQL_OPEN_REASONS);
	enum flag_reason r;
	int mask = 0;

	if (st == NULL)
		return -1;
	db_bind_text(st, 1, employee_id);
	db_bind_text(st, 2, part_names[p]);
	while (sqlite3_step(st) == SQLITE_ROW)
		if (reason_parse(db_col_text(st, 0), &r) == 0)
			mask |= 1 << r;
	db_done(st);
	return mask;
}

int
particulars_login_blocked(struct db *db, const char *employee_id, const char *family_id)
{
	sqlite3_stmt *st = db_prepare(db, SQL_LOGIN);
	int rc = 0;

	if (st == NULL)
		return -1;
	db_bind_text(st, 1, employee_id);
	db_bind_text(st, 2, family_id ? family_id : "");
	if (sqlite3_step(st) == SQLITE_ROW && family_id != NULL && family_id[0] != '\0' &&
	    sqlite3_column_int(st, 1) != 0)
		rc = db_col_text(st, 0)[0] == '\0' || sqlite3_column_int(st, 2) != 0;
	db_done(st);
	return rc;
}

int
particulars_office_of(struct db *db, const char *employee_id, char *name, size_t namelen,
    char *ddo_code, size_t ddolen)
{
	sqlite3_stmt *st = db_prepare(db, SQL_OFFICE_OF);
	int rc = -1;

	if (st == NULL)
		return -1;
	db_bind_text(st, 1, employee_id);
	if (sqlite3_step(st) == SQLITE_ROW) {
		snprintf(name, namelen, "%s", db_col_text(st, 0));
		snprintf(ddo_code, ddolen, "%s", db_col_text(st, 1));
		rc = 0;
	}
	db_done(st);
	return rc;
}
