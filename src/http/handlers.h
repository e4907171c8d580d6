/* Every handler of the route table (routes.c), one h_<resource>.c per resource. */
#ifndef HTTP_HANDLERS_H
#define HTTP_HANDLERS_H

#include "http/http.h"
#include "cases/case.h"
#include "intake/documents.h"
#include "intake/intake.h"
#include "letters/verify.h"

struct db;

/* h_health.c */
enum MHD_Result h_healthz(struct req *r);
enum MHD_Result h_ca_pem(struct req *r);
/* h_auth.c */
enum MHD_Result h_otp_request(struct req *r);
enum MHD_Result h_otp_verify(struct req *r);
/* Staff login with the password hash offloaded (req_offload). Returns 1 when the request
 * is suspended or already answered (return *res), 0 when done with *e (and on ERR_OK the
 * session s and role). Call again, with the same names, when r->resumed. */
int	login_staff_run(struct req *r, const char *user, const char *pass,
	    struct session_new *s, enum role *role, enum err *e, enum MHD_Result *res);
enum MHD_Result h_login(struct req *r);
enum MHD_Result h_logout(struct req *r);
enum MHD_Result h_me(struct req *r);
/* h_employees.c */
enum MHD_Result h_employee_get(struct req *r);
/* h_documents.c */
enum MHD_Result h_upload_start(struct req *r, int *done);
void	h_upload_chunk(struct req *r, const char *data, size_t len);
enum MHD_Result h_upload(struct req *r);
/* What became of an upload, for the API and the page handler alike: stored (documents),
 * refused by intake (refused, with the refused ZIP entry if any), or another fault. */
struct upload_outcome {
	enum err			 err;
	const char			*detail;
	char				 msg[256];	/* detail may point here */
	const struct intake_code_info	*refused;
	char				 entry[256];
	json_t				*documents;	/* owned by the caller */
};
void	h_upload_finish(struct req *r, struct upload_outcome *o);
enum MHD_Result h_document_get(struct req *r);
enum MHD_Result h_document_delete(struct req *r);
/* POST /api/v1/cases/{id}/certify, multipart fields, remarks, file */
enum MHD_Result h_certify_start(struct req *r, int *done);
enum MHD_Result h_certify(struct req *r);
/* issue 14: POST /api/v1/employees/{id}/certification (multipart fields, remarks, file) */
enum MHD_Result h_employee_certify_start(struct req *r, int *done);
enum MHD_Result h_employee_certify(struct req *r);
/* h_employees.c: the employee with discrepancies (and, after a certification, its id and
 * the certificate stored; doc is taken). */
enum MHD_Result h_employee_reply(struct req *r, unsigned status, int64_t cert_id,
	    json_t *doc);
/* GET /api/v1/dashboard/stuck: who cannot log in (JSON, or CSV with format=csv) */
enum MHD_Result h_stuck(struct req *r);
/* A document the caller may see, opened: *fd is its blob (the caller sends or closes it).
 * ERR_NOT_FOUND out of scope or missing; shared by the API and the page. */
enum err h_document_open(struct req *r, struct document *d, int *fd);
/* The employee deletes a document of their draft case; shared by the API and the page. */
enum err h_document_remove(struct req *r, char *msg, size_t msglen);
/* h_cases.c: the domain context of a request (rules, who, actor). */
void	case_ctx_of(struct req *r, struct db *db, const struct actor *a, struct case_ctx *cx);
/* h_letters.c */
enum MHD_Result h_letter_get(struct req *r);
enum MHD_Result h_letter_revoke(struct req *r);
enum MHD_Result h_verify(struct req *r);
enum MHD_Result h_crl(struct req *r);	/* issue 9 */
/* The verification of POST /api/v1/verify, for the pages too: ERR_OK with rep filled. */
enum err h_verify_bytes(struct req *r, const void *data, size_t len,
	    struct verify_report *rep);
/* h_audit.c */
enum MHD_Result h_audit_list(struct req *r);
/* One page of the log, newest first, filters NULL for any; *next_before is the id to pass
 * as before for the next page (0 at the end). New reference, NULL when the query failed. */
json_t	*h_audit_items(struct db *db, const char *case_id, const char *actor,
	    const char *action, int64_t before, int64_t limit, int64_t *next_before);
/* The page's search: parts of case_id, actor and action (any case; NULL any), records at
 * from <= at < to (Unix seconds); otherwise as h_audit_items. */
json_t	*h_audit_search(struct db *db, const char *case_id, const char *actor,
	    const char *action, int64_t from, int64_t to, int64_t before, int64_t limit,
	    int64_t *next_before);
/* h_admin.c */
enum MHD_Result h_admin_users(struct req *r);
/* Every staff account as GET /api/v1/admin/users lists them; NULL when the query failed. */
json_t	*h_admin_users_items(struct db *db);
enum MHD_Result h_admin_user_add(struct req *r);
enum MHD_Result h_admin_user_disable(struct req *r);
enum MHD_Result h_admin_user_enable(struct req *r);
enum MHD_Result h_admin_user_scope(struct req *r);
/* h_cases.c */
enum MHD_Result h_case_list(struct req *r);
enum MHD_Result h_case_get(struct req *r);
enum MHD_Result h_case_service(struct req *r);
enum MHD_Result h_case_submit(struct req *r);
enum MHD_Result h_case_verify(struct req *r);
enum MHD_Result h_case_certification(struct req *r);
enum MHD_Result h_case_approve(struct req *r);
enum MHD_Result h_approvals(struct req *r);
enum MHD_Result h_case_reject(struct req *r);
enum MHD_Result h_dashboard(struct req *r);
/* h_posts.c */
enum MHD_Result h_posts_create(struct req *r);
enum MHD_Result h_deadlines(struct req *r);
enum MHD_Result h_admin_deadline_extend(struct req *r);
enum MHD_Result h_admin_export_hkcl(struct req *r);

#endif
