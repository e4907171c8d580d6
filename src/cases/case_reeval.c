/* Re-evaluation of every case after the rules changed (a notification changes the rules
 * file, not the code): the outcome, and the stage and due time that follow from it. */
#include "cases/case_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "cases/deadline.h"
#include "db/db.h"
#include "import/master.h"
#include "util/crypt.h"
#include "util/log.h"

static const char SQL_ALL[] =
    "SELECT c.employee_id, c.state, c.verdict, coalesce(c.verified, c.declared),"
    " c.verified IS NOT NULL, p.pay_level FROM cases c"
    " LEFT JOIN posts p ON p.employee_id = c.employee_id"
    " WHERE c.employee_id > ?1 AND (c.verified IS NOT NULL OR c.declared IS NOT NULL)"
    " ORDER BY c.employee_id LIMIT 500";
static const char SQL_META_GET[] = "SELECT value FROM meta WHERE key = 'rules_sha256'";
static const char SQL_META_SET[] =
    "INSERT INTO meta (key, value) VALUES ('rules_sha256', ?1)"
    " ON CONFLICT (key) DO UPDATE SET value = excluded.value";

int
case_rules_hash(const struct rules_params *rules, char out[65])
{
	struct buf b;

	buf_init(&b, 1024 * 1024);
	if (rules_format(rules, &b) != 0) {
		buf_free(&b);
		return -1;
	}
	crypt_sha256_hex(b.data, b.len, out);
	buf_free(&b);
	return 0;
}

struct pending {
	char	 id[CODE_MAX];
	char	 state[32];
	char	 verdict[16];
	char	*service;
	int	 verified;
	int	 level;
};

/* One case: evaluate, store, restage, audit a changed verdict. 1 changed, 0 same, -1. */
static int
reeval_one(struct db *db, const struct rules_params *rules, const struct actor *a,
    const struct pending *p, struct rules_outcome *o)
{
	struct audit_rec ar = { 0 };
	struct employee emp;
	enum case_state s;
	json_t *svc;
	char msg[256], object[64], before[64], after[64];
	const char *nv;
	int rc;

	if (employee_get(db, p->id, &emp) != 0 || case_state_parse(p->state, &s) != 0 ||
	    (svc = json_loads(p->service, JSON_REJECT_DUPLICATES, NULL)) == NULL)
		return -1;
	if (case_evaluate(rules, &emp, svc, p->level, o, msg, sizeof(msg)) != ERR_OK) {
		/* A record stored earlier that the rules now refuse to read: leave its outcome
		 * and say so; it is data, not a reason to stop the whole run. */
		log_warn("rules reeval: case %s: %s", p->id, msg);
		json_decref(svc);
		return 0;
	}
	json_decref(svc);
	nv = rules_verdict_name(o->verdict);
	if (case_store_outcome(db, p->id, o, p->verified ? "verified" : "declared") != 0 ||
	    case_restage(db, rules, p->id, s, nv, emp.department_code) != 0)
		return -1;
	if (strcmp(nv, p->verdict) == 0)
		return 0;
	snprintf(object, sizeof(object), "case:%s", p->id);
	snprintf(before, sizeof(before), "{\"verdict\":\"%s\"}", p->verdict);
	snprintf(after, sizeof(after), "{\"verdict\":\"%s\"}", nv);
	ar.actor = a->name;
	ar.role = a->role;
	ar.action = "case.reeval";
	ar.case_id = p->id;
	ar.object = object;
	ar.ip = a->ip;
	ar.before = p->verdict[0] ? before : NULL;
	ar.after = after;
	rc = audit_append(db, &ar);
	return rc == 0 ? 1 : -1;
}

int
case_reeval_all(struct db *db, const struct rules_params *rules, const struct actor *a,
    int only_if_changed, long *evaluated, long *changed)
{
	struct pending batch[500];
	struct rules_outcome *o = NULL;
	struct audit_rec ar = { 0 };
	char hash[65], old[65] = "", after[256], before[128], last[CODE_MAX] = "";
	sqlite3_stmt *st;
	size_t n, i;
	int rc = -1, r;

	*evaluated = *changed = 0;
	if (case_rules_hash(rules, hash) != 0 || (o = malloc(sizeof(*o))) == NULL)
		return -1;
	if (db_begin(db) != 0) {
		free(o);
		return -1;
	}
	if ((st = db_prepare(db, SQL_META_GET)) == NULL)
		goto out;
	if (sqlite3_step(st) == SQLITE_ROW)
		snprintf(old, sizeof(old), "%s", db_col_text(st, 0));
	db_done(st);
	if (only_if_changed && strcmp(old, hash) == 0) {
		rc = 0;
		goto out;
	}
	do {
		if ((st = db_prepare(db, SQL_ALL)) == NULL)
			goto out;
		db_bind_text(st, 1, last);
		for (n = 0; n < 500 && sqlite3_step(st) == SQLITE_ROW; n++) {
			struct pending *p = &batch[n];

			snprintf(p->id, sizeof(p->id), "%s", db_col_text(st, 0));
			snprintf(p->state, sizeof(p->state), "%s", db_col_text(st, 1));
			snprintf(p->verdict, sizeof(p->verdict), "%s", db_col_text(st, 2));
			p->service = strdup(db_col_text(st, 3));
			p->verified = sqlite3_column_int(st, 4);
			p->level = sqlite3_column_int(st, 5);
		}
		db_done(st);
		r = 0;
		for (i = 0; i < n; i++) {
			if (r >= 0 && batch[i].service != NULL &&
			    (r = reeval_one(db, rules, a, &batch[i], o)) > 0)
				(*changed)++;
			if (batch[i].service == NULL)
				r = -1;
			(*evaluated)++;
			free(batch[i].service);
		}
		if (r < 0)
			goto out;
		if (n > 0)
			snprintf(last, sizeof(last), "%s", batch[n - 1].id);
	} while (n == 500);
	if (deadline_sync_cases(db, rules) != 0 || (st = db_prepare(db, SQL_META_SET)) == NULL)
		goto out;
	db_bind_text(st, 1, hash);
	r = sqlite3_step(st);
	db_done(st);
	if (r != SQLITE_DONE)
		goto out;
	snprintf(before, sizeof(before), "{\"rules_sha256\":\"%s\"}", old);
	snprintf(after, sizeof(after), "{\"rules_sha256\":\"%s\",\"evaluated\":%ld,"
	    "\"changed\":%ld}", hash, *evaluated, *changed);
	ar.actor = a->name;
	ar.role = a->role;
	ar.action = "rules.reeval";
	ar.object = "rules";
	ar.ip = a->ip;
	ar.before = old[0] ? before : NULL;
	ar.after = after;
	if (audit_append(db, &ar) != 0 || db_commit(db) != 0)
		goto out;
	free(o);
	return 0;
out:
	db_rollback(db);
	free(o);
	return rc;
}
