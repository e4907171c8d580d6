/* Staff accounts: creation, disabling (which ends their sessions), scope, and password
 * login with lockout and backoff. Each change writes its audit record in its transaction. */
#ifndef AUTH_STAFF_H
#define AUTH_STAFF_H

#include <stddef.h>
#include <stdint.h>

#include "auth/password.h"
#include "auth/roles.h"
#include "auth/session.h"
#include "errors.h"

struct db;
struct config;
struct actor;

struct staff_scope {
	size_t		 noffices;
	const char	*offices[SCOPE_MAX];
	size_t		 ndepartments;
	const char	*departments[SCOPE_MAX];
};

/* err receives a sentence naming what was wrong with the input. */
enum err staff_add(struct db *db, const struct config *cfg, const struct actor *who,
	    enum role role, const char *username, const char *display_name,
	    const char *password, const struct staff_scope *scope, char *msg, size_t msglen);
int	staff_exists(struct db *db, const char *username);
enum err staff_set_disabled(struct db *db, const struct actor *who, const char *username,
	    int disabled, char *msg, size_t msglen);
enum err staff_set_scope(struct db *db, const struct actor *who, const char *username,
	    const struct staff_scope *scope, char *msg, size_t msglen);
enum err staff_set_password(struct db *db, const struct config *cfg, const struct actor *who,
	    const char *username, const char *password, char *msg, size_t msglen);

/* Password login. On ERR_OK a session is opened and *role set. ERR_BAD_CREDENTIALS for a
 * wrong pair, an unknown user or a disabled account (one answer for all); ERR_LOCKED while
 * this client address has failed too often for this name (known or not), with
 * *retry_after in seconds; ERR_RATE_LIMITED (*retry_after 1) while every password-hash
 * slot is busy (limits.h). */
enum err staff_login(struct db *db, const struct config *cfg, const char *username,
	    const char *password, const char *ip, struct session_new *out, enum role *role,
	    int64_t *retry_after);

/* The same login in three steps, so the server can run the password hash away from its
 * connection threads (http.h, req_offload): begin reads the lockout and the account (no
 * transaction; ERR_OK means the hash is to be computed), kdf computes it (no database,
 * any thread; wipes the password), finish records the failure or opens the session. */
struct staff_login_job {
	char		 key[160];
	char		 username[65];
	char		 password[PASSWORD_MAX + 1];
	char		 ip[64];
	char		 hash[PASSWORD_HASH_MAX];
	int64_t		 user_id;
	enum role	 role;
	int		 found, disabled, log2n, ok, done;
};
enum err staff_login_begin(struct db *db, const struct config *cfg, const char *username,
	    const char *password, const char *ip, struct staff_login_job *j,
	    int64_t *retry_after);
void	staff_login_kdf(struct staff_login_job *j);
enum err staff_login_finish(struct db *db, const struct config *cfg,
	    struct staff_login_job *j, struct session_new *out, enum role *role);
/* Wipes and frees a heap job (a stream_free for struct req). */
void	staff_login_job_free(void *j);

#endif
