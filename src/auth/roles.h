/* Roles and the principal: who is acting, with what scope. Scope on every object
 * (SECURITY.md): an employee sees only their case; a DDO only their offices; a HoD and an
 * administrative secretary only their department; finance all departments (for posts);
 * auditors read everything and change nothing; admins manage accounts and master data. */
#ifndef AUTH_ROLES_H
#define AUTH_ROLES_H

#include <stddef.h>
#include <stdint.h>

enum role {
	ROLE_NONE = 0,
	ROLE_EMPLOYEE,
	ROLE_DDO,
	ROLE_HOD,
	ROLE_ADMIN_SECRETARY,
	ROLE_FINANCE,
	ROLE_AUDITOR,
	ROLE_ADMIN,
	ROLE__MAX
};

#define SCOPE_MAX	32	/* offices or departments one staff account may hold */
#define CODE_MAX	33	/* codes and ids: 32 characters and a NUL */

struct principal {
	enum role	 role;
	int64_t		 user_id;		/* staff; 0 for an employee */
	char		 username[65];		/* staff */
	char		 employee_id[CODE_MAX];	/* employee */
	size_t		 noffices;
	char		 offices[SCOPE_MAX][CODE_MAX];
	size_t		 ndepartments;
	char		 departments[SCOPE_MAX][CODE_MAX];
};

const char *role_name(enum role r);
/* ROLE_NONE when s names no staff role (employee is not a staff role). */
enum role role_parse_staff(const char *s);
/* The actor name used in audit records: the username, or "employee:<id>". */
void	principal_actor(const struct principal *p, char *out, size_t outlen);

/* May p see the case of an employee in this office and department? (read access) */
int	scope_sees_employee(const struct principal *p, const char *employee_id,
	    const char *office_code, const char *department_code);
/* Whether p may read the employee's documents: as scope_sees_employee, less finance. */
int	scope_sees_documents(const struct principal *p, const char *employee_id,
	    const char *office_code, const char *department_code);

#endif
