/* Supernumerary posts (Finance Department), deadlines and the HKCL export (admin). */
#include "http/handlers.h"

#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "audit/audit.h"
#include "cases/case.h"
#include "cases/deadline.h"
#include "cases/export.h"
#include "db/db.h"
#include "util/buf.h"
#include "util/fsx.h"
#include "util/log.h"
#include "util/timeutil.h"

enum MHD_Result
h_posts_create(struct req *r)
{
	struct case_ctx cx;
	struct actor a;
	char name[96], msg[512] = "";
	enum MHD_Result res;
	json_t *o, *out;
	enum err e;

	if ((o = req_json(r, &res)) == NULL)
		return res;
	if ((cx.db = db_thread()) == NULL) {
		json_decref(o);
		return reply_error(r, ERR_UNAVAILABLE, NULL);
	}
	req_actor(r, &a, name, sizeof(name));
	cx.rules = &r->app->rules;
	cx.who = &r->who;
	cx.actor = &a;
	e = case_posts(&cx, o, &out, msg, sizeof(msg));
	json_decref(o);
	if (e != ERR_OK)
		return reply_error(r, e, msg[0] ? msg : NULL);
	return reply_json(r, 201, out);
}

enum MHD_Result
h_deadlines(struct req *r)
{
	struct db *db = db_thread();
	json_t *o;

	if (db == NULL || (o = deadline_json(db, &r->app->rules, time_now())) == NULL)
		return reply_error(r, ERR_UNAVAILABLE, NULL);
	return reply_json(r, 200, o);
}

/* {"stage", "closes": "YYYY-MM-DD HH:MM" (IST), "reason", "departments"?: [codes]} */
enum MHD_Result
h_admin_deadline_extend(struct req *r)
{
	const char *depts[SCOPE_MAX], *k, *stage, *closes, *reason;
	json_t *o, *v, *arr;
	enum MHD_Result res;
	enum rules_stage s;
	struct actor a;
	struct db *db;
	char name[96], msg[512] = "";
	size_t n = 0, i;
	int64_t t;
	enum err e;
	int bad = 0;

	if ((o = req_json(r, &res)) == NULL)
		return res;
	json_object_foreach(o, k, v)
		if (strcmp(k, "stage") && strcmp(k, "closes") && strcmp(k, "reason") &&
		    strcmp(k, "departments"))
			bad = 1;
	stage = json_str(o, "stage", 32, &bad);
	closes = json_str(o, "closes", 32, &bad);
	reason = json_str(o, "reason", 1000, &bad);
	arr = json_object_get(o, "departments");
	/* Absent means all departments; an empty list is more likely a mistake. */
	if (arr && (!json_is_array(arr) || json_array_size(arr) == 0 ||
	    json_array_size(arr) > SCOPE_MAX))
		bad = 1;
	json_array_foreach(arr, i, v)
		if ((depts[n++] = json_string_value(v)) == NULL)
			bad = 1;
	if (bad || case_stage_parse(stage, &s) != 0 || time_parse_ist(closes, &t) != 0 ||
	    reason == NULL) {
		json_decref(o);
		return reply_error(r, ERR_INVALID_FIELD, "Give stage (registration, verification, "
		    "posts, approval), closes as \"YYYY-MM-DD HH:MM\" in IST, reason, and "
		    "optionally departments (codes; none means all).");
	}
	if ((db = db_thread()) == NULL) {
		json_decref(o);
		return reply_error(r, ERR_UNAVAILABLE, NULL);
	}
	req_actor(r, &a, name, sizeof(name));
	e = deadline_extend(db, &r->app->rules, &a, s, depts, n, t, reason, msg, sizeof(msg));
	json_decref(o);
	if (e != ERR_OK)
		return reply_error(r, e, msg[0] ? msg : NULL);
	return reply_json(r, 201, deadline_json(db, &r->app->rules, time_now()));
}

/* Writes the export under <data>/exports/hkcl-<UTC time>/ and answers with the manifest
 * and its signature (base64 DER), so the caller can pass all three on. */
enum MHD_Result
h_admin_export_hkcl(struct req *r)
{
	char dir[1024], sub[64], stamp[21], keys[1024], name[96], err[512], path[1100];
	struct export_result er;
	struct buf man, sig;
	struct actor a;
	struct db *db;
	unsigned char *b64 = NULL;
	enum MHD_Result res;
	json_t *o;

	if ((db = db_thread()) == NULL)
		return reply_error(r, ERR_UNAVAILABLE, NULL);
	time_iso_utc(time_now(), stamp);
	for (char *p = stamp; *p; p++)
		if (*p == ':')
			*p = '-';
	snprintf(sub, sizeof(sub), "exports/hkcl-%s", stamp);
	if (fsx_join(dir, sizeof(dir), r->app->cfg.data_dir, sub) != 0 ||
	    fsx_join(keys, sizeof(keys), r->app->cfg.data_dir, "keys") != 0)
		return reply_error(r, ERR_INTERNAL, NULL);
	req_actor(r, &a, name, sizeof(name));
	if (export_hkcl(db, keys, dir, &a, r->app->cfg.stuck_overdue_days, &er, err,
	    sizeof(err)) != 0) {
		log_error("hkcl export: %s", err);
		return reply_error(r, ERR_INTERNAL, NULL);
	}
	buf_init(&man, 4096);
	buf_init(&sig, 1024 * 1024);
	snprintf(path, sizeof(path), "%s/%s", dir, EXPORT_MANIFEST);
	if (fsx_read(path, &man) != 0)
		goto fail;
	snprintf(path, sizeof(path), "%s/%s", dir, EXPORT_SIG);
	if (fsx_read(path, &sig) != 0 || (b64 = malloc(4 * (sig.len / 3 + 1) + 1)) == NULL)
		goto fail;
	EVP_EncodeBlock(b64, (const unsigned char *)sig.data, (int)sig.len);
	o = json_pack("{s:s, s:I, s:s, s:s, s:s}", "dir", sub, "cases", (json_int_t)er.cases,
	    "sha256", er.csv_sha256, "manifest", buf_str(&man), "signature_der_base64",
	    (const char *)b64);
	if (o != NULL)	/* issue 14 */
		json_object_set_new(o, "stuck_overdue", json_integer(er.stuck_overdue));
	res = reply_json(r, 201, o);
	free(b64);
	buf_free(&man);
	buf_free(&sig);
	return res;
fail:
	free(b64);
	buf_free(&man);
	buf_free(&sig);
	return reply_error(r, ERR_INTERNAL, NULL);
}
