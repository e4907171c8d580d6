/* The HTTP layer over libmicrohttpd: request context, route table, replies. Handlers
 * (h_<resource>.c) are thin: parse, check scope, call the domain, reply. */
#ifndef HTTP_HTTP_H
#define HTTP_HTTP_H

#include <jansson.h>
#include <microhttpd.h>
#include <openssl/x509.h>
#include <stddef.h>
#include <stdint.h>

#include "auth/otp.h"
#include "auth/roles.h"
#include "cases/case.h"
#include "cases/rules.h"
#include "config.h"
#include "letters/store.h"
#include "errors.h"
#include "util/buf.h"

#define ARG_MAX		4	/* captured path segments */
#define ARG_LEN		256

/* What the server shares with every handler; read-only after start. */
struct app {
	struct config	 cfg;
	unsigned char	 otp_key[OTP_KEY_LEN];
	char		 ca_pem_path[1024];
	/* <data>/rules.conf as loaded at start (cmd_serve.c); cases are judged by these. */
	struct rules_params rules;
	X509		*ca;		/* the portal CA: trust anchor of letters */
	X509		*seal;		/* keys/seal.pem: letters it signs say so; or NULL */
	struct letter_env letters;
	char		 letter_template[1100];
};

struct route;
struct actor;
struct page_form;

/* One request, from the first MHD callback to the completion callback. */
struct req {
	struct MHD_Connection	*conn;
	const struct app	*app;
	const struct route	*route;
	const char		*method;
	const char		*url;
	char			 rid[17];
	char			 ip[64];
	char			 args[ARG_MAX][ARG_LEN];
	size_t			 nargs;
	struct buf		 body;
	int			 body_over;	/* more bytes came than the route takes */
	uint64_t		 body_seen;
	uint64_t		 body_max;
	int			 started;	/* first callback done */
	int			 replied;
	unsigned		 status;
	int64_t			 start_us;
	/* authentication */
	int			 authed;
	int			 via_cookie;
	struct principal	 who;
	char			 token[64];
	char			 csrf[64];
	int64_t			 session_expires;
	/* streaming body handlers (uploads) keep their state here */
	void			*stream;
	void			(*stream_free)(void *);
	/* pages (page.h): the parsed urlencoded form of an R_FORM route, and whether its
	 * CSRF token is still to be checked against the form's "csrf" field */
	struct page_form	*form;
	int			 csrf_form;
	int64_t			 retry_after;	/* seconds, sent as Retry-After on a 429 */
	int			 close_after;	/* the reply says Connection: close */
	int			 resumed;	/* req_offload's work is done: second call */
};

typedef enum MHD_Result (*handler_fn)(struct req *r);

/* Route flags. */
#define R_AUTH		0x01	/* needs a session */
#define R_PUBLIC	0x00
#define R_PAGE		0x02	/* an HTML page: errors are pages too (page.h) */
#define R_FORM		0x04	/* a browser form: the CSRF token may come as the form
				 * field "csrf" instead of the header; same-origin checked */
#define R_LIMIT_AUTH	0x08	/* public, costly: login and OTP (limits.h LIMIT_AUTH) */
#define R_LIMIT_VERIFY	0x10	/* public letter verification (LIMIT_VERIFY) */

struct route {
	const char	*method;
	const char	*pattern;	/* "/api/v1/cases/{}"; a final "{*}" takes the rest */
	handler_fn	 handler;
	unsigned	 flags;
	unsigned	 roles;		/* bit mask of (1 << role); 0 = any authenticated */
	size_t		 max_body;	/* 0: no body; BODY_JSON: max_json_body; BODY_UPLOAD:
					 * upload_max_file and room for the multipart framing */
	/* Streaming routes: start runs once authorised, before any body byte is read, and may
	 * reply at once (set *done); chunk takes each piece of the body instead of the
	 * buffer; handler then runs at the end. */
	enum MHD_Result	(*start)(struct req *r, int *done);
	void		(*chunk)(struct req *r, const char *data, size_t len);
};

#define ROLE_BIT(r)	(1u << (r))
#define BODY_JSON	((size_t)-1)
#define BODY_UPLOAD	((size_t)-2)
#define BODY_VERIFY	((size_t)-3)	/* verify_max_body */
#define MULTIPART_SLACK	65536	/* framing and small fields around an uploaded file */

