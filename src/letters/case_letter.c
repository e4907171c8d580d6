#include "letters/case_letter.h"

#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "db/db.h"
#include "util/strict.h"
#include "util/timeutil.h"

static const char SQL_NAMES[] =
    "SELECT d.name, o.name, o.district FROM offices o JOIN departments d"
    " ON d.code = o.department_code WHERE o.code = ?1";
static const char SQL_HOD[] = "SELECT display_name FROM users WHERE username = ?1";

/* The letter's facts of a case (names from the master data, the HoD's display name);
 * the buffers hold the strings f points at. 0 ok; -1 with a reason in msg. */
struct case_names {
	char	dept[201], office[201], district[101], hod[129], hod_title[260];
};

static int
case_facts(struct db *db, const struct case_view *cv, struct case_names *n,
    struct letter_facts *f, char *msg, size_t msglen)
{
	sqlite3_stmt *st;
	int32_t eff;

	memset(n, 0, sizeof(*n));
	if ((st = db_prepare(db, SQL_NAMES)) == NULL)
		return -1;
	db_bind_text(st, 1, cv->emp.office_code);
	if (sqlite3_step(st) == SQLITE_ROW) {
		snprintf(n->dept, sizeof(n->dept), "%s", db_col_text(st, 0));
		snprintf(n->office, sizeof(n->office), "%s", db_col_text(st, 1));
		snprintf(n->district, sizeof(n->district), "%s", db_col_text(st, 2));
	}
	db_done(st);
	if ((st = db_prepare(db, SQL_HOD)) == NULL)
		return -1;
	db_bind_text(st, 1, cv->approver);
	if (sqlite3_step(st) == SQLITE_ROW)
		snprintf(n->hod, sizeof(n->hod), "%s", db_col_text(st, 0));
	db_done(st);
	if (n->dept[0] == '\0' || n->hod[0] == '\0' ||
	    strict_date(cv->post.effective_date, &eff) != 0) {
		snprintf(msg, msglen, "The letter's facts are incomplete (department, office, HoD "
		    "or post).");
		return -1;
	}
	snprintf(n->hod_title, sizeof(n->hod_title), "Head of Department, %s", n->dept);
	memset(f, 0, sizeof(*f));
	f->employee_name = cv->emp.name;
	f->employee_id = cv->emp.id;
	f->family_id = cv->emp.family_id;
	f->department = n->dept;
	f->office = n->office;
	f->district = n->district;
	f->designation = cv->post.designation;
	f->pay_level = cv->post.pay_level;
	f->effective_date = eff;
	f->entry_pay = (int)cv->outcome.entry_pay;
	f->band_percent = (int)cv->outcome.band_percent;
	f->qualifying_years = (int)cv->outcome.qualifying_years;
	f->additional_remuneration = (int)cv->outcome.additional;
	f->consolidated = (int)cv->outcome.consolidated;
	f->hod_name = n->hod;
	f->hod_designation = n->hod_title;
	return 0;
}

int
letter_for_case(struct db *db, const struct case_view *cv, char ref_out[64], void *argp)
{
	struct letter_case_arg *arg = argp;
	char ref[LETTER_REF_MAX];
	struct letter_facts f;
	struct case_names n;
	enum err e;

	if (case_facts(db, cv, &n, &f, arg->msg, sizeof(arg->msg)) != 0)
		return -1;
	e = letter_store_issue(db, arg->env, arg->actor, cv->approver, cv->post.department_code,
	    &f, ref, arg->msg, sizeof(arg->msg));
	if (e != ERR_OK)
		return -1;
	snprintf(ref_out, 64, "%s", ref);
	return 0;
}

int
letter_preview_for_case(struct db *db, const struct case_view *cv, char ref_out[64],
    void *argp)
{
	struct letter_preview_arg *arg = argp;
	struct letter_layout layout;
	struct letter_facts f;
	struct case_names n;
	char ref[LETTER_REF_MAX];

	if (case_facts(db, cv, &n, &f, arg->msg, sizeof(arg->msg)) != 0)
		return -1;
	/* the reference is given at signing; the preview says so in its place */
	snprintf(ref, sizeof(ref), "HR/SOS/%s/PREVIEW-NOT-ISSUED", cv->post.department_code);
	f.ref = ref;
	f.issued_at = time_now();
	f.verify_base_url = arg->env->base_url;
	if (letter_render(&arg->env->cfg, &f, &arg->pdf, &layout) != LETTER_OK) {
		snprintf(arg->msg, sizeof(arg->msg), "The letter could not be laid out.");
		return -1;
	}
	snprintf(ref_out, 64, "%s", ref);
	return 0;
}
