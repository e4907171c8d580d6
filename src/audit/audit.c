#include "audit/audit.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <openssl/crypto.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "db/db.h"
#include "util/buf.h"
#include "util/crypt.h"
#include "util/fsx.h"
#include "util/log.h"
#include "util/timeutil.h"

#define GENESIS "0000000000000000000000000000000000000000000000000000000000000000"

static const char SQL_LAST[] = "SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1";
static const char SQL_INSERT[] =
    "INSERT INTO audit (id, at, actor, role, action, case_id, object, ip, before, after,"
    " prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)";
static const char SQL_HEAD_SET[] =
    "INSERT INTO meta (key, value) VALUES ('audit_head', ?1)"
    " ON CONFLICT (key) DO UPDATE SET value = excluded.value";
static const char SQL_HEAD_GET[] = "SELECT value FROM meta WHERE key = 'audit_head'";
static const char SQL_ALL[] =
    "SELECT id, at, actor, role, action, case_id, object, ip, before, after, prev_hash, hash"
    " FROM audit ORDER BY id";

#define KEY_LEN		32
#define KEY_FILE	"keys/audit.key"

/* The chain key, from <data>/keys/audit.key: the database never holds it, so whoever can
 * write the database cannot recompute a rewritten chain. Loaded by audit_open() (every
 * command, via cli_load_config) and created there by the first writer if missing. */
static pthread_mutex_t key_mu = PTHREAD_MUTEX_INITIALIZER;
static unsigned char chain_key[KEY_LEN];
static int key_loaded;
static char data_dir[512];
static atomic_int appended;	/* this process wrote a record: checkpoint before exit */

static int
key_load_locked(int create)
{
	char path[1024], hex[2 * KEY_LEN + 1];
	struct buf b;
	int rc = -1;

	if (key_loaded)
		return 0;
	if (data_dir[0] == '\0' || fsx_join(path, sizeof(path), data_dir, KEY_FILE) != 0)
		return -1;
	if (create && access(path, F_OK) != 0) {
		if (crypt_random(chain_key, sizeof(chain_key)) != 0)
			return -1;
		crypt_hex(chain_key, sizeof(chain_key), hex);
		rc = fsx_write_atomic(path, hex, 2 * KEY_LEN, 0600);
		OPENSSL_cleanse(hex, sizeof(hex));
		OPENSSL_cleanse(chain_key, sizeof(chain_key));
		if (rc != 0)
			return -1;
		log_info("audit: created %s", path);
	}
	buf_init(&b, 256);
	if (fsx_read(path, &b) == 0 && b.len >= 2 * KEY_LEN) {
		b.data[2 * KEY_LEN] = '\0';
		if (crypt_unhex(b.data, chain_key, KEY_LEN) == 0)
			key_loaded = 1;
	}
	if (b.data)
		OPENSSL_cleanse(b.data, b.len);
	buf_free(&b);
	return key_loaded ? 0 : -1;
}

void
audit_open(const char *dir)
{
	pthread_mutex_lock(&key_mu);
	if (strcmp(dir, data_dir) != 0) {
		snprintf(data_dir, sizeof(data_dir), "%s", dir);
		key_loaded = 0;
		OPENSSL_cleanse(chain_key, sizeof(chain_key));
	}
	key_load_locked(0);
	pthread_mutex_unlock(&key_mu);
}

static int
key_ready(int create)
{
	int rc;

	pthread_mutex_lock(&key_mu);
	rc = key_load_locked(create);
	pthread_mutex_unlock(&key_mu);
	return rc;
}

static void
mac_hex(const void *data, size_t len, char out[SHA256_HEX])
{
	unsigned char mac[SHA256_LEN];

	crypt_hmac_sha256(chain_key, KEY_LEN, data, len, mac);
	crypt_hex(mac, sizeof(mac), out);
}

