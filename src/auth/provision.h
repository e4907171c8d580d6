/* Creating a staff account with what its role needs beyond the database row: a HoD gets a
 * signing key and certificate issued by the portal CA (SIGNING.md, "Keys and who signs"). */
#ifndef AUTH_PROVISION_H
#define AUTH_PROVISION_H

#include "auth/staff.h"

enum err staff_create(struct db *db, const struct config *cfg, const struct actor *who,
	    enum role role, const char *username, const char *display_name,
	    const char *password, const struct staff_scope *scope, char *msg, size_t msglen);

#endif
