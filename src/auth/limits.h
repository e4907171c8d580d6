/* Cheap refusals before expensive work (SECURITY.md, issue 11).
 *
 * Two kinds of counters behind one interface:
 *  - request buckets (limit_take): a token bucket per client address and one for all
 *    addresses, per class of route, kept in a fixed table in this process. They run on
 *    every login, OTP and verify request before any database write or key derivation, so
 *    they must cost nothing under a flood: a database-backed counter would take SQLite's
 *    write lock per request and become the flood's bottleneck itself. The table is bounded
 *    (LIMIT_SLOTS per class); when full, the fullest bucket (one that has refilled, so
 *    forgetting it loses nothing) or else the least recently used is reused. A fleet of
 *    servers (issue 15) needs shared buckets: only limits.c changes behind this interface.
 *  - event counters (limit_events_*): keyed, timestamped rows in the rate_events table,
 *    for what must survive a restart and be shared across servers: OTP sends and staff
 *    login failures, written only after the buckets let the request through.
 *  - a cap on concurrent password-hash computations (limit_kdf_enter), so a login flood
 *    that passes the buckets still leaves worker threads for everything else. */
#ifndef AUTH_LIMITS_H
#define AUTH_LIMITS_H

#include <stdint.h>

struct config;
struct db;

enum limit_class {
	LIMIT_AUTH,	/* staff login, OTP request and verify, their pages */
	LIMIT_VERIFY,	/* public letter verification: API and pages */
	LIMIT__MAX
};

#define LIMIT_SLOTS	4096

/* Sizes the buckets from cfg; call once before serving. 0 ok. */
int	limits_init(const struct config *cfg);
/* 0: allowed (a token taken). -1: refused; *retry_after is whole seconds, at least 1.
 * IPv6 addresses count by their /64, which one subscriber usually holds whole. */
int	limit_take(enum limit_class c, const char *ip, int64_t *retry_after);

/* 0: a password-hash slot is held (release with limit_kdf_leave); -1: all are busy. */
int	limit_kdf_enter(void);
void	limit_kdf_leave(void);

/* Events under key since `since` (unix seconds): how many and the newest time. 0 ok. */
int	limit_events_count(struct db *db, const char *key, int64_t since, int64_t *count,
	    int64_t *last);
/* Records one event at now and prunes the key's events older than a day. 0 ok. */
int	limit_events_add(struct db *db, const char *key, int64_t now);
/* Forgets the key's event at `at` (at < 0: every event of the key). 0 ok. */
int	limit_events_forget(struct db *db, const char *key, int64_t at);

#endif
