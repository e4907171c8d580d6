/* The static route table: a path that matches with the wrong method is 405, no match 404.
 * Patterns match segment by segment; "{}" captures one percent-decoded segment and a final
 * "{*}" the decoded rest of the path. */
#include "http/http.h"

#include <string.h>

#include "http/handlers.h"
#include "http/handlers_pages.h"
#include "http/page.h"

#define STAFF	(ROLE_BIT(ROLE_DDO) | ROLE_BIT(ROLE_HOD) | ROLE_BIT(ROLE_ADMIN_SECRETARY) | \
		 ROLE_BIT(ROLE_FINANCE) | ROLE_BIT(ROLE_AUDITOR) | ROLE_BIT(ROLE_ADMIN))
#define ADMIN	ROLE_BIT(ROLE_ADMIN)
#define AUDITOR	ROLE_BIT(ROLE_AUDITOR)
#define EMPLOYEE	ROLE_BIT(ROLE_EMPLOYEE)
#define DDO	ROLE_BIT(ROLE_DDO)
#define HOD	ROLE_BIT(ROLE_HOD)
#define FINANCE	ROLE_BIT(ROLE_FINANCE)
#define CERTIFIER (ROLE_BIT(ROLE_DDO) | ROLE_BIT(ROLE_HOD) | ROLE_BIT(ROLE_ADMIN_SECRETARY))
#define PAGE	R_PAGE
#define FORM	(R_PAGE | R_FORM)
#define FORM_BODY	PAGE_BODY_FORM

