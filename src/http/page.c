/* The page layer (page.h): forms, language, rendering in the layout, errors as pages,
 * redirects, and the static files. */
#include "http/page.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/crypt.h"
#include "util/fsx.h"
#include "util/log.h"
#include "util/timeutil.h"

#define TEMPLATE_MAX	(256 * 1024)
#define PAGE_MAX	(4 * 1024 * 1024)
#define STATIC_MAX	(256 * 1024)

struct page {
	struct req	*r;
	char		 lang[3];
	struct page_cat	 en, local;
	struct page_msgs msgs;
	json_t		*ctx;
};

int
page_form_parse(struct req *r)
{
	struct page_form *f;
	char *p, *amp, *eq;
	size_t len = r->body.len;

	if (r->form != NULL) {
		page_form_free(r->form);
		free(r->form);
	}
	if ((r->form = f = calloc(1, sizeof(*f))) == NULL)
		return -1;
	if ((f->data = malloc(len + 1)) == NULL)
		return -1;
	memcpy(f->data, r->body.data ? r->body.data : "", len);
	f->data[len] = '\0';
	if (strlen(f->data) != len)
		return -1;
	for (p = f->data; *p != '\0'; p = amp) {
		if ((amp = strchr(p, '&')) != NULL)
			*amp++ = '\0';
		else
			amp = p + strlen(p);
		if (*p == '\0')
			continue;
		if (f->n >= PAGE_FORM_MAX)
			return -1;
		if ((eq = strchr(p, '=')) == NULL)
			return -1;
		*eq = '\0';
		/* decoding only shortens, so each part is decoded in place */
		if (http_decode(p, strlen(p), p, strlen(p) + 1, 1) != 0 ||
		    http_decode(eq + 1, strlen(eq + 1), eq + 1, strlen(eq + 1) + 1, 1) != 0)
			return -1;
		f->f[f->n].name = p;
		f->f[f->n].value = eq + 1;
		f->n++;
	}
	return 0;
}

const char *
page_form_get(const struct req *r, const char *name)
{
	size_t i;

	if (r->form == NULL)
		return NULL;
	for (i = 0; i < r->form->n; i++)
		if (strcmp(r->form->f[i].name, name) == 0)
			return r->form->f[i].value;
	return NULL;
}

size_t
page_form_all(const struct req *r, const char *name, const char **out, size_t max)
{
	size_t i, n = 0;

	if (r->form == NULL)
		return 0;
	for (i = 0; i < r->form->n && n < max; i++)
		if (strcmp(r->form->f[i].name, name) == 0)
			out[n++] = r->form->f[i].value;
	return n;
}

int
page_form_add(struct req *r, const char *name, const char *value)
{
	struct page_form *f = r->form;
	size_t nl = strlen(name), vl = strlen(value);
	char *p;

	if (f == NULL && (r->form = f = calloc(1, sizeof(*f))) == NULL)
		return -1;
	if (f->n >= PAGE_FORM_MAX || f->nown >= PAGE_FORM_MAX ||
	    (p = malloc(nl + vl + 2)) == NULL)
		return -1;
	memcpy(p, name, nl + 1);
	memcpy(p + nl + 1, value, vl + 1);
	f->own[f->nown++] = p;
	f->f[f->n].name = p;
	f->f[f->n].value = p + nl + 1;
	f->n++;
	return 0;
}

void
page_form_free(struct page_form *f)
{
	size_t i;

	if (f == NULL)
		return;
	for (i = 0; i < f->nown; i++)
		free(f->own[i]);
	free(f->data);
	memset(f, 0, sizeof(*f));
}

int
page_csrf_ok(const struct req *r, const char *value)
{
	size_t n = strlen(r->csrf);

	return value != NULL && n > 0 && strlen(value) == n && crypt_equal(value, r->csrf, n);
}

int
page_same_origin(const struct req *r)
{
	const char *site, *origin, *host, *rest;

	site = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Sec-Fetch-Site");
	if (site != NULL)
		return strcmp(site, "same-origin") == 0 || strcmp(site, "none") == 0;
	origin = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Origin");
	if (origin == NULL)
		return 1;	/* not a browser that says; the SameSite cookie still holds */
	host = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST);
	if (host == NULL)
		return 0;
	if (strncmp(origin, "http://", 7) == 0)
		rest = origin + 7;
	else if (strncmp(origin, "https://", 8) == 0)
		rest = origin + 8;
	else
		return 0;
	return strcmp(rest, host) == 0;
}