/* Length-prefixed fields, so no choice of values can make two records serialise alike. */
static int
field(struct buf *b, const char *s)
{
	if (s == NULL)
		return buf_puts(b, "-|");
	return buf_printf(b, "%zu:", strlen(s)) || buf_puts(b, s) || buf_puts(b, "|");
}

static int
record_hash(int64_t id, int64_t at, const struct audit_rec *r, const char *prev,
    char out[SHA256_HEX])
{
	struct buf b;
	int rc = -1;

	buf_init(&b, 4 * 1024 * 1024);
	if (buf_puts(&b, prev) || buf_printf(&b, "|%" PRId64 "|%" PRId64 "|", id, at) ||
	    field(&b, r->actor) || field(&b, r->role) || field(&b, r->action) ||
	    field(&b, r->case_id) || field(&b, r->object) || field(&b, r->ip) ||
	    field(&b, r->before) || field(&b, r->after))
		goto out;
	mac_hex(b.data, b.len, out);
	rc = 0;
out:
	buf_free(&b);
	return rc;
}

int
audit_append(struct db *db, const struct audit_rec *r)
{
	char prev[SHA256_HEX] = GENESIS, hash[SHA256_HEX], head[96];
	sqlite3_stmt *st;
	int64_t id = 1, at = time_now();
	int rc = -1;

	if (key_ready(1) != 0) {
		log_error("audit: no chain key (%s/%s): nothing is written", data_dir, KEY_FILE);
		return -1;
	}
	if ((st = db_prepare(db, SQL_LAST)) == NULL)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW) {
		id = sqlite3_column_int64(st, 0) + 1;
		snprintf(prev, sizeof(prev), "%s", db_col_text(st, 1));
	}
	db_done(st);
	if (record_hash(id, at, r, prev, hash) != 0)
		return -1;
	if ((st = db_prepare(db, SQL_INSERT)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, at);
	db_bind_text(st, 3, r->actor);
	db_bind_text(st, 4, r->role);
	db_bind_text(st, 5, r->action);
	db_bind_text(st, 6, r->case_id);
	db_bind_text(st, 7, r->object ? r->object : "");
	db_bind_text(st, 8, r->ip ? r->ip : "");
	db_bind_text(st, 9, r->before);
	db_bind_text(st, 10, r->after);
	db_bind_text(st, 11, prev);
	db_bind_text(st, 12, hash);
	if (sqlite3_step(st) != SQLITE_DONE) {
		log_error("audit: insert: %s", sqlite3_errmsg(db_handle(db)));
		goto out;
	}
	db_done(st);
	snprintf(head, sizeof(head), "%" PRId64 ":%s", id, hash);
	if ((st = db_prepare(db, SQL_HEAD_SET)) == NULL)
		return -1;
	db_bind_text(st, 1, head);
	if (sqlite3_step(st) != SQLITE_DONE)
		goto out;
	atomic_store(&appended, 1);
	rc = 0;
out:
	db_done(st);
	return rc;
}

static const char *
col_or_null(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? NULL :
	    (const char *)sqlite3_column_text(st, i);
}

/* Checkpoints: the chain head written outside the database, one line appended per change
 * of head, "<id> <hash> <unix time> <mac>" with mac = HMAC(key, "checkpoint|id|hash|time").
 * An append-only file: a database writer who drops the newest records, or wipes the table
 * and its head in meta, still leaves the checkpoint naming a record that is gone. */
#define CKPT_FILE	"audit.checkpoints"

static void
checkpoint_mac(int64_t id, const char *hash, int64_t at, char out[SHA256_HEX])
{
	char msg[160];
	int n = snprintf(msg, sizeof(msg), "checkpoint|%" PRId64 "|%s|%" PRId64, id, hash, at);

	mac_hex(msg, (size_t)n, out);
}

