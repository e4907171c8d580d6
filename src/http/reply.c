/* Every response leaves through here, with the security headers and the request id. */
#include "http/http.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "audit/audit.h"
#include "http/page.h"
#include "util/crypt.h"
#include "util/log.h"
#include "util/timeutil.h"

enum kind { K_API, K_PAGE, K_STATIC };

static void
headers_of(struct req *r, struct MHD_Response *resp, const char *content_type, enum kind k)
{
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(resp, "Cross-Origin-Opener-Policy", "same-origin");
	MHD_add_response_header(resp, "Cross-Origin-Resource-Policy", "same-origin");
	/* Pages load only our own stylesheet and script and post only to us: no inline
	 * script or style anywhere. */
	MHD_add_response_header(resp, "Content-Security-Policy", k == K_API ?
	    "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'" :
	    "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; "
	    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, k == K_STATIC ?
	    "public, max-age=31536000, immutable" : "no-store");
	MHD_add_response_header(resp, "X-Request-Id", r->rid);
	if (r->app->cfg.secure_cookies)
		MHD_add_response_header(resp, "Strict-Transport-Security",
		    "max-age=31536000; includeSubDomains");
}

static void
headers(struct req *r, struct MHD_Response *resp, const char *content_type)
{
	headers_of(r, resp, content_type, K_API);
}

static enum MHD_Result
queue(struct req *r, unsigned status, struct MHD_Response *resp)
{
	enum MHD_Result res;

	r->replied = 1;
	r->status = status;
	if (r->close_after)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
	if (status == 429) {
		char ra[24];

		snprintf(ra, sizeof(ra), "%lld", (long long)(r->retry_after > 0 ?
		    r->retry_after : 1));
		MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, ra);
	}
	res = MHD_queue_response(r->conn, status, resp);
	MHD_destroy_response(resp);
	return res;
}

enum MHD_Result
reply_bytes(struct req *r, unsigned status, const char *content_type, const void *data,
    size_t len, const char *disposition)
{
	struct MHD_Response *resp;

	resp = MHD_create_response_from_buffer(len, (void *)data, MHD_RESPMEM_MUST_COPY);
	if (resp == NULL)
		return MHD_NO;
	headers(r, resp, content_type);
	if (disposition != NULL)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_DISPOSITION, disposition);
	return queue(r, status, resp);
}

enum MHD_Result
reply_fd(struct req *r, unsigned status, const char *content_type, int fd, uint64_t size,
    const char *disposition)
{
	struct MHD_Response *resp;

	if ((resp = MHD_create_response_from_fd64(size, fd)) == NULL) {
		close(fd);
		return MHD_NO;
	}
	headers(r, resp, content_type);
	if (disposition != NULL)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_DISPOSITION, disposition);
	return queue(r, status, resp);
}

/* Steals body. */
static enum MHD_Result
reply_json_extra(struct req *r, unsigned status, json_t *body, const char *hname,
    const char *hvalue)
{
	struct MHD_Response *resp;
	char *text;

	text = json_dumps(body, JSON_COMPACT | JSON_ENSURE_ASCII);
	json_decref(body);
	if (text == NULL)
		return MHD_NO;
	resp = MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
	if (resp == NULL) {
		free(text);
		return MHD_NO;
	}
	headers(r, resp, "application/json");
	if (hname != NULL)
		MHD_add_response_header(resp, hname, hvalue);
	return queue(r, status, resp);
}

enum MHD_Result
reply_json(struct req *r, unsigned status, json_t *body)
{
	return reply_json_extra(r, status, body, NULL, NULL);
}

enum MHD_Result
reply_html(struct req *r, unsigned status, const char *html, size_t len)
{
	struct MHD_Response *resp;

	resp = MHD_create_response_from_buffer(len, (void *)html, MHD_RESPMEM_MUST_COPY);
	if (resp == NULL)
		return MHD_NO;
	headers_of(r, resp, "text/html; charset=utf-8", K_PAGE);
	return queue(r, status, resp);
}

enum MHD_Result
reply_static(struct req *r, const char *content_type, const void *data, size_t len)
{
	struct MHD_Response *resp;

	resp = MHD_create_response_from_buffer(len, (void *)data, MHD_RESPMEM_PERSISTENT);
	if (resp == NULL)
		return MHD_NO;
	headers_of(r, resp, content_type, K_STATIC);
	return queue(r, 200, resp);
}

enum MHD_Result
reply_redirect(struct req *r, const char *location, const char *cookie_value,
    const char *cookie2)
{
	struct MHD_Response *resp;

	resp = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
	if (resp == NULL)
		return MHD_NO;
	headers_of(r, resp, "text/plain; charset=utf-8", K_PAGE);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_LOCATION, location);
	if (cookie_value != NULL)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_SET_COOKIE, cookie_value);
	if (cookie2 != NULL)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_SET_COOKIE, cookie2);
	return queue(r, 303, resp);
}

