#include "letters/case_letter.h"

#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "db/db.h"
#include "util/strict.h"

static const char SQL_NAMES[] =
    "SELECT d.name, o.name, o.district FROM offices o JOIN departments d"
    " ON d.code = o.department_code WHERE o.code = ?1";
static const char SQL_HOD[] = "SELECT display_name FROM users WHERE username = ?1";

int
letter_for_case(struct db *db, const struct case_view *cv, char ref_out[64], void *argp)
{
	struct letter_case_arg *arg = argp;
	char dept[201] = "", office[201] = "", district[101] = "", hod[129] = "",
	    hod_title[260], ref[LETTER_REF_MAX];
	struct letter_facts f;
	sqlite3_stmt *st;
	int32_t eff;
	enum err e;

	if ((st = db_prepare(db, SQL_NAMES)) == NULL)
		return -1;
	db_bind_text(st, 1, cv->emp.office_code);
	if (sqlite3_step(st) == SQLITE_ROW) {
		snprintf(dept, sizeof(dept), "%s", db_col_text(st, 0));
		snprintf(office, sizeof(office), "%s", db_col_text(st, 1));
		snprintf(district, sizeof(district), "%s", db_col_text(st, 2));
	}
	db_done(st);
	if ((st = db_prepare(db, SQL_HOD)) == NULL)
		return -1;
	db_bind_text(st, 1, cv->approver);
	if (sqlite3_step(st) == SQLITE_ROW)
		snprintf(hod, sizeof(hod), "%s", db_col_text(st, 0));
	db_done(st);
	if (dept[0] == '\0' || hod[0] == '\0' || strict_date(cv->post.effective_date, &eff) != 0) {
		snprintf(arg->msg, sizeof(arg->msg), "The letter's facts are incomplete "
		    "(department, office, HoD or post).");
		return -1;
	}
	snprintf(hod_title, sizeof(hod_title), "Head of Department, %s", dept);
	memset(&f, 0, sizeof(f));
	f.employee_name = cv->emp.name;
	f.employee_id = cv->emp.id;
	f.family_id = cv->emp.family_id;
	f.department = dept;
	f.office = office;
	f.district = district;
	f.designation = cv->post.designation;
	f.pay_level = cv->post.pay_level;
	f.effective_date = eff;
	f.entry_pay = (int)cv->outcome.entry_pay;
	f.band_percent = (int)cv->outcome.band_percent;
	f.qualifying_years = (int)cv->outcome.qualifying_years;
	f.additional_remuneration = (int)cv->outcome.additional;
	f.consolidated = (int)cv->outcome.consolidated;
	f.hod_name = hod;
	f.hod_designation = hod_title;
	e = letter_store_issue(db, arg->env, arg->actor, cv->approver, cv->post.department_code,
	    &f, ref, arg->msg, sizeof(arg->msg));
	if (e != ERR_OK)
		return -1;
	snprintf(ref_out, 64, "%s", ref);
	return 0;
}
