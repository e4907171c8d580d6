/* The handlers of the HTML pages (h_pages_*.c), kept apart from the API's handlers.h so
 * that the route table names each page's handler the same way. */
#ifndef HTTP_HANDLERS_PAGES_H
#define HTTP_HANDLERS_PAGES_H

#include "http/handlers.h"

/* h_pages_auth.c */
enum MHD_Result h_page_root(struct req *r);
enum MHD_Result h_page_otp_request(struct req *r);
enum MHD_Result h_page_otp(struct req *r);
enum MHD_Result h_page_otp_verify(struct req *r);
enum MHD_Result h_page_staff_login(struct req *r);
enum MHD_Result h_page_logout(struct req *r);
enum MHD_Result h_page_lang(struct req *r);
/* h_pages_case.c */
enum MHD_Result h_page_home(struct req *r);
enum MHD_Result h_page_case(struct req *r);
enum MHD_Result h_page_find(struct req *r);
enum MHD_Result h_page_upload(struct req *r);
enum MHD_Result h_page_document_delete(struct req *r);
/* The case page, or the staff home, with a refusal (e, with the domain's sentence as
 * detail) at the top, or none with ERR_OK; the status is the error's. */
enum MHD_Result h_page_case_render(struct req *r, const char *employee_id, enum err e,
	    const char *detail);
enum MHD_Result h_page_home_render(struct req *r, enum err e, const char *detail);
/* h_pages_flow.c: the case workflow's sections of the case page ("flow" in c), the staff
 * queues ("queue", "finance", "hod" in c), and the workflow's forms. 0 ok. */
int	h_page_case_flow(struct req *r, json_t *c, const char *employee_id);
/* One row of a certification form (case page and employee page): the particular's name,
 * its text key, the value on record, the choice "as" (recorded) or "fix" and the corrected
 * value, as typed when the form came back refused; else no choice, or "fix" when must_fix
 * (a value missing or invalid on record cannot be confirmed). */
json_t	*h_page_cert_row(struct req *r, const char *name, const char *recorded, int must_fix);
int	h_page_queues(struct req *r, json_t *c);
enum MHD_Result h_page_case_service(struct req *r);
enum MHD_Result h_page_case_submit(struct req *r);
enum MHD_Result h_page_case_verify(struct req *r);
enum MHD_Result h_page_certify(struct req *r);	/* streams through h_certify_start */
enum MHD_Result h_page_case_approve(struct req *r);
/* GET /cases/{id}/letter-preview (HoD): the letter as it will be issued, unsigned. */
enum MHD_Result h_page_letter_preview(struct req *r);
enum MHD_Result h_page_case_reject(struct req *r);
enum MHD_Result h_page_approve_many(struct req *r);
enum MHD_Result h_page_posts(struct req *r);
enum MHD_Result h_page_document_view(struct req *r);
/* h_pages_verify.c */
enum MHD_Result h_page_verify(struct req *r);
enum MHD_Result h_page_verify_start(struct req *r, int *done);
void	h_page_verify_chunk(struct req *r, const char *data, size_t len);
enum MHD_Result h_page_verify_post(struct req *r);
enum MHD_Result h_page_verify_ref(struct req *r);
enum MHD_Result h_page_revoke(struct req *r);
/* h_pages_admin.c */
enum MHD_Result h_page_audit(struct req *r);
enum MHD_Result h_page_users(struct req *r);
enum MHD_Result h_page_user_add(struct req *r);
enum MHD_Result h_page_user_disable(struct req *r);
enum MHD_Result h_page_user_enable(struct req *r);
enum MHD_Result h_page_user_scope(struct req *r);
/* POST /admin/users/{u}/password (admin): password, confirm → staff_set_password. */
enum MHD_Result h_page_user_password(struct req *r);
/* h_pages_employees.c (issue 14) */
enum MHD_Result h_page_employee(struct req *r);
enum MHD_Result h_page_employee_certify(struct req *r);	/* via h_employee_certify_start */
enum MHD_Result h_page_stuck(struct req *r);
/* h_pages_master.c */
#define PAGE_BODY_IMPORT	(5 * 1024 * 1024)	/* the CSV of an import page upload */
enum MHD_Result h_page_deadlines(struct req *r);
enum MHD_Result h_page_deadline_extend(struct req *r);
enum MHD_Result h_page_offices(struct req *r);
enum MHD_Result h_page_office_put(struct req *r);
enum MHD_Result h_page_imports(struct req *r);
enum MHD_Result h_page_import_start(struct req *r, int *done);
void	h_page_import_chunk(struct req *r, const char *data, size_t len);
enum MHD_Result h_page_import(struct req *r);

#endif
