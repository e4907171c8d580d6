#include "db/db.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db/schema.h"
#include "util/log.h"

#define STMT_SLOTS	256	/* open addressing; more distinct statements is a bug */
#define BUSY_TRIES	20

struct stmt_slot {
	const char	*sql;
	sqlite3_stmt	*st;
};

struct db {
	sqlite3			*h;
	struct stmt_slot	 slots[STMT_SLOTS];
};

int
db_path(const char *data_dir, char *out, size_t outlen)
{
	int n = snprintf(out, outlen, "%s/suraksha.db", data_dir);

	return n < 0 || (size_t)n >= outlen ? -1 : 0;
}

int
db_exec(struct db *db, const char *sql)
{
	char *msg = NULL;
	int rc = sqlite3_exec(db->h, sql, NULL, NULL, &msg);

	if (rc != SQLITE_OK) {
		log_error("db: %s: %s", sql, msg ? msg : sqlite3_errstr(rc));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

int
db_schema_version(struct db *db)
{
	sqlite3_stmt *st;
	int v = -1;

	if (sqlite3_prepare_v2(db->h, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

static int
migrate(struct db *db, char *err, size_t errlen)
{
	char pragma[64];
	int v = db_schema_version(db);
	size_t i;

	if (v < 0 || (size_t)v > schema_count()) {
		snprintf(err, errlen, "database schema version %d is newer than this program "
		    "knows (%zu)", v, schema_count());
		return -1;
	}
	for (i = (size_t)v; i < schema_count(); i++) {
		if (db_begin(db) != 0)
			goto fail;
		snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %zu", i + 1);
		if (db_exec(db, schema_migration(i)) != 0 || db_exec(db, pragma) != 0) {
			db_rollback(db);
			goto fail;
		}
		if (db_commit(db) != 0)
			goto fail;
		log_info("db: applied migration %zu", i + 1);
	}
	return 0;
fail:
	snprintf(err, errlen, "database migration %zu failed: %s", i + 1, sqlite3_errmsg(db->h));
	return -1;
}

struct db *
db_open(const char *path, int create, char *err, size_t errlen)
{
	struct db *db;
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);

	if ((db = calloc(1, sizeof(*db))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (sqlite3_open_v2(path, &db->h, flags, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", path,
		    db->h ? sqlite3_errmsg(db->h) : "cannot open");
		goto fail;
	}
	sqlite3_busy_timeout(db->h, 5000);
	sqlite3_extended_result_codes(db->h, 1);
	if (db_exec(db, "PRAGMA journal_mode = WAL") != 0 ||
	    db_exec(db, "PRAGMA synchronous = FULL") != 0 ||
	    db_exec(db, "PRAGMA foreign_keys = ON") != 0 ||
	    db_exec(db, "PRAGMA trusted_schema = OFF") != 0) {
		snprintf(err, errlen, "%s: %s", path, sqlite3_errmsg(db->h));
		goto fail;
	}
	if (migrate(db, err, errlen) != 0)
		goto fail;
	return db;
fail:
	db_close(db);
	return NULL;
}

void
db_close(struct db *db)
{
	size_t i;

	if (db == NULL)
		return;
	for (i = 0; i < STMT_SLOTS; i++)
		sqlite3_finalize(db->slots[i].st);
	sqlite3_close_v2(db->h);
	free(db);
}

sqlite3 *
db_handle(struct db *db)
{
	return db->h;
}

sqlite3_stmt *
db_prepare(struct db *db, const char *sql)
{
	size_t i, h = ((uintptr_t)sql >> 3) % STMT_SLOTS;

	for (i = 0; i < STMT_SLOTS; i++, h = (h + 1) % STMT_SLOTS) {
		struct stmt_slot *s = &db->slots[h];

		if (s->sql == sql)
			return s->st;
		if (s->sql != NULL)
			continue;
		if (sqlite3_prepare_v3(db->h, sql, -1, SQLITE_PREPARE_PERSISTENT, &s->st,
		    NULL) != SQLITE_OK) {
			log_error("db: prepare: %s: %s", sqlite3_errmsg(db->h), sql);
			s->st = NULL;
			return NULL;
		}
		s->sql = sql;
		return s->st;
	}
	log_error("db: statement cache full");
	return NULL;
}

void
db_done(sqlite3_stmt *st)
{
	if (st == NULL)
		return;
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
}

int
db_begin(struct db *db)
{
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	int i, rc = SQLITE_OK;

	for (i = 0; i < BUSY_TRIES; i++) {
		rc = sqlite3_exec(db->h, "BEGIN IMMEDIATE", NULL, NULL, NULL);
		if (rc == SQLITE_OK)
			return 0;
		if ((rc & 0xff) != SQLITE_BUSY && (rc & 0xff) != SQLITE_LOCKED)
			break;
		nanosleep(&ts, NULL);
	}
	log_error("db: BEGIN IMMEDIATE: %s", sqlite3_errstr(rc));
	return -1;
}

int
db_commit(struct db *db)
{
	int rc = sqlite3_exec(db->h, "COMMIT", NULL, NULL, NULL);

	if (rc != SQLITE_OK) {
		log_error("db: COMMIT: %s", sqlite3_errmsg(db->h));
		db_rollback(db);
		return -1;
	}
	return 0;
}

void
db_rollback(struct db *db)
{
	if (!sqlite3_get_autocommit(db->h))
		sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
}

int
db_bind_text(sqlite3_stmt *st, int i, const char *s)
{
	return s == NULL ? sqlite3_bind_null(st, i) :
	    sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
}

const char *
db_col_text(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	return t ? (const char *)t : "";
}

/* Per-thread connections. */
static char thread_db_path[1024];
static pthread_key_t thread_key;
static pthread_once_t thread_once = PTHREAD_ONCE_INIT;

static void
thread_destroy(void *p)
{
	db_close(p);
}

static void
thread_key_make(void)
{
	pthread_key_create(&thread_key, thread_destroy);
}

int
db_thread_init(const char *path)
{
	if (strlen(path) >= sizeof(thread_db_path))
		return -1;
	memcpy(thread_db_path, path, strlen(path) + 1);
	pthread_once(&thread_once, thread_key_make);
	return 0;
}

struct db *
db_thread(void)
{
	struct db *db;
	char err[512];

	pthread_once(&thread_once, thread_key_make);
	if ((db = pthread_getspecific(thread_key)) != NULL)
		return db;
	if ((db = db_open(thread_db_path, 0, err, sizeof(err))) == NULL) {
		log_error("db: %s", err);
		return NULL;
	}
	pthread_setspecific(thread_key, db);
	return db;
}

void
db_thread_close(void)
{
	struct db *db;

	pthread_once(&thread_once, thread_key_make);
	if ((db = pthread_getspecific(thread_key)) != NULL) {
		pthread_setspecific(thread_key, NULL);
		db_close(db);
	}
}
