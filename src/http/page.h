/* Server-rendered pages: one page per request built as a JSON context, rendered through
 * templates/pages/NAME.html inside templates/pages/layout.html, in the language of the
 * `lang` cookie (English or Hindi, texts from templates/i18n/LANG.txt), with the page CSP.
 * Forms post application/x-www-form-urlencoded (or multipart for files) with a hidden
 * `csrf` field; routes flagged R_FORM have it checked by the server (server.c) before the
 * handler runs, and streaming multipart routes check it with page_csrf_ok themselves. */
#ifndef HTTP_PAGE_H
#define HTTP_PAGE_H

#include <jansson.h>

#include "errors.h"
#include "http/http.h"
#include "http/page_tmpl.h"

#define PAGE_FORM_MAX	256	/* fields of one urlencoded form (bulk selections) */
#define PAGE_BODY_FORM	(64 * 1024)	/* max_body of an urlencoded form route */

/* A parsed application/x-www-form-urlencoded body; values are decoded, NUL-free. */
struct page_form {
	char	*data;
	size_t	 n;
	struct {
		const char	*name;
		const char	*value;
	}	 f[PAGE_FORM_MAX];
	char	*own[PAGE_FORM_MAX];	/* fields added by page_form_add ("name\0value") */
	size_t	 nown;
};

/* Parses r->body into r->form (replacing any); 0 ok, -1 malformed. */
int	page_form_parse(struct req *r);
/* The value of a field, or NULL (also when the form was not parsed). */
const char *page_form_get(const struct req *r, const char *name);
/* Every value of a repeated field (checkboxes), up to max, in order; the count. */
size_t	page_form_all(const struct req *r, const char *name, const char **out, size_t max);
void	page_form_free(struct page_form *f);
/* Adds a field to r->form (creating it): a multipart page form's text fields, so that the
 * page shown on a refusal keeps what was typed through page_form_get. 0 ok, -1 full. */
int	page_form_add(struct req *r, const char *name, const char *value);
/* Does value equal the session's CSRF token (constant time)? */
int	page_csrf_ok(const struct req *r, const char *value);
/* A state-changing form must come from our own pages: Sec-Fetch-Site, else Origin, must
 * say same origin when the browser sends them. */
int	page_same_origin(const struct req *r);
/* Should an error on this request be an HTML page rather than JSON? */
int	page_wants_html(const struct req *r);

/* One page being built. */
struct page;

/* Starts a page: loads the language and its catalogue. NULL when out of memory. */
struct page *page_begin(struct req *r);
/* The page's context (borrowed): handlers add their values to it. */
json_t	*page_ctx(struct page *pg);
/* The text of key in the page's language, else English, else fallback. */
const char *page_t(struct page *pg, const char *key, const char *fallback);
/* A notice at the top of the page: error (1) or confirmation (0), as the text of key,
 * or fallback when no catalogue has key; detail (may be NULL) is added as given. */
void	page_notice(struct page *pg, int error, const char *key, const char *fallback,
	    const char *detail);
/* A notice for an API error code (the registry's message, translated), with the domain's
 * detail in the page's words (page_reason.c): never a route, a JSON key or a code. */
void	page_notice_err(struct page *pg, enum err e, const char *detail);
/* page_reason.c: as page_notice_err, for a page in lang ("en" or "hi"). */
void	page_notice_reason(struct page *pg, enum err e, const char *detail, const char *lang);
/* Renders templates/pages/NAME.html in the layout with the title of title_key and
 * replies; frees pg. */
enum MHD_Result page_end(struct page *pg, unsigned status, const char *name,
	    const char *title_key);
void	page_free(struct page *pg);

/* 303 See Other to a local path (Post/Redirect/Get); the cookies (may be NULL) are
 * Set-Cookie values. */
enum MHD_Result page_redirect(struct req *r, const char *location, const char *cookie,
	    const char *cookie2);
/* A Set-Cookie value for a page cookie (HttpOnly, SameSite=Strict, Secure with TLS). */
void	page_cookie(const struct req *r, char *out, size_t outlen, const char *name,
	    const char *value, const char *path, int64_t max_age);
/* The error page (or, for a GET without a session, the way to the sign-in page). */
enum MHD_Result page_error(struct req *r, enum err e, const char *detail);
/* A moment for people: "23-11-2026 05:15 IST". */
#define PAGE_TIME_LEN	32
void	page_time(int64_t t, char out[PAGE_TIME_LEN]);
/* The page language of the request: "en" or "hi". */
const char *page_lang(const struct req *r);

/* Sends a stored document for viewing in the page (Content-Disposition: inline), never
 * cached, with a CSP that runs nothing in it (and a sandbox for anything but an image).
 * fd is taken. */
enum MHD_Result page_reply_inline(struct req *r, const char *mime, int fd, uint64_t size);

/* The static files (templates/static), loaded once; the layout links them with a version
 * so they can be cached for a year. */
enum MHD_Result page_static(struct req *r);

#endif