int
page_wants_html(const struct req *r)
{
	if (r->route != NULL)
		return (r->route->flags & R_PAGE) != 0;
	/* no route: people get a page, programs under /api/v1 their JSON */
	return strncmp(r->url, "/api/", 5) != 0 && strcmp(r->url, "/healthz") != 0;
}

void
page_time(int64_t t, char out[PAGE_TIME_LEN])
{
	char iso[26];

	/* "2026-11-23T05:15:46+05:30" as "23-11-2026 05:15 IST": the way dates are written
	 * on Haryana's papers */
	time_iso_ist(t, iso);
	snprintf(out, PAGE_TIME_LEN, "%.2s-%.2s-%.4s %.5s IST", iso + 8, iso + 5, iso, iso + 11);
}

const char *
page_lang(const struct req *r)
{
	const char *c, *al;

	c = MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, "lang");
	if (c != NULL)
		return strcmp(c, "hi") == 0 ? "hi" : "en";
	al = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Accept-Language");
	return al != NULL && strncmp(al, "hi", 2) == 0 ? "hi" : "en";
}

static void
load_cat(const struct req *r, const char *lang, struct page_cat *c)
{
	char path[1024], err[300];

	if (fsx_join(path, sizeof(path), r->app->cfg.templates_dir, "i18n") != 0 ||
	    strlen(path) + 8 >= sizeof(path))
		return;
	snprintf(path + strlen(path), sizeof(path) - strlen(path), "/%s.txt", lang);
	if (page_cat_load(c, path, err, sizeof(err)) != 0) {
		log_error("pages: catalogue %s", err);
		page_cat_free(c);
	}
}

struct page *
page_begin(struct req *r)
{
	struct page *pg;

	if ((pg = calloc(1, sizeof(*pg))) == NULL)
		return NULL;
	pg->r = r;
	snprintf(pg->lang, sizeof(pg->lang), "%s", page_lang(r));
	load_cat(r, "en", &pg->en);
	if (strcmp(pg->lang, "en") != 0)
		load_cat(r, pg->lang, &pg->local);
	pg->msgs.lang = &pg->local;
	pg->msgs.fallback = &pg->en;
	if ((pg->ctx = json_object()) == NULL) {
		page_free(pg);
		return NULL;
	}
	return pg;
}

json_t *
page_ctx(struct page *pg)
{
	return pg->ctx;
}

const char *
page_t(struct page *pg, const char *key, const char *fallback)
{
	const char *t = page_msgs_get(&pg->msgs, key);

	return t ? t : fallback;
}

void
page_notice(struct page *pg, int error, const char *key, const char *fallback,
    const char *detail)
{
	json_t *n = json_pack("{s:b, s:s}", "error", error, "text",
	    page_t(pg, key, fallback ? fallback : key));

	if (n == NULL)
		return;
	/* an English detail adds nothing to the English sentence it explains */
	if (detail != NULL && detail[0] && (fallback == NULL || strcmp(detail, fallback) != 0))
		json_object_set_new(n, "detail", json_string(detail));
	json_object_set_new(pg->ctx, "notice", n);
}

void
page_notice_err(struct page *pg, enum err e, const char *detail)
{
	page_notice_reason(pg, e, detail, pg->lang);
}

void
page_free(struct page *pg)
{
	if (pg == NULL)
		return;
	page_cat_free(&pg->en);
	page_cat_free(&pg->local);
	json_decref(pg->ctx);
	free(pg);
}

/* The static files: loaded on first use, kept for the life of the process. */
static struct asset {
	const char	*name;
	const char	*type;
	struct buf	 data;
	char		 version[13];
	int		 ok;
} assets[] = {
	{ "style.css", "text/css; charset=utf-8" },
	{ "app.js", "text/javascript; charset=utf-8" },
	{ "favicon.svg", "image/svg+xml" },
};
static pthread_mutex_t assets_lock = PTHREAD_MUTEX_INITIALIZER;
static int assets_loaded;

