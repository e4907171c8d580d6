/* SQLite: one connection per worker thread with its prepared statements, WAL, foreign
 * keys, synchronous=FULL, numbered migrations at start, BEGIN IMMEDIATE with bounded retry.
 * SQL stays in the module of its entity, as static strings passed to db_prepare(). */
#ifndef DB_DB_H
#define DB_DB_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

struct db;

/* The database file of a data folder: <dir>/suraksha.db. */
int	db_path(const char *data_dir, char *out, size_t outlen);
/* Opens (creating when create is set) and applies pending migrations. NULL on failure
 * with a message in err. The caller owns the result (db_close). */
struct db *db_open(const char *path, int create, char *err, size_t errlen);
void	db_close(struct db *db);
sqlite3	*db_handle(struct db *db);

/* The prepared statement for sql on this connection, prepared on first use. sql must be a
 * string with static storage: its address is the cache key. Reset it with db_done(). NULL
 * on a prepare error (a bug: logged). */
sqlite3_stmt *db_prepare(struct db *db, const char *sql);
void	db_done(sqlite3_stmt *st);

/* Transactions. db_begin retries SQLITE_BUSY a bounded number of times. 0 ok. */
int	db_begin(struct db *db);
int	db_commit(struct db *db);
void	db_rollback(struct db *db);
/* Runs a plain statement (no rows); 0 ok. */
int	db_exec(struct db *db, const char *sql);

/* Helpers for binding and reading text that may be NULL. */
int	db_bind_text(sqlite3_stmt *st, int i, const char *s);
const char *db_col_text(sqlite3_stmt *st, int i);	/* "" for NULL */

/* The per-thread connection to the database set with db_thread_init(); opened on first use
 * and closed when the thread exits. NULL when it cannot be opened. */
int	db_thread_init(const char *path);
struct db *db_thread(void);
void	db_thread_close(void);

int	db_schema_version(struct db *db);

#endif