enum MHD_Result
reply_error(struct req *r, enum err e, const char *detail)
{
	json_t *o;

	if (page_wants_html(r))
		return page_error(r, e, detail);

	if (e == ERR_INTERNAL)
		log_error("internal error on %s %.200s", r->method, r->url);
	o = json_pack("{s:{s:s, s:s}}", "error", "code", err_code(e), "message",
	    detail ? detail : err_message(e));
	if (o == NULL)
		return MHD_NO;
	return reply_json(r, err_status(e), o);
}

enum MHD_Result
reply_error_with(struct req *r, unsigned status, const char *code, const char *message,
    json_t *extra)
{
	json_t *e = json_pack("{s:s, s:s}", "code", code, "message", message);

	if (e == NULL) {
		json_decref(extra);
		return MHD_NO;
	}
	if (extra != NULL)
		json_object_update(e, extra);
	json_decref(extra);
	return reply_json(r, status, json_pack("{s:o}", "error", e));
}

void
reply_session_cookie(const struct req *r, char *out, size_t outlen, const char *value,
    int64_t max_age)
{
	if (r->app->cfg.secure_cookies)
		snprintf(out, outlen, "__Host-suraksha=%s; Path=/; Max-Age=%lld; HttpOnly; "
		    "SameSite=Strict; Secure", value, (long long)max_age);
	else
		snprintf(out, outlen, "suraksha=%s; Path=/; Max-Age=%lld; HttpOnly; "
		    "SameSite=Strict", value, (long long)max_age);
}

enum MHD_Result
reply_session(struct req *r, unsigned status, const char *token, const char *csrf,
    const char *role, int64_t expires_at)
{
	char c[256], exp[21];
	json_t *o;

	time_iso_utc(expires_at, exp);
	reply_session_cookie(r, c, sizeof(c), token, expires_at - time_now());
	o = json_pack("{s:s, s:s, s:s, s:s}", "token", token, "csrf_token", csrf, "role", role,
	    "expires_at", exp);
	if (o == NULL)
		return MHD_NO;
	return reply_json_extra(r, status, o, MHD_HTTP_HEADER_SET_COOKIE, c);
}

enum MHD_Result
reply_logout(struct req *r)
{
	char c[256];

	reply_session_cookie(r, c, sizeof(c), "", 0);
	return reply_json_extra(r, 200, json_pack("{s:b}", "logged_out", 1),
	    MHD_HTTP_HEADER_SET_COOKIE, c);
}

json_t *
req_json(struct req *r, enum MHD_Result *res)
{
	json_error_t jerr;
	json_t *o;

	o = json_loadb(r->body.data ? r->body.data : "", r->body.len,
	    JSON_REJECT_DUPLICATES, &jerr);
	if (o == NULL || !json_is_object(o)) {
		char msg[256];

		json_decref(o);
		snprintf(msg, sizeof(msg), "The body is not a JSON object: %s.",
		    o == NULL ? jerr.text : "another JSON value");
		*res = reply_error(r, ERR_BAD_JSON, msg);
		return NULL;
	}
	return o;
}

const char *
json_str(json_t *o, const char *key, size_t max, int *bad)
{
	json_t *v = json_object_get(o, key);
	const char *s;

	if (v == NULL || json_is_null(v))
		return NULL;
	if (!json_is_string(v) || (s = json_string_value(v)) == NULL ||
	    strlen(s) != json_string_length(v) || strlen(s) == 0 || strlen(s) > max) {
		*bad = 1;
		return NULL;
	}
	return s;
}


int
http_decode(const char *in, size_t inlen, char *out, size_t outlen, int plus)
{
	size_t i, o = 0;

	for (i = 0; i < inlen; i++) {
		char c = in[i];

		if (c == '%') {
			int hi, lo;

			if (i + 2 >= inlen || (hi = crypt_hexval(in[i + 1])) < 0 ||
			    (lo = crypt_hexval(in[i + 2])) < 0 || (hi == 0 && lo == 0))
				return -1;
			c = (char)(hi << 4 | lo);
			i += 2;
		} else if (plus && c == '+')
			c = ' ';
		if (o + 1 >= outlen)
			return -1;
		out[o++] = c;
	}
	out[o] = '\0';
	return 0;
}

const char *
req_query(struct req *r, const char *name, char *out, size_t outlen)
{
	const char *v = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);

	if (v == NULL || http_decode(v, strlen(v), out, outlen, 1) != 0)
		return NULL;
	return out;
}

void
req_actor(struct req *r, struct actor *a, char *name, size_t namelen)
{
	principal_actor(&r->who, name, namelen);
	a->name = name;
	a->role = role_name(r->who.role);
	a->ip = r->ip;
}
