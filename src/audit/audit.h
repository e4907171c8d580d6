/* The audit log: every state change writes a record in the same transaction as the change.
 * Records are chained with a key the database does not hold (<data>/keys/audit.key):
 * hash = HMAC-SHA256(key, prev_hash || canonical record), so an edit, deletion, reordering
 * or a rewritten and recomputed history made directly in the database file is found by
 * audit_verify(). The chain head is kept in meta and, outside the database, appended to
 * <data>/audit.checkpoints (and carried in the HKCL export), so dropping the newest records
 * or wiping the table is found as well. audit_verify() also checks that every case's state
 * is the one its audit history leaves it in. No secret (OTP, password, token, key) ever
 * goes into a record. */
#ifndef AUDIT_AUDIT_H
#define AUDIT_AUDIT_H

#include <stddef.h>
#include <stdint.h>

struct db;

struct audit_rec {
	const char	*actor;		/* username, "employee:<id>", or "system" */
	const char	*role;
	const char	*action;	/* e.g. "login", "user.add", "case.submit" */
	const char	*case_id;	/* employee id of the case concerned, or NULL */
	const char	*object;	/* what was acted on, e.g. "user:ddo1" */
	const char	*ip;		/* client address, or "cli" */
	const char	*before;	/* JSON or NULL */
	const char	*after;		/* JSON or NULL */
};

/* Who acts, for the records a domain function writes on their behalf. */
struct actor {
	const char	*name;		/* username, "employee:<id>", or "cli:<user>" */
	const char	*role;
	const char	*ip;		/* client address, or "cli" */
};

/* Sets the data folder whose keys/audit.key chains the records; loads the key if there.
 * Called for every command by cli_load_config(). */
void	audit_open(const char *data_dir);

/* Appends r; call inside a transaction (db_begin). 0 ok; -1 also when no key. */
int	audit_append(struct db *db, const struct audit_rec *r);

enum audit_verdict { AUDIT_INTACT = 0, AUDIT_BROKEN = 1, AUDIT_ERROR = -1 };
/* Walks the chain. On AUDIT_BROKEN, *bad_id is the first bad record (or the id after the
 * last one when records were dropped from the end) and why says what is wrong. *count is
 * the number of records checked. */
enum audit_verdict audit_verify(struct db *db, int64_t *bad_id, int64_t *count, char *why,
	    size_t whylen);

/* Appends the current chain head to the checkpoint file if it changed. 0 ok. */
int	audit_checkpoint(struct db *db);
/* Checkpoints now if this process appended records since the last one (every command
 * calls it on the way out). 0 ok. */
int	audit_checkpoint_if_written(void);
/* serve: a thread that checkpoints every interval seconds; stop writes a last one. */
int	audit_checkpointer_start(int64_t interval);
void	audit_checkpointer_stop(void);
/* The newest record's id and hash (0 and "" when none). 0 ok. */
int	audit_head(struct db *db, int64_t *id, char hash[65]);

#endif