static void
assets_load(const struct config *cfg)
{
	char dir[1024], path[1100], sha[65];
	size_t i;

	pthread_mutex_lock(&assets_lock);
	if (assets_loaded) {
		pthread_mutex_unlock(&assets_lock);
		return;
	}
	for (i = 0; i < sizeof(assets) / sizeof(assets[0]); i++) {
		struct asset *a = &assets[i];

		buf_init(&a->data, STATIC_MAX);
		if (fsx_join(dir, sizeof(dir), cfg->templates_dir, "static") != 0 ||
		    fsx_join(path, sizeof(path), dir, a->name) != 0 ||
		    fsx_read(path, &a->data) != 0) {
			log_error("pages: cannot read the static file %s", a->name);
			continue;
		}
		crypt_sha256_hex(a->data.data, a->data.len, sha);
		memcpy(a->version, sha, 12);
		a->version[12] = '\0';
		a->ok = 1;
	}
	assets_loaded = 1;
	pthread_mutex_unlock(&assets_lock);
}

enum MHD_Result
page_static(struct req *r)
{
	size_t i;

	assets_load(&r->app->cfg);
	for (i = 0; i < sizeof(assets) / sizeof(assets[0]); i++)
		if (assets[i].ok && strcmp(assets[i].name, r->args[0]) == 0)
			return reply_static(r, assets[i].type, assets[i].data.data,
			    assets[i].data.len);
	return reply_error(r, ERR_NOT_FOUND, NULL);
}

static int
read_template(const struct req *r, const char *name, struct buf *b)
{
	char dir[1024], path[1100], file[96];

	if (snprintf(file, sizeof(file), "%s.html", name) >= (int)sizeof(file) ||
	    fsx_join(dir, sizeof(dir), r->app->cfg.templates_dir, "pages") != 0 ||
	    fsx_join(path, sizeof(path), dir, file) != 0 || fsx_read(path, b) != 0) {
		log_error("pages: cannot read the template %s", name);
		return -1;
	}
	return 0;
}

static int
render_file(struct page *pg, const char *name, struct buf *out)
{
	struct buf src;
	char err[256];
	int rc = -1;

	buf_init(&src, TEMPLATE_MAX);
	if (read_template(pg->r, name, &src) != 0)
		goto out;
	if (page_tmpl_render(buf_str(&src), src.len, pg->ctx, &pg->msgs, out, err,
	    sizeof(err)) != 0) {
		log_error("pages: template %s: %s", name, err);
		goto out;
	}
	rc = 0;
out:
	buf_free(&src);
	return rc;
}

static void
add_nav(json_t *nav, const char *href, const char *key)
{
	json_array_append_new(nav, json_pack("{s:s, s:s}", "href", href, "key", key));
}

/* What every page shows around its body: who is signed in, where they can go, the
 * language switch, the CSRF token for forms. */
static void
layout_ctx(struct page *pg, const char *title_key)
{
	const struct req *r = pg->r;
	json_t *c = pg->ctx, *nav = json_array();
	char role_key[48], back[512];
	const char *q;
	size_t i;

	json_object_set_new(c, "lang", json_string(pg->lang));
	json_object_set_new(c, "title_key", json_string(title_key));
	json_object_set_new(c, "other_lang", json_string(strcmp(pg->lang, "hi") == 0 ?
	    "en" : "hi"));
	/* the path to come back to after switching language (a GET only) */
	q = strcmp(r->method, "GET") == 0 ? r->url : "/home";
	snprintf(back, sizeof(back), "%s", strlen(q) < sizeof(back) ? q : "/home");
	json_object_set_new(c, "back", json_string(back));
	for (i = 0; i < sizeof(assets) / sizeof(assets[0]); i++) {
		char key[32];

		snprintf(key, sizeof(key), "v_%.*s", (int)strcspn(assets[i].name, "."),
		    assets[i].name);
		json_object_set_new(c, key, json_string(assets[i].version));
	}
	if (r->authed) {
		json_object_set_new(c, "signed_in", json_true());
		json_object_set_new(c, "csrf", json_string(r->csrf));
		json_object_set_new(c, "who", json_string(r->who.role == ROLE_EMPLOYEE ?
		    r->who.employee_id : r->who.username));
		snprintf(role_key, sizeof(role_key), "role.%s", role_name(r->who.role));
		json_object_set_new(c, "role_key", json_string(role_key));
		add_nav(nav, "/home", "nav.home");
		if (r->who.role == ROLE_AUDITOR)
			add_nav(nav, "/audit", "nav.audit");
		if (r->who.role == ROLE_DDO || r->who.role == ROLE_HOD ||
		    r->who.role == ROLE_ADMIN_SECRETARY)
			add_nav(nav, "/stuck", "nav.stuck");	/* issue 14 */
		if (r->who.role == ROLE_ADMIN) {
			add_nav(nav, "/admin/users", "nav.users");
			add_nav(nav, "/admin/deadlines", "nav.deadlines");
			add_nav(nav, "/admin/offices", "nav.offices");
			add_nav(nav, "/admin/imports", "nav.imports");
		}
	}
	add_nav(nav, "/verify", "nav.verify");
	json_object_set_new(c, "nav", nav);
}

