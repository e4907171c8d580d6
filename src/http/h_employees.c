#include "http/handlers.h"

#include "db/db.h"
#include "import/master.h"

/* The employee's master data; out of scope is 404, as if it did not exist. */
enum MHD_Result
h_employee_get(struct req *r)
{
	struct employee e;
	struct db *db = db_thread();

	if (db == NULL)
		return reply_error(r, ERR_UNAVAILABLE, NULL);
	if (employee_get(db, r->args[0], &e) != 0 ||
	    !scope_sees_employee(&r->who, e.id, e.office_code, e.department_code))
		return reply_error(r, ERR_NOT_FOUND, NULL);
	return reply_json(r, 200, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s,"
	    " s:s, s:I, s:s, s:s, s:I, s:s, s:s}", "employee_id", e.id, "name", e.name,
	    "father_name", e.father_name, "dob", e.dob, "gender", e.gender, "mobile", e.mobile,
	    "family_id", e.family_id, "department_code", e.department_code, "office_code",
	    e.office_code, "designation", e.designation, "pay_level", (json_int_t)e.pay_level,
	    "engagement_mode", e.engagement_mode, "head_of_account", e.head_of_account,
	    "monthly_remuneration", (json_int_t)e.monthly_remuneration, "joining_date",
	    e.joining_date, "source", e.source));
}
