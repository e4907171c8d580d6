/* The audit log: every state change writes a record in the same transaction as the change.
 * Records are hash-chained: hash = SHA-256(prev_hash || canonical record), so an edit,
 * deletion or reordering made directly in the database file is found by audit_verify().
 * The chain head (last id and hash) is also kept in meta, so dropping the newest records
 * is found as well. No secret (OTP, password, token, key) ever goes into a record. */
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

/* Appends r; call inside a transaction (db_begin). 0 ok. */
int	audit_append(struct db *db, const struct audit_rec *r);

enum audit_verdict { AUDIT_INTACT = 0, AUDIT_BROKEN = 1, AUDIT_ERROR = -1 };
/* Walks the chain. On AUDIT_BROKEN, *bad_id is the first bad record (or the id after the
 * last one when records were dropped from the end) and why says what is wrong. *count is
 * the number of records checked. */
enum audit_verdict audit_verify(struct db *db, int64_t *bad_id, int64_t *count, char *why,
	    size_t whylen);

#endif