/* The last line of the checkpoint file: 1 found, 0 none, -1 error. */
static int
last_checkpoint(const char *path, int64_t *id, char hash[SHA256_HEX])
{
	char tail[512], *nl, *line;
	struct stat st;
	ssize_t n;
	off_t from;
	int fd, rc = 0;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return errno == ENOENT ? 0 : -1;
	if (fstat(fd, &st) != 0) {
		close(fd);
		return -1;
	}
	from = st.st_size > (off_t)sizeof(tail) - 1 ? st.st_size - (off_t)sizeof(tail) + 1 : 0;
	n = pread(fd, tail, sizeof(tail) - 1, from);
	close(fd);
	if (n <= 0)
		return n == 0 ? 0 : -1;
	tail[n] = '\0';
	while (n > 0 && tail[n - 1] == '\n')
		tail[--n] = '\0';
	line = (nl = strrchr(tail, '\n')) != NULL ? nl + 1 : tail;
	if (sscanf(line, "%" SCNd64 " %64s", id, hash) == 2)
		rc = 1;
	return rc;
}

int
audit_checkpoint(struct db *db)
{
	char path[1024], hash[SHA256_HEX] = "", last[SHA256_HEX] = "", mac[SHA256_HEX],
	    line[256];
	int64_t id = 0, last_id = 0, now = time_now();
	sqlite3_stmt *st;
	int fd, n, rc = -1;

	if (key_ready(1) != 0 || fsx_join(path, sizeof(path), data_dir, CKPT_FILE) != 0)
		return -1;
	if ((st = db_prepare(db, SQL_LAST)) == NULL)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW) {
		id = sqlite3_column_int64(st, 0);
		snprintf(hash, sizeof(hash), "%s", db_col_text(st, 1));
	}
	db_done(st);
	if (id == 0)
		return 0;
	if (last_checkpoint(path, &last_id, last) == 1 && last_id == id &&
	    strcmp(last, hash) == 0)
		return 0;
	checkpoint_mac(id, hash, now, mac);
	n = snprintf(line, sizeof(line), "%" PRId64 " %s %" PRId64 " %s\n", id, hash, now, mac);
	if ((fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640)) < 0)
		return -1;
	if (write(fd, line, (size_t)n) == n && fsync(fd) == 0)
		rc = 0;
	close(fd);
	return rc;
}

int
audit_head(struct db *db, int64_t *id, char hash[SHA256_HEX])
{
	sqlite3_stmt *st;

	*id = 0;
	hash[0] = '\0';
	if ((st = db_prepare(db, SQL_LAST)) == NULL)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW) {
		*id = sqlite3_column_int64(st, 0);
		snprintf(hash, SHA256_HEX, "%s", db_col_text(st, 1));
	}
	db_done(st);
	return 0;
}

struct ckpt_reader {
	FILE	*f;
	long	 line;
	int	 have;
	int64_t	 id, at;
	char	 hash[SHA256_HEX];
	int	 forged;
};

/* The next checkpoint line; have = 0 at the end; forged set on a bad line or mac. */
static void
ckpt_next(struct ckpt_reader *c)
{
	char buf[512], mac[SHA256_HEX], want[SHA256_HEX];

	c->have = 0;
	if (c->f == NULL || fgets(buf, sizeof(buf), c->f) == NULL)
		return;
	c->line++;
	if (sscanf(buf, "%" SCNd64 " %64s %" SCNd64 " %64s", &c->id, c->hash, &c->at, mac) !=
	    4 || strlen(c->hash) != SHA256_HEX - 1) {
		c->forged = 1;
		return;
	}
	checkpoint_mac(c->id, c->hash, c->at, want);
	if (!crypt_equal(want, mac, SHA256_HEX - 1)) {
		c->forged = 1;
		return;
	}
	c->have = 1;
}

static const char SQL_CASE_CHECK[] =
    "SELECT c.employee_id, c.state, (SELECT json_extract(a.after, '$.state') FROM audit a"
    "  WHERE a.case_id = c.employee_id AND a.object = 'case:' || c.employee_id"
    "  AND json_valid(a.after) AND json_extract(a.after, '$.state') IS NOT NULL"
    "  ORDER BY a.id DESC LIMIT 1) FROM cases c ORDER BY c.employee_id";

