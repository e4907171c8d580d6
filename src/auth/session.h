/* Sessions: 128-bit random tokens, stored only as their SHA-256; a CSRF token bound to each;
 * idle and absolute timeouts; ended by logout and by disabling the account. */
#ifndef AUTH_SESSION_H
#define AUTH_SESSION_H

#include <stdint.h>

#include "auth/roles.h"

struct db;
struct config;

#define TOKEN_HEX	33	/* 16 bytes as hex, NUL */
#define CSRF_HEX	33

struct session_new {
	char	 token[TOKEN_HEX];
	char	 csrf[CSRF_HEX];
	int64_t	 expires_at;
};

/* Opens a session for a staff user (user_id > 0) or an employee (employee_id). Call
 * inside a transaction. 0 ok. */
int	session_create(struct db *db, const struct config *cfg, int64_t user_id,
	    const char *employee_id, const char *ip, struct session_new *out);

enum session_status { SESSION_OK, SESSION_NONE, SESSION_ERROR };
/* Looks up a token and fills p (role, scope) and csrf. Expired sessions are NONE. */
enum session_status session_lookup(struct db *db, const struct config *cfg,
	    const char *token, struct principal *p, char csrf[CSRF_HEX], int64_t *expires_at);
/* Ends one session (by token); 0 ok. */
int	session_end(struct db *db, const char *token);
/* Ends every session of a staff user; 0 ok. */
int	session_end_user(struct db *db, int64_t user_id);
/* Loads role and scope of a staff user into p; 0 ok, -1 not found or disabled. */
int	principal_load_staff(struct db *db, int64_t user_id, struct principal *p);

#endif