static const struct route routes[] = {
	{ "GET",  "/healthz", h_healthz, R_PUBLIC, 0, 0 },
	{ "GET",  "/ca.pem", h_ca_pem, R_PUBLIC, 0, 0 },
	{ "GET",  "/crl", h_crl, R_PUBLIC, 0, 0 },
	{ "POST", "/api/v1/otp/request", h_otp_request, R_LIMIT_AUTH, 0, BODY_JSON },
	{ "POST", "/api/v1/otp/verify", h_otp_verify, R_LIMIT_AUTH, 0, BODY_JSON },
	{ "POST", "/api/v1/login", h_login, R_LIMIT_AUTH, 0, BODY_JSON },
	{ "POST", "/api/v1/logout", h_logout, R_AUTH, 0, BODY_JSON },
	{ "GET",  "/api/v1/me", h_me, R_AUTH, 0, 0 },
	{ "GET",  "/api/v1/employees/{}", h_employee_get, R_AUTH, 0, 0 },
	{ "POST", "/api/v1/employees/{}/certification", h_employee_certify, R_AUTH, CERTIFIER,
	    BODY_UPLOAD, h_employee_certify_start, h_upload_chunk },
	{ "POST", "/api/v1/cases/{}/documents", h_upload, R_AUTH,
	    ROLE_BIT(ROLE_EMPLOYEE), BODY_UPLOAD, h_upload_start, h_upload_chunk },
	{ "GET",  "/api/v1/documents/{}", h_document_get, R_AUTH, 0, 0 },
	{ "DELETE", "/api/v1/documents/{}", h_document_delete, R_AUTH, 0, 0 },
	{ "POST", "/api/v1/letters/{}/revoke", h_letter_revoke, R_AUTH,
	    ROLE_BIT(ROLE_HOD) | ADMIN, BODY_JSON },
	{ "GET",  "/api/v1/letters/{*}", h_letter_get, R_AUTH, 0, 0 },
	{ "POST", "/api/v1/verify", h_verify, R_LIMIT_VERIFY, 0, BODY_VERIFY },
	{ "GET",  "/api/v1/audit", h_audit_list, R_AUTH, AUDITOR, 0 },
	{ "GET",  "/api/v1/admin/users", h_admin_users, R_AUTH, ADMIN, 0 },
	{ "POST", "/api/v1/admin/users", h_admin_user_add, R_AUTH, ADMIN, BODY_JSON },
	{ "POST", "/api/v1/admin/users/{}/disable", h_admin_user_disable, R_AUTH, ADMIN, BODY_JSON },
	{ "POST", "/api/v1/admin/users/{}/enable", h_admin_user_enable, R_AUTH, ADMIN, BODY_JSON },
	{ "PUT",  "/api/v1/admin/users/{}/scope", h_admin_user_scope, R_AUTH, ADMIN, BODY_JSON },
	/* cases (h_cases.c, h_posts.c); the domain checks scope, state and window */
	{ "GET",  "/api/v1/cases", h_case_list, R_AUTH, STAFF, 0 },
	{ "GET",  "/api/v1/cases/{}", h_case_get, R_AUTH, 0, 0 },
	{ "PUT",  "/api/v1/cases/{}/service", h_case_service, R_AUTH, EMPLOYEE, BODY_JSON },
	{ "POST", "/api/v1/cases/{}/submit", h_case_submit, R_AUTH, EMPLOYEE, BODY_JSON },
	{ "POST", "/api/v1/cases/{}/verify", h_case_verify, R_AUTH, DDO, BODY_JSON },
	{ "POST", "/api/v1/cases/{}/certification", h_case_certification, R_AUTH, CERTIFIER,
	  BODY_JSON },
	{ "POST", "/api/v1/cases/{}/certify", h_certify, R_AUTH, CERTIFIER, BODY_UPLOAD,
	    h_certify_start, h_upload_chunk },
	{ "POST", "/api/v1/cases/{}/approve", h_case_approve, R_AUTH, HOD, BODY_JSON },
	{ "POST", "/api/v1/cases/{}/reject", h_case_reject, R_AUTH, HOD, BODY_JSON },
	{ "POST", "/api/v1/posts", h_posts_create, R_AUTH, FINANCE, BODY_JSON },
	{ "POST", "/api/v1/approvals", h_approvals, R_AUTH, HOD, BODY_JSON },
	{ "GET",  "/api/v1/dashboard", h_dashboard, R_AUTH, STAFF, 0 },
	{ "GET",  "/api/v1/dashboard/stuck", h_stuck, R_AUTH, CERTIFIER | AUDITOR | ADMIN, 0 },
	{ "GET",  "/api/v1/deadlines", h_deadlines, R_AUTH, 0, 0 },
	{ "POST", "/api/v1/admin/deadlines", h_admin_deadline_extend, R_AUTH, ADMIN, BODY_JSON },
	{ "POST", "/api/v1/admin/export/hkcl", h_admin_export_hkcl, R_AUTH, ADMIN, BODY_JSON },
	/* pages for people (h_pages_*.c, docs/pages.md) */
	{ "GET",  "/", h_page_root, PAGE, 0, 0 },
	{ "GET",  "/static/{}", page_static, PAGE, 0, 0 },
	{ "POST", "/lang", h_page_lang, FORM, 0, FORM_BODY },
	{ "POST", "/login/employee", h_page_otp_request, FORM | R_LIMIT_AUTH, 0, FORM_BODY },
	{ "GET",  "/login/otp", h_page_otp, PAGE, 0, 0 },
	{ "POST", "/login/otp", h_page_otp_verify, FORM | R_LIMIT_AUTH, 0, FORM_BODY },
	{ "POST", "/login/staff", h_page_staff_login, FORM | R_LIMIT_AUTH, 0, FORM_BODY },
	{ "POST", "/logout", h_page_logout, R_AUTH | FORM, 0, FORM_BODY },
	{ "GET",  "/home", h_page_home, R_AUTH | PAGE, 0, 0 },
	{ "GET",  "/find", h_page_find, R_AUTH | PAGE, STAFF, 0 },
	{ "GET",  "/cases/{}", h_page_case, R_AUTH | PAGE, 0, 0 },
	{ "POST", "/cases/{}/documents", h_page_upload, R_AUTH | FORM, EMPLOYEE, BODY_UPLOAD,
	    h_upload_start, h_upload_chunk },
	{ "POST", "/documents/{}/delete", h_page_document_delete, R_AUTH | FORM, EMPLOYEE,
	    FORM_BODY },
	{ "POST", "/cases/{}/service", h_page_case_service, R_AUTH | FORM, EMPLOYEE, FORM_BODY },
	{ "POST", "/cases/{}/submit", h_page_case_submit, R_AUTH | FORM, EMPLOYEE, FORM_BODY },
	{ "POST", "/cases/{}/verify", h_page_case_verify, R_AUTH | FORM, DDO, FORM_BODY },
	{ "POST", "/cases/{}/certify", h_page_certify, R_AUTH | FORM, CERTIFIER, BODY_UPLOAD,
	    h_certify_start, h_upload_chunk },
	{ "POST", "/cases/{}/approve", h_page_case_approve, R_AUTH | FORM, HOD, FORM_BODY },
	{ "GET",  "/cases/{}/letter-preview", h_page_letter_preview, R_AUTH | PAGE, HOD, 0 },
	{ "POST", "/cases/{}/reject", h_page_case_reject, R_AUTH | FORM, HOD, FORM_BODY },
	{ "POST", "/approve", h_page_approve_many, R_AUTH | FORM, HOD, FORM_BODY },
	{ "POST", "/posts", h_page_posts, R_AUTH | FORM, FINANCE, FORM_BODY },
	{ "GET",  "/documents/{}/view", h_page_document_view, R_AUTH | PAGE, 0, 0 },
	{ "GET",  "/employees/{}", h_page_employee, R_AUTH | PAGE, STAFF, 0 },
	{ "POST", "/employees/{}/certify", h_page_employee_certify, R_AUTH | FORM, CERTIFIER,
	    BODY_UPLOAD, h_employee_certify_start, h_upload_chunk },
	{ "GET",  "/stuck", h_page_stuck, R_AUTH | PAGE, CERTIFIER | AUDITOR | ADMIN, 0 },
	{ "GET",  "/verify", h_page_verify, PAGE, 0, 0 },
	{ "POST", "/verify", h_page_verify_post, FORM | R_LIMIT_VERIFY, 0, BODY_VERIFY, h_page_verify_start,
	    h_page_verify_chunk },
	{ "GET",  "/verify/{*}", h_page_verify_ref, PAGE | R_LIMIT_VERIFY, 0, 0 },
	{ "POST", "/revoke", h_page_revoke, R_AUTH | FORM, ROLE_BIT(ROLE_HOD) | ADMIN, FORM_BODY },
	{ "GET",  "/audit", h_page_audit, R_AUTH | PAGE, AUDITOR, 0 },
	{ "GET",  "/admin/users", h_page_users, R_AUTH | PAGE, ADMIN, 0 },
	{ "POST", "/admin/users", h_page_user_add, R_AUTH | FORM, ADMIN, FORM_BODY },
	{ "POST", "/admin/users/{}/disable", h_page_user_disable, R_AUTH | FORM, ADMIN, FORM_BODY },
	{ "POST", "/admin/users/{}/enable", h_page_user_enable, R_AUTH | FORM, ADMIN, FORM_BODY },
	{ "POST", "/admin/users/{}/scope", h_page_user_scope, R_AUTH | FORM, ADMIN, FORM_BODY },
	{ "POST", "/admin/users/{}/password", h_page_user_password, R_AUTH | FORM, ADMIN,
	    FORM_BODY },
	{ "GET",  "/admin/deadlines", h_page_deadlines, R_AUTH | PAGE, ADMIN, 0 },
	{ "POST", "/admin/deadlines", h_page_deadline_extend, R_AUTH | FORM, ADMIN, FORM_BODY },
	{ "GET",  "/admin/offices", h_page_offices, R_AUTH | PAGE, ADMIN, 0 },
	{ "POST", "/admin/offices", h_page_office_put, R_AUTH | FORM, ADMIN, FORM_BODY },
	{ "GET",  "/admin/imports", h_page_imports, R_AUTH | PAGE, ADMIN, 0 },
	{ "POST", "/admin/imports", h_page_import, R_AUTH | FORM, ADMIN,
	    PAGE_BODY_IMPORT + MULTIPART_SLACK, h_page_import_start, h_page_import_chunk },
};