/* Every case's state is the one its newest audited move left it in (draft, as created,
 * when none). A state set directly in the database has no record behind it. */
static enum audit_verdict
cases_agree(struct db *db, char *why, size_t whylen)
{
	enum audit_verdict v = AUDIT_INTACT;
	sqlite3_stmt *st;
	int rc;

	if ((st = db_prepare(db, SQL_CASE_CHECK)) == NULL)
		return AUDIT_ERROR;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *want = sqlite3_column_type(st, 2) == SQLITE_NULL ? "draft" :
		    db_col_text(st, 2);

		if (strcmp(db_col_text(st, 1), want) != 0) {
			snprintf(why, whylen, "case %s is '%s' but its audit history leaves it "
			    "'%s': the state was changed outside the portal", db_col_text(st, 0),
			    db_col_text(st, 1), want);
			v = AUDIT_BROKEN;
			break;
		}
	}
	if (v == AUDIT_INTACT && rc != SQLITE_DONE)
		v = AUDIT_ERROR;
	db_done(st);
	return v;
}

enum audit_verdict
audit_verify(struct db *db, int64_t *bad_id, int64_t *count, char *why, size_t whylen)
{
	char prev[SHA256_HEX] = GENESIS, hash[SHA256_HEX], head[96] = "", path[1024];
	struct ckpt_reader ck = { 0 };
	enum audit_verdict v = AUDIT_INTACT;
	sqlite3_stmt *st;
	int64_t expect = 1;
	int rc;

	*count = 0;
	*bad_id = 0;
	if (key_ready(0) != 0) {
		snprintf(why, whylen, "the chain key %s/%s cannot be read", data_dir, KEY_FILE);
		return AUDIT_ERROR;
	}
	if (fsx_join(path, sizeof(path), data_dir, CKPT_FILE) != 0)
		return AUDIT_ERROR;
	ck.f = fopen(path, "re");
	ckpt_next(&ck);
	if ((st = db_prepare(db, SQL_ALL)) == NULL) {
		if (ck.f)
			fclose(ck.f);
		return AUDIT_ERROR;
	}
	while (v == AUDIT_INTACT && !ck.forged && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct audit_rec r;
		int64_t id = sqlite3_column_int64(st, 0), at = sqlite3_column_int64(st, 1);

		r.actor = col_or_null(st, 2);
		r.role = col_or_null(st, 3);
		r.action = col_or_null(st, 4);
		r.case_id = col_or_null(st, 5);
		r.object = col_or_null(st, 6);
		r.ip = col_or_null(st, 7);
		r.before = col_or_null(st, 8);
		r.after = col_or_null(st, 9);
		if (id != expect) {
			*bad_id = expect;
			snprintf(why, whylen, "record %" PRId64 " is missing (next is %" PRId64 ")",
			    expect, id);
			v = AUDIT_BROKEN;
			break;
		}
		if (strcmp(db_col_text(st, 10), prev) != 0) {
			*bad_id = id;
			snprintf(why, whylen, "record %" PRId64 " does not follow the record before "
			    "it (prev_hash differs)", id);
			v = AUDIT_BROKEN;
			break;
		}
		if (record_hash(id, at, &r, prev, hash) != 0) {
			v = AUDIT_ERROR;
			break;
		}
		if (strcmp(hash, db_col_text(st, 11)) != 0) {
			*bad_id = id;
			snprintf(why, whylen, "record %" PRId64 " was altered (its keyed hash does "
			    "not match its content)", id);
			v = AUDIT_BROKEN;
			break;
		}
		while (ck.have && ck.id <= id && !ck.forged) {
			if (ck.id == id && strcmp(ck.hash, hash) != 0) {
				*bad_id = id;
				snprintf(why, whylen, "record %" PRId64 " differs from the checkpoint "
				    "written at %" PRId64 ": history was rewritten", id, ck.at);
				v = AUDIT_BROKEN;
				break;
			}
			ckpt_next(&ck);
		}
		memcpy(prev, hash, sizeof(prev));
		expect++;
		(*count)++;
	}
	db_done(st);
	if (v == AUDIT_INTACT && ck.forged) {
		*bad_id = *count + 1;
		snprintf(why, whylen, "line %ld of %s is not a checkpoint this portal wrote",
		    ck.line, CKPT_FILE);
		v = AUDIT_BROKEN;
	} else if (v == AUDIT_INTACT && ck.have) {
		*bad_id = *count + 1;
		snprintf(why, whylen, "the chain ends at record %" PRId64 " but a checkpoint "
		    "written at %" PRId64 " saw record %" PRId64 ": records were dropped from the "
		    "end", *count, ck.at, ck.id);
		v = AUDIT_BROKEN;
	}
	if (ck.f)
		fclose(ck.f);
	if (v != AUDIT_INTACT)
		return v;
	if ((st = db_prepare(db, SQL_HEAD_GET)) == NULL)
		return AUDIT_ERROR;
	if (sqlite3_step(st) == SQLITE_ROW)
		snprintf(head, sizeof(head), "%s", db_col_text(st, 0));
	db_done(st);
	if (*count > 0 || head[0] != '\0') {
		char want[96];

		snprintf(want, sizeof(want), "%" PRId64 ":%s", *count, prev);
		if (strcmp(head, want) != 0) {
			*bad_id = *count + 1;
			snprintf(why, whylen, "the chain ends at record %" PRId64 " but the recorded "
			    "head is %s: records were dropped from the end", *count,
			    head[0] ? head : "missing");
			return AUDIT_BROKEN;
		}
	}
	return cases_agree(db, why, whylen);
}

