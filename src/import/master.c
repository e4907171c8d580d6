#include "import/master.h"

#include <stdio.h>
#include <string.h>

#include "db/db.h"

static const char SQL_EMPLOYEE[] =
    "SELECT id, name, father_name, dob, gender, mobile, family_id, department_code,"
    " office_code, designation, pay_level, engagement_mode, head_of_account,"
    " monthly_remuneration, joining_date, source FROM employees WHERE id = ?1";

#define COPY(dst, i) snprintf((dst), sizeof(dst), "%s", db_col_text(st, (i)))

int
employee_get(struct db *db, const char *id, struct employee *e)
{
	sqlite3_stmt *st = db_prepare(db, SQL_EMPLOYEE);
	int rc = -1;

	if (st == NULL)
		return -1;
	db_bind_text(st, 1, id);
	if (sqlite3_step(st) == SQLITE_ROW) {
		COPY(e->id, 0);
		COPY(e->name, 1);
		COPY(e->father_name, 2);
		COPY(e->dob, 3);
		COPY(e->gender, 4);
		COPY(e->mobile, 5);
		COPY(e->family_id, 6);
		COPY(e->department_code, 7);
		COPY(e->office_code, 8);
		COPY(e->designation, 9);
		e->pay_level = sqlite3_column_int64(st, 10);
		COPY(e->engagement_mode, 11);
		COPY(e->head_of_account, 12);
		e->monthly_remuneration = sqlite3_column_int64(st, 13);
		COPY(e->joining_date, 14);
		COPY(e->source, 15);
		rc = 0;
	}
	db_done(st);
	return rc;
}
