/* The master list as the admin page shows it: every department with its offices and their
 * DDO codes (the drop-down the portal relies on). */
#include "import/master.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "db/db.h"

static const char SQL_MASTER[] =
    "SELECT d.code, d.name, o.code, o.name, o.ddo_code, o.district FROM departments d"
    " LEFT JOIN offices o ON o.department_code = d.code ORDER BY d.code, o.code";

json_t *
master_list_json(struct db *db)
{
	json_t *depts = json_array(), *cur = NULL;
	sqlite3_stmt *st;
	const char *last = NULL;
	char lastbuf[64] = "";
	int rc;

	if (depts == NULL || (st = db_prepare(db, SQL_MASTER)) == NULL) {
		json_decref(depts);
		return NULL;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *code = db_col_text(st, 0);

		if (last == NULL || strcmp(code, lastbuf) != 0) {
			snprintf(lastbuf, sizeof(lastbuf), "%s", code);
			last = lastbuf;
			cur = json_array();
			json_array_append_new(depts, json_pack("{s:s, s:s, s:o}", "code", code,
			    "name", db_col_text(st, 1), "offices", cur));
		}
		if (sqlite3_column_type(st, 2) != SQLITE_NULL)
			json_array_append_new(cur, json_pack("{s:s, s:s, s:s, s:s}", "code",
			    db_col_text(st, 2), "name", db_col_text(st, 3), "ddo_code",
			    db_col_text(st, 4), "district", db_col_text(st, 5)));
	}
	db_done(st);
	if (rc != SQLITE_DONE) {
		json_decref(depts);
		return NULL;
	}
	return depts;
}