static int
checkpoint_now(void)
{
	char path[1024], err[256];
	struct db *db;
	int rc;

	if (data_dir[0] == '\0' || db_path(data_dir, path, sizeof(path)) != 0 ||
	    (db = db_open(path, 0, err, sizeof(err))) == NULL)
		return -1;
	rc = audit_checkpoint(db);
	db_close(db);
	if (rc != 0)
		log_warn("audit: could not append a checkpoint to %s/%s", data_dir, CKPT_FILE);
	return rc;
}

int
audit_checkpoint_if_written(void)
{
	if (!atomic_load(&appended))
		return 0;
	atomic_store(&appended, 0);
	return checkpoint_now();
}

static pthread_t ckpt_thread;
static pthread_mutex_t ckpt_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t ckpt_wake = PTHREAD_COND_INITIALIZER;
static int ckpt_running;
static int64_t ckpt_interval;

static void *
checkpointer(void *arg)
{
	struct timespec ts;

	pthread_mutex_lock(&ckpt_mu);
	while (ckpt_running) {
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += ckpt_interval;
		pthread_cond_timedwait(&ckpt_wake, &ckpt_mu, &ts);
		pthread_mutex_unlock(&ckpt_mu);
		audit_checkpoint_if_written();
		pthread_mutex_lock(&ckpt_mu);
	}
	pthread_mutex_unlock(&ckpt_mu);
	return NULL;
}

int
audit_checkpointer_start(int64_t interval)
{
	ckpt_interval = interval > 0 ? interval : 30;
	ckpt_running = 1;
	if (pthread_create(&ckpt_thread, NULL, checkpointer, NULL) != 0) {
		ckpt_running = 0;
		return -1;
	}
	return 0;
}

void
audit_checkpointer_stop(void)
{
	if (!ckpt_running)
		return;
	pthread_mutex_lock(&ckpt_mu);
	ckpt_running = 0;
	pthread_cond_signal(&ckpt_wake);
	pthread_mutex_unlock(&ckpt_mu);
	pthread_join(ckpt_thread, NULL);
	audit_checkpoint_if_written();
}
