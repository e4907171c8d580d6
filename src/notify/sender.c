/* The notification sender: due rows of the outbox to the SMS sink, with retry and
 * backoff (notify.h). One thread; a row is read, sent outside any transaction (a slow
 * gateway holds no lock), then marked in a short transaction of its own. */
#include "notify/notify.h"

#include <errno.h>
#include <stddef.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth/otp.h"
#include "config.h"
#include "db/db.h"
#include "util/log.h"
#include "util/timeutil.h"

#define NOTIFY_VARS_MAX	4
#define NOTIFY_TEXT_MAX	480	/* a filled text: 3 SMS parts at most */

static const char SQL_DUE[] =
    "SELECT id, kind, employee_id, mobile, vars, attempts FROM notifications"
    " WHERE sent_at IS NULL AND next_at <= ?1 ORDER BY next_at, id LIMIT ?2";
static const char SQL_SENT[] =
    "UPDATE notifications SET sent_at = ?2, attempts = attempts + 1, template_id = ?3,"
    " text = ?4, last_error = NULL WHERE id = ?1 AND sent_at IS NULL";
static const char SQL_RETRY[] =
    "UPDATE notifications SET attempts = attempts + 1, next_at = ?2, last_error = ?3"
    " WHERE id = ?1 AND sent_at IS NULL";

struct due {
	int64_t	id, attempts;
	char	kind[16], employee_id[40], mobile[16], vars[512];
};

/* The kind's template id and text (settings). */
static int
template_of(const struct config *cfg, const char *kind, const char **id, const char **text)
{
	static const struct {
		const char	*kind;
		size_t		 id_off, text_off;
	} t[] = {
		{ "returned", offsetof(struct config, sms_tpl_returned),
		    offsetof(struct config, sms_text_returned) },
		{ "verified", offsetof(struct config, sms_tpl_verified),
		    offsetof(struct config, sms_text_verified) },
		{ "discrepancy", offsetof(struct config, sms_tpl_discrepancy),
		    offsetof(struct config, sms_text_discrepancy) },
		{ "approved", offsetof(struct config, sms_tpl_approved),
		    offsetof(struct config, sms_text_approved) },
		{ "rejected", offsetof(struct config, sms_tpl_rejected),
		    offsetof(struct config, sms_text_rejected) },
		{ "revoked", offsetof(struct config, sms_tpl_revoked),
		    offsetof(struct config, sms_text_revoked) },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (strcmp(t[i].kind, kind) == 0) {
			*id = (const char *)cfg + t[i].id_off;
			*text = (const char *)cfg + t[i].text_off;
			return 0;
		}
	return -1;
}

/* The gateway's message: what the DLT rules ask (template id, the registered text with its
 * variables, the variables themselves) and the row id for the gateway to drop a repeat. */
static char *
message(const struct config *cfg, const struct due *d, char *tpl_out, size_t tpl_len,
    char *text_out, size_t text_len, const char **why)
{
	const char *vars[NOTIFY_VARS_MAX], *tpl, *text;
	json_t *va = json_loads(d->vars, 0, NULL), *v, *o;
	char at[21], *line = NULL;
	size_t n = 0, i;

	*why = "the row's variables are not a list";
	if (!json_is_array(va) || json_array_size(va) > NOTIFY_VARS_MAX)
		goto out;
	json_array_foreach(va, i, v) {
		if (!json_is_string(v))
			goto out;
		vars[n++] = json_string_value(v);
	}
	*why = "no DLT template for this kind";
	if (template_of(cfg, d->kind, &tpl, &text) != 0)
		goto out;
	*why = "the DLT text does not have one {#var#} per variable";
	if (notify_fill(text, vars, n, text_out, text_len) != 0)
		goto out;
	snprintf(tpl_out, tpl_len, "%s", tpl);
	time_iso_utc(time_now(), at);
	o = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:O}", "id", (json_int_t)d->id,
	    "at", at, "kind", d->kind, "mobile", d->mobile, "employee_id", d->employee_id,
	    "template_id", tpl, "message", text_out, "vars", va);
	if (o != NULL) {
		line = json_dumps(o, JSON_COMPACT);
		json_decref(o);
	}
	*why = NULL;
out:
	json_decref(va);
	return line;
}

