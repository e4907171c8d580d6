#include "auth/provision.h"

#include <limits.h>
#include <stdio.h>

#include "config.h"
#include "letters/pki.h"
#include "util/fsx.h"
#include "util/strict.h"

enum err
staff_create(struct db *db, const struct config *cfg, const struct actor *who,
    enum role role, const char *username, const char *display_name, const char *password,
    const struct staff_scope *scope, char *msg, size_t msglen)
{
	char keys[PATH_MAX];
	int pr;

	msg[0] = '\0';
	if (staff_exists(db, username)) {
		snprintf(msg, msglen, "user '%s' exists already", username);
		return ERR_EXISTS;
	}
	/* The key comes first: a key without an account is replaced when the account is made
	 * again; an account without its key could not sign. */
	if (role == ROLE_HOD && strict_username(username) == 0 &&
	    strict_text(display_name, 128) == 0) {
		if (fsx_join(keys, sizeof(keys), cfg->data_dir, "keys") != 0)
			return ERR_INTERNAL;
		pki_set_crl_base_url(cfg->base_url);
		/* in the server the CA key is offline: the operator issues the certificate with
		 * `suraksha hod issue` (or imports the HoD's own PKCS#12) */
		if ((pr = pki_issue_hod(keys, username, display_name, 0)) != PKI_OK &&
		    pr != PKI_ERR_OFFLINE) {
			snprintf(msg, msglen, "cannot issue the HoD's signing certificate: %s",
			    pki_strerror(pr));
			return ERR_INTERNAL;
		}
	}
	return staff_add(db, cfg, who, role, username, display_name, password, scope, msg,
	    msglen);
}