/* Compare the path to a pattern; on a match fill r's args. 1 match, 0 not, -1 bad escape. */
static int
match(const char *pattern, const char *path, struct req *r)
{
	const char *p = pattern, *u = path;
	size_t n = 0;

	while (*p != '\0') {
		const char *pe, *ue;

		if (*p != '/' || *u != '/')
			return 0;
		p++;
		u++;
		pe = strchr(p, '/');
		if (pe == NULL)
			pe = p + strlen(p);
		ue = strchr(u, '/');
		if (ue == NULL)
			ue = u + strlen(u);
		if (pe - p == 3 && strncmp(p, "{*}", 3) == 0) {
			ue = u + strlen(u);
			if (ue == u || n >= ARG_MAX)
				return 0;
			if (http_decode(u, (size_t)(ue - u), r->args[n++], ARG_LEN, 0) != 0)
				return -1;
		} else if (pe - p == 2 && strncmp(p, "{}", 2) == 0) {
			if (ue == u || n >= ARG_MAX)
				return 0;
			if (http_decode(u, (size_t)(ue - u), r->args[n++], ARG_LEN, 0) != 0)
				return -1;
		} else if (pe - p != ue - u || strncmp(p, u, (size_t)(pe - p)) != 0)
			return 0;
		p = pe;
		u = ue;
	}
	if (*u != '\0')
		return 0;
	r->nargs = n;
	return 1;
}

const struct route *
routes_match(const char *method, const char *url, struct req *r, int *method_mismatch,
    int *bad_escape)
{
	char path[2048];
	const char *q = strchr(url, '?');
	size_t i, len = q ? (size_t)(q - url) : strlen(url);
	int m;

	*method_mismatch = *bad_escape = 0;
	if (len >= sizeof(path))
		return NULL;
	memcpy(path, url, len);
	path[len] = '\0';
	for (i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		if ((m = match(routes[i].pattern, path, r)) < 0) {
			*bad_escape = 1;
			return NULL;
		}
		if (m == 0)
			continue;
		if (strcmp(routes[i].method, method) == 0 ||
		    (strcmp(method, "HEAD") == 0 && strcmp(routes[i].method, "GET") == 0))
			return &routes[i];
		*method_mismatch = 1;
	}
	return NULL;
}