static int
mark(struct db *db, const char *sql, int64_t id, int64_t t, const char *a, const char *b)
{
	sqlite3_stmt *st;
	int rc = -1;

	if (db_begin(db) != 0)
		return -1;
	if ((st = db_prepare(db, sql)) != NULL) {
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int64(st, 2, t);
		db_bind_text(st, 3, a);
		if (b != NULL)
			db_bind_text(st, 4, b);
		rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
		db_done(st);
	}
	if (rc == 0 && db_commit(db) == 0)
		return 0;
	db_rollback(db);
	return -1;
}

static int64_t
backoff(const struct config *cfg, int64_t attempts)
{
	int64_t wait = cfg->notify_retry_base;

	while (attempts-- > 0 && wait < cfg->notify_retry_max)
		wait *= 2;
	return wait < cfg->notify_retry_max ? wait : cfg->notify_retry_max;
}

int
notify_send_due(struct db *db, const struct config *cfg, int64_t now, int max)
{
	struct due *d = NULL;
	sqlite3_stmt *st;
	int n = 0, i, sent = 0;

	if ((d = calloc((size_t)max, sizeof(*d))) == NULL ||
	    (st = db_prepare(db, SQL_DUE)) == NULL) {
		free(d);
		return -1;
	}
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int(st, 2, max);
	while (n < max && sqlite3_step(st) == SQLITE_ROW) {
		d[n].id = sqlite3_column_int64(st, 0);
		snprintf(d[n].kind, sizeof(d[n].kind), "%s", db_col_text(st, 1));
		snprintf(d[n].employee_id, sizeof(d[n].employee_id), "%s", db_col_text(st, 2));
		snprintf(d[n].mobile, sizeof(d[n].mobile), "%s", db_col_text(st, 3));
		snprintf(d[n].vars, sizeof(d[n].vars), "%s", db_col_text(st, 4));
		d[n].attempts = sqlite3_column_int64(st, 5);
		n++;
	}
	db_done(st);
	for (i = 0; i < n; i++) {
		char tpl[32], text[NOTIFY_TEXT_MAX];
		const char *why = NULL;
		char *line = message(cfg, &d[i], tpl, sizeof(tpl), text, sizeof(text), &why);
		int ok = line != NULL && sms_sink_send(cfg->notify_sink, cfg->data_dir,
		    "outbox/notify.jsonl", cfg->notify_http_timeout, line) == 0;

		free(line);
		if (ok) {
			if (mark(db, SQL_SENT, d[i].id, now, tpl, text) != 0)
				log_error("notify: message %lld sent but not marked",
				    (long long)d[i].id);
			sent++;
			continue;
		}
		if (why != NULL)
			log_error("notify: message %lld cannot be made: %s (fix the setting)",
			    (long long)d[i].id, why);
		else
			log_warn("notify: message %lld not taken by the sink (try %lld)",
			    (long long)d[i].id, (long long)d[i].attempts + 1);
		mark(db, SQL_RETRY, d[i].id, now + backoff(cfg, d[i].attempts),
		    why ? why : "the SMS sink did not take it", NULL);
	}
	free(d);
	return sent;
}

static struct {
	pthread_t		 th;
	pthread_mutex_t		 mu;
	pthread_cond_t		 cv;
	int			 stop, running;
	const struct config	*cfg;
} sender = { .mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER };

static void *
run(void *arg)
{
	struct timespec ts;

	(void)arg;
	pthread_mutex_lock(&sender.mu);
	while (!sender.stop) {
		struct db *db;

		pthread_mutex_unlock(&sender.mu);
		if ((db = db_thread()) != NULL) {
			/* the wall clock, not the portal's (which a test may hold still): retries
			 * wait for the gateway's real time */
			while (notify_send_due(db, sender.cfg, (int64_t)time(NULL), 50) == 50)
				;
		}
		pthread_mutex_lock(&sender.mu);
		if (sender.stop)
			break;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += sender.cfg->notify_poll;
		while (!sender.stop && pthread_cond_timedwait(&sender.cv, &sender.mu, &ts) !=
		    ETIMEDOUT)
			;
	}
	pthread_mutex_unlock(&sender.mu);
	db_thread_close();
	return NULL;
}

int
notify_sender_start(const struct config *cfg)
{
	sender.cfg = cfg;
	sender.stop = 0;
	if (pthread_create(&sender.th, NULL, run, NULL) != 0)
		return -1;
	sender.running = 1;
	return 0;
}

void
notify_sender_stop(void)
{
	if (!sender.running)
		return;
	pthread_mutex_lock(&sender.mu);
	sender.stop = 1;
	pthread_cond_signal(&sender.cv);
	pthread_mutex_unlock(&sender.mu);
	pthread_join(sender.th, NULL);
	sender.running = 0;
}
