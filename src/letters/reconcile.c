/* Letters on disk against the letters the database knows (store.h, issue 11). */
#include "letters/store.h"

#include <dirent.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit/audit.h"
#include "db/db.h"
#include "util/buf.h"
#include "util/fsx.h"
#include "util/log.h"
#include "util/strict.h"
#include "util/timeutil.h"

static const char SQL_BY_REF[] = "SELECT sha256 FROM letters WHERE ref = ?1";
static const char SQL_BY_SHA[] = "SELECT ref FROM letters WHERE sha256 = ?1";
static const char SQL_EMPLOYEE[] = "SELECT 1 FROM employees WHERE id = ?1";
static const char SQL_INSERT[] =
    "INSERT INTO letters (ref, employee_id, department_code, sha256, size, issued_at,"
    " issued_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
static const char SQL_SEQ_RAISE[] =
    "INSERT INTO letter_seq (department_code, year, last) VALUES (?1, ?2, ?3)"
    " ON CONFLICT (department_code, year) DO UPDATE SET last = excluded.last"
    " WHERE excluded.last > last";
static const char SQL_CASE_STATE[] = "SELECT state FROM cases WHERE employee_id = ?1";
static const char SQL_CASE_APPROVE[] =
    "UPDATE cases SET state = 'approved', stage = NULL, due_at = NULL, letter_ref = ?2,"
    " decided_by = ?3, decided_at = ?4, updated_at = ?5 WHERE employee_id = ?1";
static const char SQL_HIST[] =
    "INSERT INTO case_history (employee_id, at, actor, role, action, from_state, to_state,"
    " remarks) VALUES (?1, ?2, 'system', 'system', 'case.letter_restored', ?3, 'approved',"
    " ?4)";

struct entry {
	char	 ref[LETTER_REF_MAX];
	char	 employee_id[33];
	char	 department[33];
	char	 sha[65];
	char	 issued_by[65];
	int64_t	 size, issued_at, year, seq;
};

int
letter_journal_write(const char *data_dir, const char *ref, const char *employee_id,
    const char *department_code, const char *sha, int64_t size, int64_t issued_at,
    const char *issued_by)
{
	char path[1200];
	json_t *o;
	char *text;
	int n, rc;

	n = snprintf(path, sizeof(path), "%s/letters/%s.json", data_dir, sha);
	if (n < 0 || (size_t)n >= sizeof(path))
		return -1;
	o = json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:s}", "ref", ref, "employee_id",
	    employee_id, "department_code", department_code, "sha256", sha, "size",
	    (json_int_t)size, "issued_at", (json_int_t)issued_at, "issued_by", issued_by);
	if (o == NULL || (text = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS)) == NULL) {
		json_decref(o);
		return -1;
	}
	json_decref(o);
	rc = fsx_write_atomic(path, text, strlen(text), 0440);
	free(text);
	return rc;
}

static int
copy_str(json_t *o, const char *k, char *out, size_t outlen)
{
	const char *v = json_string_value(json_object_get(o, k));

	if (v == NULL || strlen(v) == 0 || strlen(v) >= outlen)
		return -1;
	memcpy(out, v, strlen(v) + 1);
	return 0;
}

/* "HR/SOS/<dept>/<year>/<seq>" with dept the entry's own department. */
static int
parse_ref(struct entry *e)
{
	char want[48];
	const char *p;
	int n = snprintf(want, sizeof(want), "HR/SOS/%s/", e->department);
	char year[8], seq[16];

	if (n < 0 || (size_t)n >= sizeof(want) || strncmp(e->ref, want, (size_t)n) != 0)
		return -1;
	p = e->ref + n;
	if (strlen(p) != 11 || p[4] != '/')
		return -1;
	memcpy(year, p, 4);
	year[4] = '\0';
	snprintf(seq, sizeof(seq), "%s", p + 5);
	return strict_int64(year, 2000, 9999, &e->year) != 0 ||
	    strict_int64(seq, 1, 999999, &e->seq) != 0 ? -1 : 0;
}