/* routes.c */
const struct route *routes_match(const char *method, const char *path, struct req *r,
	    int *method_mismatch, int *bad_escape);

/* reply.c: every reply goes through these; they add the security headers and the request
 * id. They return the value MHD expects from the access handler. */
enum MHD_Result reply_error(struct req *r, enum err e, const char *detail);
enum MHD_Result reply_json(struct req *r, unsigned status, json_t *body);	/* steals */
enum MHD_Result reply_bytes(struct req *r, unsigned status, const char *content_type,
	    const void *data, size_t len, const char *disposition);
/* Sends size bytes of an open file (taken: closed by MHD when done, or here on error). */
enum MHD_Result reply_fd(struct req *r, unsigned status, const char *content_type, int fd,
	    uint64_t size, const char *disposition);
/* An error that adds fields beside code and message (e.g. the refused ZIP entry). */
enum MHD_Result reply_error_with(struct req *r, unsigned status, const char *code,
	    const char *message, json_t *extra);
/* A login answer: sets the session cookie and sends token, csrf_token, role, expires_at. */
enum MHD_Result reply_session(struct req *r, unsigned status, const char *token,
	    const char *csrf, const char *role, int64_t expires_at);
enum MHD_Result reply_logout(struct req *r);
/* Pages: HTML with the page CSP; static files with a year's cache; 303 redirects with up
 * to two Set-Cookie values (NULL for none). */
enum MHD_Result reply_html(struct req *r, unsigned status, const char *html, size_t len);
enum MHD_Result reply_static(struct req *r, const char *content_type, const void *data,
	    size_t len);
enum MHD_Result reply_redirect(struct req *r, const char *location, const char *cookie,
	    const char *cookie2);
/* The Set-Cookie value of the session cookie (empty value and 0 to clear it). */
void	reply_session_cookie(const struct req *r, char *out, size_t outlen, const char *token,
	    int64_t max_age);

/* request helpers */
/* The JSON object body, or NULL after replying 400 (caller returns *res). */
json_t	*req_json(struct req *r, enum MHD_Result *res);
/* A string member: NULL when absent; when present and not a string of 1..max bytes of
 * text, *bad is set. */
const char *json_str(json_t *o, const char *key, size_t max, int *bad);
/* A decoded query parameter, or NULL. Copied into out. */
const char *req_query(struct req *r, const char *name, char *out, size_t outlen);
/* Percent-decoding (and '+' as space when plus is set); -1 on a bad escape, %00, or when
 * out is too small. */
int	http_decode(const char *in, size_t inlen, char *out, size_t outlen, int plus);
/* The actor of the request, for audit records. */
void	req_actor(struct req *r, struct actor *a, char *name, size_t namelen);

/* conns.c: open connections with absolute deadlines for headers and body, and an accept
 * policy that keeps a share of connections for addresses that are not flooding. */
enum conn_phase { CONN_HEADERS, CONN_BODY, CONN_REPLY };
int	conns_start(const struct config *cfg);
void	conns_stop(void);
enum MHD_Result conns_accept(void *cls, const struct sockaddr *addr, socklen_t addrlen);
void	conns_notify(void *cls, struct MHD_Connection *c, void **socket_ctx,
	    enum MHD_ConnectionNotificationCode toe);
/* A socket address as text ("unknown" when not IPv4 or IPv6). */
void	http_addr_text(const struct sockaddr *sa, char *out, size_t outlen);
/* The connection of c moves to phase p, its deadline counted from now. */
void	conns_phase(struct MHD_Connection *c, enum conn_phase p);

/* server.c */
int	http_serve(struct app *app);
/* Runs work(arg) on one of the offload threads (login_kdf_concurrency of them) while the
 * connection waits suspended, then calls the route's handler again with r->resumed set.
 * CPU-heavy work (a password hash) so never holds a connection thread, and every other
 * connection of that thread is served meanwhile. With login_kdf_queue jobs waiting
 * already, replies 429 with Retry-After instead. Call from a handler; return its value. */
enum MHD_Result req_offload(struct req *r, void (*work)(void *), void *arg);

#endif
