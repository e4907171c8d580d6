#include "auth/provision.h"

#include <limits.h>
#include <stdio.h>

#include "config.h"
#include "signer/keys.h"
#include "signer/signer.h"
#include "util/strict.h"

enum err
staff_create(struct db *db, const struct config *cfg, const struct actor *who,
    enum role role, const char *username, const char *display_name, const char *password,
    const struct staff_scope *scope, char *msg, size_t msglen)
{
	char label[72];

	msg[0] = '\0';
	if (staff_exists(db, username)) {
		snprintf(msg, msglen, "user '%s' exists already", username);
		return ERR_EXISTS;
	}
	/* The key comes first: a key without an account is replaced when the account is made
	 * again; an account without its key could not sign. Only CLI commands reach the token
	 * and the offline CA: a HoD made by the running server (which has a signer process and
	 * never opens a key) gets no portal-held key; its letters carry the portal seal until
	 * 'suraksha hod issue' (or 'letter hod') issues one or the HoD's own certificate is
	 * imported into the token ('hod import-p12'). */
	if (role == ROLE_HOD && signer_pid() < 0 && strict_username(username) == 0 &&
	    strict_text(display_name, 128) == 0) {
		snprintf(label, sizeof(label), "hod-%s", username);
		if (signer_keys_issue(cfg, label, display_name, 0) != 0) {
			snprintf(msg, msglen, "cannot issue the HoD's signing key and certificate");
			return ERR_INTERNAL;
		}
	}
	return staff_add(db, cfg, who, role, username, display_name, password, scope, msg,
	    msglen);
}