static int
entry_read(const char *path, const char *sha, struct entry *e)
{
	json_t *o = json_load_file(path, JSON_REJECT_DUPLICATES, NULL);
	int rc = -1;

	memset(e, 0, sizeof(*e));
	if (json_is_object(o) && copy_str(o, "ref", e->ref, sizeof(e->ref)) == 0 &&
	    copy_str(o, "employee_id", e->employee_id, sizeof(e->employee_id)) == 0 &&
	    copy_str(o, "department_code", e->department, sizeof(e->department)) == 0 &&
	    copy_str(o, "sha256", e->sha, sizeof(e->sha)) == 0 &&
	    copy_str(o, "issued_by", e->issued_by, sizeof(e->issued_by)) == 0 &&
	    json_is_integer(json_object_get(o, "size")) &&
	    json_is_integer(json_object_get(o, "issued_at")) && strcmp(e->sha, sha) == 0) {
		e->size = json_integer_value(json_object_get(o, "size"));
		e->issued_at = json_integer_value(json_object_get(o, "issued_at"));
		rc = parse_ref(e);
	}
	json_decref(o);
	return rc;
}

/* The text of the first column for one bound text, into out ("" when no row). */
static int
lookup(struct db *db, const char *sql, const char *arg, char *out, size_t outlen)
{
	sqlite3_stmt *st = db_prepare(db, sql);
	int rc;

	out[0] = '\0';
	if (st == NULL)
		return -1;
	db_bind_text(st, 1, arg);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		snprintf(out, outlen, "%s", db_col_text(st, 0));
	db_done(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

static int
raise_seq(struct db *db, const struct entry *e, long *raised)
{
	sqlite3_stmt *st = db_prepare(db, SQL_SEQ_RAISE);
	int rc;

	if (st == NULL)
		return -1;
	db_bind_text(st, 1, e->department);
	sqlite3_bind_int64(st, 2, e->year);
	sqlite3_bind_int64(st, 3, e->seq);
	rc = sqlite3_step(st);
	db_done(st);
	if (rc != SQLITE_DONE)
		return -1;
	if (sqlite3_changes(db_handle(db)) > 0)
		(*raised)++;
	return 0;
}

static int
audit_system(struct db *db, const char *action, const struct entry *e, const char *before,
    const char *after)
{
	struct audit_rec r = { "system", "system", action, e->employee_id, NULL, "restore",
	    before, after };
	char object[96];

	snprintf(object, sizeof(object), "letter:%s", e->ref);
	r.object = object;
	return audit_append(db, &r);
}

/* Registers the letter and brings its case to approved, both audited. */
static int
register_entry(struct db *db, const struct entry *e)
{
	char state[32], after[400], before[64];
	sqlite3_stmt *st;
	int rc;

	if ((st = db_prepare(db, SQL_INSERT)) == NULL)
		return -1;
	db_bind_text(st, 1, e->ref);
	db_bind_text(st, 2, e->employee_id);
	db_bind_text(st, 3, e->department);
	db_bind_text(st, 4, e->sha);
	sqlite3_bind_int64(st, 5, e->size);
	sqlite3_bind_int64(st, 6, e->issued_at);
	db_bind_text(st, 7, e->issued_by);
	rc = sqlite3_step(st);
	db_done(st);
	snprintf(after, sizeof(after), "{\"ref\":\"%s\",\"sha256\":\"%s\",\"signer\":\"%s\","
	    "\"size\":%" PRId64 "}", e->ref, e->sha, e->issued_by, e->size);
	if (rc != SQLITE_DONE || audit_system(db, "letter.restore", e, NULL, after) != 0 ||
	    lookup(db, SQL_CASE_STATE, e->employee_id, state, sizeof(state)) != 0)
		return -1;
	if (strcmp(state, "approved") == 0)
		return 0;
	if ((st = db_prepare(db, SQL_CASE_APPROVE)) == NULL)
		return -1;
	db_bind_text(st, 1, e->employee_id);
	db_bind_text(st, 2, e->ref);
	db_bind_text(st, 3, e->issued_by);
	sqlite3_bind_int64(st, 4, e->issued_at);
	sqlite3_bind_int64(st, 5, time_now());
	rc = sqlite3_step(st);
	db_done(st);
	if (rc != SQLITE_DONE || (st = db_prepare(db, SQL_HIST)) == NULL)
		return -1;
	db_bind_text(st, 1, e->employee_id);
	sqlite3_bind_int64(st, 2, time_now());
	db_bind_text(st, 3, state);
	db_bind_text(st, 4, "letter issued after the backup this data was restored from");
	rc = sqlite3_step(st);
	db_done(st);
	snprintf(before, sizeof(before), "{\"state\":\"%s\"}", state);
	snprintf(after, sizeof(after), "{\"letter_ref\":\"%s\",\"state\":\"approved\"}", e->ref);
	if (rc != SQLITE_DONE)
		return -1;
	{
		struct audit_rec r = { "system", "system", "case.letter_restored", e->employee_id,
		    NULL, "restore", before, after };
		char object[64];

		snprintf(object, sizeof(object), "case:%s", e->employee_id);
		r.object = object;
		return audit_append(db, &r);
	}
}

/* Moves the PDF and its journal entry under letters/quarantine/. */
static int
quarantine(const char *data_dir, const char *sha)
{
	static const char *const ext[] = { "pdf", "json" };
	char from[1200], to[1200], dir[1100];
	size_t i;

	if (snprintf(dir, sizeof(dir), "%s/letters/quarantine", data_dir) >= (int)sizeof(dir) ||
	    fsx_mkdirs(dir, 0750) != 0)
		return -1;
	for (i = 0; i < 2; i++) {
		snprintf(from, sizeof(from), "%s/letters/%s.%s", data_dir, sha, ext[i]);
		snprintf(to, sizeof(to), "%s/%s.%s", dir, sha, ext[i]);
		if (rename(from, to) != 0 && i == 0)
			return -1;
	}
	return fsx_fsync_dir(dir);
}

/* Is sha in <data>/letters/after-snapshot.list (written by suraksha backup: letters the
 * copied files hold and the snapshot does not, that the live database had committed)? */
static int
listed_after_snapshot(const char *data_dir, const char *sha)
{
	char path[1100], line[128];
	FILE *f;
	int found = 0;

	snprintf(path, sizeof(path), "%s/letters/%s", data_dir, LETTER_AFTER_SNAPSHOT);
	if ((f = fopen(path, "re")) == NULL)
		return 0;
	while (!found && fgets(line, sizeof(line), f) != NULL)
		found = strncmp(line, sha, 64) == 0 && (line[64] == '\n' || line[64] == '\0');
	fclose(f);
	return found;
}

static int
one_entry(struct db *db, const char *data_dir, const char *sha, int restore,
    struct letter_reconcile_report *r)
{
	char path[1200], have[80], other[LETTER_REF_MAX];
	struct entry e;

	snprintf(path, sizeof(path), "%s/letters/%s.json", data_dir, sha);
	if (entry_read(path, sha, &e) != 0) {
		log_warn("letters: journal entry %s cannot be read; left as it is", path);
		return 0;
	}
	/* Whatever else happens, this reference was given: never give it again. */
	if (raise_seq(db, &e, &r->sequences_raised) != 0 ||
	    lookup(db, SQL_BY_REF, e.ref, have, sizeof(have)) != 0 ||
	    lookup(db, SQL_BY_SHA, e.sha, other, sizeof(other)) != 0)
		return -1;
	if (strcmp(have, e.sha) == 0) {
		r->known++;
		return 0;
	}
	/* At start-up, only count: a letter the database does not know is also what an
	 * approval that never committed leaves behind, and only a restore can tell. */
	if (!restore) {
		r->unknown++;
		return 0;
	}
	snprintf(path, sizeof(path), "%s/letters/%s.pdf", data_dir, sha);
	if (have[0] == '\0' && other[0] == '\0' && listed_after_snapshot(data_dir, sha) &&
	    access(path, R_OK) == 0 &&
	    lookup(db, SQL_EMPLOYEE, e.employee_id, have, sizeof(have)) == 0 && have[0] != '\0') {
		if (register_entry(db, &e) != 0)
			return -1;
		log_warn("letters: %s for %s was issued after the snapshot this database comes "
		    "from; registered again", e.ref, e.employee_id);
		r->registered++;
		return 0;
	}
	if (audit_system(db, "letter.quarantine", &e, NULL, NULL) != 0 ||
	    quarantine(data_dir, sha) != 0)
		return -1;
	log_warn("letters: %s (%s) is not a letter the backed-up portal had committed, or "
	    "clashes with one; moved to letters/quarantine/ for a person to look at", e.ref,
	    sha);
	r->quarantined++;
	return 0;
}

int
letter_reconcile(struct db *db, const char *data_dir, int restore,
    struct letter_reconcile_report *r)
{
	char dir[1100], sha[65], have[80];
	struct dirent *de;
	DIR *d;
	int rc = 0;

	memset(r, 0, sizeof(*r));
	if (snprintf(dir, sizeof(dir), "%s/letters", data_dir) >= (int)sizeof(dir))
		return -1;
	if ((d = opendir(dir)) == NULL)
		return 0;
	if (db_begin(db) != 0) {
		closedir(d);
		return -1;
	}
	while (rc == 0 && (de = readdir(d)) != NULL) {
		size_t n = strlen(de->d_name);

		if (n != 69 || strcmp(de->d_name + 64, ".json") != 0) {
			if (n == 68 && strcmp(de->d_name + 64, ".pdf") == 0) {
				char j[1200];

				memcpy(sha, de->d_name, 64);
				sha[64] = '\0';
				snprintf(j, sizeof(j), "%s/%s.json", dir, sha);
				if (access(j, F_OK) != 0 &&
				    (rc = lookup(db, SQL_BY_SHA, sha, have, sizeof(have))) == 0 &&
				    have[0] == '\0')
					r->unjournalled++;
			}
			continue;
		}
		memcpy(sha, de->d_name, 64);
		sha[64] = '\0';
		rc = one_entry(db, data_dir, sha, restore, r);
	}
	closedir(d);
	if (rc != 0 || db_commit(db) != 0) {
		db_rollback(db);
		return -1;
	}
	return 0;
}

int
letter_backup_mark(const char *dest_dir, struct db *snapshot, struct db *live, long *marked)
{
	char dir[1100], path[1200], list[1200], have[80];
	struct dirent *de;
	struct entry e;
	struct buf b;
	DIR *d;
	int rc = 0;

	*marked = 0;
	if (snprintf(dir, sizeof(dir), "%s/letters", dest_dir) >= (int)sizeof(dir) ||
	    snprintf(list, sizeof(list), "%s/%s", dir, LETTER_AFTER_SNAPSHOT) >=
	    (int)sizeof(list))
		return -1;
	if ((d = opendir(dir)) == NULL)
		return 0;
	buf_init(&b, 64 * 1024 * 1024);
	while (rc == 0 && (de = readdir(d)) != NULL) {
		char sha[65];

		if (strlen(de->d_name) != 69 || strcmp(de->d_name + 64, ".json") != 0)
			continue;
		memcpy(sha, de->d_name, 64);
		sha[64] = '\0';
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (entry_read(path, sha, &e) != 0)
			continue;
		/* In the snapshot: nothing to do. Committed in the live database by now: a
		 * letter issued after the snapshot, which a restore registers again. */
		if ((rc = lookup(snapshot, SQL_BY_REF, e.ref, have, sizeof(have))) != 0 ||
		    strcmp(have, sha) == 0)
			continue;
		if ((rc = lookup(live, SQL_BY_REF, e.ref, have, sizeof(have))) == 0 &&
		    strcmp(have, sha) == 0) {
			rc = buf_printf(&b, "%s\n", sha);
			(*marked)++;
		}
	}
	closedir(d);
	if (rc == 0 && b.len > 0)
		rc = fsx_write_atomic(list, b.data, b.len, 0440);
	buf_free(&b);
	return rc;
}
