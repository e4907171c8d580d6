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

#endif
