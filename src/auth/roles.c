#include "auth/roles.h"

#include <stdio.h>
#include <string.h>

static const char *const names[ROLE__MAX] = {
	[ROLE_NONE] = "none",
	[ROLE_EMPLOYEE] = "employee",
	[ROLE_DDO] = "ddo",
	[ROLE_HOD] = "hod",
	[ROLE_ADMIN_SECRETARY] = "admin_secretary",
	[ROLE_FINANCE] = "finance",
	[ROLE_AUDITOR] = "auditor",
	[ROLE_ADMIN] = "admin",
};

const char *
role_name(enum role r)
{
	return r > ROLE_NONE && r < ROLE__MAX ? names[r] : "none";
}

enum role
role_parse_staff(const char *s)
{
	int r;

	if (s == NULL)
		return ROLE_NONE;
	for (r = ROLE_DDO; r < ROLE__MAX; r++)
		if (strcmp(s, names[r]) == 0)
			return (enum role)r;
	return ROLE_NONE;
}

void
principal_actor(const struct principal *p, char *out, size_t outlen)
{
	if (p->role == ROLE_EMPLOYEE)
		snprintf(out, outlen, "employee:%s", p->employee_id);
	else
		snprintf(out, outlen, "%s", p->username);
}

static int
holds(const char list[][CODE_MAX], size_t n, const char *code)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(list[i], code) == 0)
			return 1;
	return 0;
}

int
scope_sees_employee(const struct principal *p, const char *employee_id,
    const char *office_code, const char *department_code)
{
	switch (p->role) {
	case ROLE_EMPLOYEE:
		return strcmp(p->employee_id, employee_id) == 0;
	case ROLE_DDO:
		return holds(p->offices, p->noffices, office_code);
	case ROLE_HOD:
	case ROLE_ADMIN_SECRETARY:
		return holds(p->departments, p->ndepartments, department_code);
	case ROLE_FINANCE:
	case ROLE_AUDITOR:
	case ROLE_ADMIN:
		return 1;
	default:
		return 0;
	}
}

int
scope_sees_documents(const struct principal *p, const char *employee_id,
    const char *office_code, const char *department_code)
{
	/* Finance creates posts from case states and counts; an employee's papers are not
	 * theirs to read (SECURITY.md: finance all departments, for posts). */
	if (p->role == ROLE_FINANCE)
		return 0;
	return scope_sees_employee(p, employee_id, office_code, department_code);
}