enum MHD_Result
page_end(struct page *pg, unsigned status, const char *name, const char *title_key)
{
	struct buf body, html;
	enum MHD_Result res = MHD_NO;

	assets_load(&pg->r->app->cfg);
	buf_init(&body, PAGE_MAX);
	buf_init(&html, PAGE_MAX);
	layout_ctx(pg, title_key);
	if (render_file(pg, name, &body) != 0)
		goto fail;
	json_object_set_new(pg->ctx, "body", json_string(buf_str(&body)));
	if (render_file(pg, "layout", &html) != 0)
		goto fail;
	res = reply_html(pg->r, status, html.data, html.len);
	goto out;
fail:
	{
		static const char oops[] = "<!doctype html><html lang=\"en\"><head><meta "
		    "charset=\"utf-8\"><title>Error</title></head><body><p>Something went wrong "
		    "on our side; nothing was changed. Please try again.</p></body></html>";

		res = reply_html(pg->r, 500, oops, sizeof(oops) - 1);
	}
out:
	buf_free(&body);
	buf_free(&html);
	page_free(pg);
	return res;
}

enum MHD_Result
page_redirect(struct req *r, const char *location, const char *cookie, const char *cookie2)
{
	return reply_redirect(r, location, cookie, cookie2);
}

void
page_cookie(const struct req *r, char *out, size_t outlen, const char *name,
    const char *value, const char *path, int64_t max_age)
{
	snprintf(out, outlen, "%s=%s; Path=%s; Max-Age=%lld; HttpOnly; SameSite=Strict%s", name,
	    value, path, (long long)max_age, r->app->cfg.secure_cookies ? "; Secure" : "");
}

enum MHD_Result
page_error(struct req *r, enum err e, const char *detail)
{
	struct page *pg;

	if (e == ERR_INTERNAL)
		log_error("internal error on %s %.200s", r->method, r->url);
	if (e == ERR_UNAUTHENTICATED && strcmp(r->method, "GET") == 0)
		return reply_redirect(r, "/?signin=1", NULL, NULL);
	if ((pg = page_begin(r)) == NULL)
		return MHD_NO;
	page_notice_err(pg, e, detail);
	json_object_set_new(pg->ctx, "status", json_integer(err_status(e)));
	return page_end(pg, err_status(e), "error", "title.error");
}

/* reply.c's headers forbid any inline use of a response (an API answer is never shown as a
 * page); a document the DDO reads beside the spells is the one exception, so its headers
 * are set here: the same hardening, inline, and nothing in it may run. */
enum MHD_Result
page_reply_inline(struct req *r, const char *mime, int fd, uint64_t size)
{
	struct MHD_Response *resp;
	enum MHD_Result res;
	int image = strncmp(mime, "image/", 6) == 0;

	if ((resp = MHD_create_response_from_fd64(size, fd)) == NULL) {
		close(fd);
		return MHD_NO;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, mime);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_DISPOSITION, "inline");
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "X-Frame-Options", "SAMEORIGIN");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(resp, "Cross-Origin-Opener-Policy", "same-origin");
	MHD_add_response_header(resp, "Cross-Origin-Resource-Policy", "same-origin");
	/* an uploaded PDF is untrusted: sandboxed, no script, no form, no way out */
	MHD_add_response_header(resp, "Content-Security-Policy", image ?
	    "default-src 'none'; img-src 'self'; frame-ancestors 'self'; base-uri 'none'; "
	    "form-action 'none'" :
	    "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; "
	    "frame-ancestors 'self'; base-uri 'none'; form-action 'none'");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	MHD_add_response_header(resp, "X-Request-Id", r->rid);
	if (r->app->cfg.secure_cookies)
		MHD_add_response_header(resp, "Strict-Transport-Security",
		    "max-age=31536000; includeSubDomains");
	r->replied = 1;
	r->status = 200;
	res = MHD_queue_response(r->conn, 200, resp);
	MHD_destroy_response(resp);
	return res;
}
