/* libmicrohttpd glue: the daemon (internal thread pool on epoll), the access handler that
 * routes, authenticates and reads bodies within limits, the completion callback that logs
 * and frees, and the shutdown that lets in-flight requests finish. */
#include "http/http.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "auth/limits.h"
#include "auth/session.h"
#include "db/db.h"
#include "notify/notify.h"
#include "http/page.h"
#include "util/crypt.h"
#include "util/log.h"
#include "util/strict.h"
#include "util/timeutil.h"

static atomic_int in_flight;

/* The offload queue (req_offload): a ring of waiting jobs, served by its threads. */
#define OFFLOAD_THREADS_MAX	64
struct offload_job {
	struct req	*r;
	void		(*work)(void *);
	void		*arg;
};
static pthread_mutex_t off_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t off_cv = PTHREAD_COND_INITIALIZER;
static struct offload_job *off_q;
static size_t off_cap, off_head, off_len;
static int off_running;
static pthread_t off_threads[OFFLOAD_THREADS_MAX];
static size_t off_nthreads;

static int64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Paths are decoded segment by segment in routes.c (so "%2F" in an id stays inside its
 * segment); query values are decoded by req_query(). MHD must not decode first. */
static size_t
no_unescape(void *cls, struct MHD_Connection *c, char *s)
{
	return strlen(s);
}

/* The address the proxy appended last to X-Forwarded-For (the one it saw), when it is an
 * address; earlier entries are the client's own word and are not trusted. */
static int
forwarded_for(struct MHD_Connection *conn, char *out, size_t outlen)
{
	const char *h = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Forwarded-For");
	const char *p;
	unsigned char a[16];
	char v[64];
	size_t n;

	if (h == NULL)
		return -1;
	p = strrchr(h, ',') ? strrchr(h, ',') + 1 : h;
	while (*p == ' ' || *p == '\t')
		p++;
	n = strcspn(p, " \t");
	if (n == 0 || n >= sizeof(v))
		return -1;
	memcpy(v, p, n);
	v[n] = '\0';
	if (inet_pton(AF_INET, v, a) != 1 && inet_pton(AF_INET6, v, a) != 1)
		return -1;
	snprintf(out, outlen, "%s", v);
	return 0;
}

static void
client_ip(struct MHD_Connection *conn, const struct config *cfg, char *out, size_t outlen)
{
	const union MHD_ConnectionInfo *ci;

	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	http_addr_text(ci != NULL ? ci->client_addr : NULL, out, outlen);
	/* Behind the reverse proxy every connection comes from it: limits, lockouts and the
	 * audit count the client it names instead. */
	if (cfg->trusted_proxy[0] != '\0' && strcmp(out, cfg->trusted_proxy) == 0)
		forwarded_for(conn, out, outlen);
}

static const char *
session_token(struct req *r, int *via_cookie)
{
	const char *h, *c;

	h = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_AUTHORIZATION);
	if (h != NULL && strncmp(h, "Bearer ", 7) == 0) {
		*via_cookie = 0;
		return h + 7;
	}
	c = MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND,
	    r->app->cfg.secure_cookies ? "__Host-suraksha" : "suraksha");
	*via_cookie = c != NULL;
	return c;
}

static int
is_safe_method(const char *m)
{
	return strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0;
}

/* Authentication and authorisation, before any body byte is read. */
static enum MHD_Result
authenticate(struct req *r, int *done)
{
	const struct route *rt = r->route;
	const char *token, *hdr;
	struct db *db;
	enum session_status s;

	*done = 0;
	token = session_token(r, &r->via_cookie);
	if (token != NULL && strlen(token) < sizeof(r->token)) {
		if ((db = db_thread()) == NULL) {
			*done = 1;
			return reply_error(r, ERR_UNAVAILABLE, NULL);
		}
		s = session_lookup(db, &r->app->cfg, token, &r->who, r->csrf, &r->session_expires);
		if (s == SESSION_ERROR) {
			*done = 1;
			return reply_error(r, ERR_INTERNAL, NULL);
		}
		if (s == SESSION_OK) {
			r->authed = 1;
			snprintf(r->token, sizeof(r->token), "%s", token);
		}
	}
	if (!(rt->flags & R_AUTH))
		return MHD_YES;
	*done = 1;
	if (!r->authed)
		return reply_error(r, ERR_UNAUTHENTICATED, NULL);
	if (r->via_cookie && !is_safe_method(r->method)) {
		hdr = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "X-CSRF-Token");
		/* A browser form carries the token in its body: checked once it is read. */
		if (hdr == NULL && (rt->flags & R_FORM))
			r->csrf_form = 1;
		else if (hdr == NULL || strlen(hdr) != strlen(r->csrf) ||
		    !crypt_equal(hdr, r->csrf, strlen(r->csrf)))
			return reply_error(r, ERR_CSRF, NULL);
	}
	if (rt->roles != 0 && !(rt->roles & ROLE_BIT(r->who.role)))
		return reply_error(r, ERR_FORBIDDEN, NULL);
	*done = 0;
	return MHD_YES;
}

static size_t
route_max_body(const struct req *r)
{
	if (r->route->max_body == BODY_JSON)
		return (size_t)r->app->cfg.max_json_body;
	if (r->route->max_body == BODY_VERIFY)
		return (size_t)r->app->cfg.verify_max_body;
	if (r->route->max_body == BODY_UPLOAD)
		return (size_t)r->app->cfg.upload_max_file + MULTIPART_SLACK;
	return r->route->max_body;
}

struct framing {
	unsigned	 content_length, transfer_encoding, host;
	int		 te_not_chunked, bad_name;
};

static int
token_char(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static enum MHD_Result
count_header(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	struct framing *f = cls;
	const char *k;

	for (k = key; *k != '\0'; k++)
		if (!token_char((unsigned char)*k))
			f->bad_name = 1;
	if (key[0] == '\0')
		f->bad_name = 1;
	if (strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH) == 0)
		f->content_length++;
	else if (strcasecmp(key, MHD_HTTP_HEADER_TRANSFER_ENCODING) == 0) {
		f->transfer_encoding++;
		if (value == NULL || strcasecmp(value, "chunked") != 0)
			f->te_not_chunked = 1;
	} else if (strcasecmp(key, MHD_HTTP_HEADER_HOST) == 0)
		f->host++;
	return MHD_YES;
}

/* Framing that two parsers could read two ways is refused, and the connection closed, so
 * no byte after it is ever taken for a request of its own (request smuggling): a repeated
 * Content-Length (even with equal values), Content-Length with Transfer-Encoding, any
 * transfer coding but a single "chunked", a repeated Host, a header name that is not a
 * token. libmicrohttpd 0.9.75 reads the last Content-Length and prefers chunked. */
static const char *
framing_refused(struct req *r)
{
	struct framing f = { 0 };

	MHD_get_connection_values(r->conn, MHD_HEADER_KIND, count_header, &f);
	if (f.content_length > 1)
		return "The request has more than one Content-Length.";
	if (f.content_length > 0 && f.transfer_encoding > 0)
		return "The request has both Content-Length and Transfer-Encoding.";
	if (f.transfer_encoding > 1 || f.te_not_chunked)
		return "Only one Transfer-Encoding, chunked, is accepted.";
	if (f.host > 1)
		return "The request has more than one Host.";
	if (f.bad_name)
		return "A header name holds characters a header name cannot hold.";
	return NULL;
}

static enum MHD_Result
first_call(struct req *r)
{
	const char *why;
	const char *cl;
	int mismatch = 0, bad = 0, done;
	size_t max;
	int64_t len;
	enum MHD_Result res;

	if ((why = framing_refused(r)) != NULL) {
		r->close_after = 1;
		return reply_error(r, ERR_MALFORMED, why);
	}
	if (strlen(r->url) > (size_t)r->app->cfg.max_url)
		return reply_error(r, ERR_URI_TOO_LONG, NULL);
	r->route = routes_match(r->method, r->url, r, &mismatch, &bad);
	if (bad)
		return reply_error(r, ERR_MALFORMED, "The address holds a bad %-escape.");
	if (r->route == NULL)
		return reply_error(r, mismatch ? ERR_METHOD : ERR_NO_ROUTE, NULL);
	/* Costly public routes are refused before any body, database or key work. */
	if ((r->route->flags & (R_LIMIT_AUTH | R_LIMIT_VERIFY)) &&
	    limit_take(r->route->flags & R_LIMIT_AUTH ? LIMIT_AUTH : LIMIT_VERIFY, r->ip,
	    &r->retry_after) != 0)
		return reply_error(r, ERR_RATE_LIMITED, NULL);
	max = route_max_body(r);
	cl = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (cl != NULL) {
		if (strict_int64(cl, 0, INT64_MAX, &len) != 0)
			return reply_error(r, ERR_MALFORMED, "Content-Length is not a number.");
		if (max == 0 && len > 0)
			return reply_error(r, ERR_MALFORMED, "This address takes no request body.");
		if ((uint64_t)len > max)
			return reply_error(r, ERR_TOO_LARGE, NULL);
	}
	if ((r->route->flags & R_FORM) && !is_safe_method(r->method) && !page_same_origin(r))
		return reply_error(r, ERR_CSRF, NULL);
	res = authenticate(r, &done);
	if (done)
		return res;
	/* Streaming routes count bytes themselves; the buffer only serves the others. */
	buf_init(&r->body, r->route->chunk ? 0 : max);
	r->body_max = max;
	if (r->route->start != NULL) {
		res = r->route->start(r, &done);
		if (done)
			return res;
	}
	return MHD_YES;
}

static enum MHD_Result
access_handler(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
    const char *version, const char *upload_data, size_t *upload_data_size, void **con_cls)
{
	struct req *r = *con_cls;

	if (r == NULL) {
		if ((r = calloc(1, sizeof(*r))) == NULL)
			return MHD_NO;
		atomic_fetch_add(&in_flight, 1);
		*con_cls = r;
		r->conn = conn;
		r->app = cls;
		r->url = url;
		r->method = method;
		r->start_us = now_us();
		if (crypt_random_hex(8, r->rid) != 0)
			snprintf(r->rid, sizeof(r->rid), "norandom");
		log_set_request_id(r->rid);
		client_ip(conn, &r->app->cfg, r->ip, sizeof(r->ip));
		r->started = 1;
		conns_phase(conn, CONN_BODY);
		return first_call(r);
	}
	log_set_request_id(r->rid);
	if (r->replied) {
		/* An early reply was queued; drop whatever body still arrives. */
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (*upload_data_size > 0) {
		/* Chunked bodies carry no Content-Length: the bytes are counted as they come. */
		r->body_seen += *upload_data_size;
		if (r->body_seen > r->body_max)
			r->body_over = 1;
		else if (r->route->chunk != NULL)
			r->route->chunk(r, upload_data, *upload_data_size);
		else if (buf_append(&r->body, upload_data, *upload_data_size) != 0)
			r->body_over = 1;
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (r->resumed)
		return r->route->handler(r);
	if (r->body_over)
		return reply_error(r, ERR_TOO_LARGE, NULL);
	conns_phase(conn, CONN_REPLY);
	if (r->route->max_body == 0 && r->body.len > 0)
		return reply_error(r, ERR_MALFORMED, "This address takes no request body.");
	/* An urlencoded form (streaming multipart forms check their own field). */
	if ((r->route->flags & R_FORM) && r->route->chunk == NULL &&
	    !is_safe_method(r->method)) {
		if (page_form_parse(r) != 0)
			return reply_error(r, ERR_MALFORMED, "The form could not be read.");
		if (r->csrf_form && !page_csrf_ok(r, page_form_get(r, "csrf")))
			return reply_error(r, ERR_CSRF, NULL);
	}
	return r->route->handler(r);
}

static void
completed(void *cls, struct MHD_Connection *conn, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct req *r = *con_cls;

	if (r == NULL)
		return;
	/* The next request on this connection has header_timeout from now. */
	conns_phase(conn, CONN_HEADERS);
	log_set_request_id(r->rid);
	log_info("%s %.200s %u %lldus%s", r->method, r->url, r->status,
	    (long long)(now_us() - r->start_us),
	    toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " (aborted)");
	log_set_request_id(NULL);
	if (r->stream_free)
		r->stream_free(r->stream);
	buf_free(&r->body);
	if (r->form != NULL) {
		page_form_free(r->form);
		free(r->form);
	}
	free(r);
	*con_cls = NULL;
	atomic_fetch_sub(&in_flight, 1);
}

enum MHD_Result
req_offload(struct req *r, void (*work)(void *), void *arg)
{
	pthread_mutex_lock(&off_mu);
	if (!off_running || off_len == off_cap) {
		pthread_mutex_unlock(&off_mu);
		r->retry_after = 1;
		return reply_error(r, ERR_RATE_LIMITED, NULL);
	}
	/* Suspended before it is queued: the resume can never come first. */
	MHD_suspend_connection(r->conn);
	off_q[(off_head + off_len) % off_cap] = (struct offload_job){ r, work, arg };
	off_len++;
	pthread_cond_signal(&off_cv);
	pthread_mutex_unlock(&off_mu);
	return MHD_YES;
}

static void *
offload_main(void *unused)
{
	struct offload_job j;

	pthread_mutex_lock(&off_mu);
	for (;;) {
		while (off_running && off_len == 0)
			pthread_cond_wait(&off_cv, &off_mu);
		if (off_len == 0)
			break;
		j = off_q[off_head];
		off_head = (off_head + 1) % off_cap;
		off_len--;
		pthread_mutex_unlock(&off_mu);
		j.work(j.arg);
		j.r->resumed = 1;
		MHD_resume_connection(j.r->conn);
		pthread_mutex_lock(&off_mu);
	}
	pthread_mutex_unlock(&off_mu);
	return NULL;
}

static int
offload_start(const struct config *cfg)
{
	off_cap = (size_t)cfg->login_kdf_queue;
	if ((off_q = calloc(off_cap, sizeof(*off_q))) == NULL)
		return -1;
	off_running = 1;
	for (off_nthreads = 0; off_nthreads < (size_t)cfg->login_kdf_concurrency &&
	    off_nthreads < OFFLOAD_THREADS_MAX; off_nthreads++)
		if (pthread_create(&off_threads[off_nthreads], NULL, offload_main, NULL) != 0)
			break;
	return off_nthreads > 0 ? 0 : -1;
}

/* After the daemon has stopped taking requests: the queue drains, then the threads end. */
static void
offload_stop(void)
{
	size_t i;

	pthread_mutex_lock(&off_mu);
	off_running = 0;
	pthread_cond_broadcast(&off_cv);
	pthread_mutex_unlock(&off_mu);
	for (i = 0; i < off_nthreads; i++)
		pthread_join(off_threads[i], NULL);
	off_nthreads = 0;
	free(off_q);
	off_q = NULL;
}

static int
parse_listen(const char *listen, struct sockaddr_storage *ss, socklen_t *len)
{
	char host[64];
	const char *colon = strrchr(listen, ':');
	int64_t port;
	size_t hl;

	if (colon == NULL || strict_int64(colon + 1, 0, 65535, &port) != 0)
		return -1;
	hl = (size_t)(colon - listen);
	if (hl >= sizeof(host))
		return -1;
	memcpy(host, listen, hl);
	host[hl] = '\0';
	memset(ss, 0, sizeof(*ss));
	if (host[0] == '[' && hl > 2 && host[hl - 1] == ']') {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		host[hl - 1] = '\0';
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		*len = sizeof(*s6);
		return inet_pton(AF_INET6, host + 1, &s6->sin6_addr) == 1 ? 0 : -1;
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		*len = sizeof(*s4);
		return inet_pton(AF_INET, host, &s4->sin_addr) == 1 ? 0 : -1;
	}
}

static void
mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[512];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	log_warn("mhd: %s", msg);
}

int
http_serve(struct app *app)
{
	const struct config *cfg = &app->cfg;
	struct sockaddr_storage ss;
	socklen_t sslen;
	struct MHD_Daemon *d;
	sigset_t set;
	unsigned threads;
	int sig = 0;
	int64_t deadline;

	if (parse_listen(cfg->listen, &ss, &sslen) != 0) {
		log_error("serve: cannot use listen address '%s'", cfg->listen);
		return -1;
	}
	threads = cfg->threads > 0 ? (unsigned)cfg->threads :
	    (unsigned)sysconf(_SC_NPROCESSORS_ONLN);
	if (threads == 0)
		threads = 1;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (conns_start(cfg) != 0 || offload_start(cfg) != 0) {
		log_error("serve: cannot start the connection reaper or the offload threads");
		conns_stop();
		offload_stop();
		return -1;
	}
	/* Block the signals in every thread; the main thread takes them with sigwait. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC |
	    MHD_ALLOW_SUSPEND_RESUME |
	    MHD_USE_ERROR_LOG | (ss.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0),
	    0, conns_accept, NULL, access_handler, app,
	    MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
	    MHD_OPTION_THREAD_POOL_SIZE, threads,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)cfg->max_connections,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)cfg->per_ip_connections,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)cfg->connection_timeout,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)cfg->connection_memory_limit,
	    MHD_OPTION_NOTIFY_COMPLETED, completed, NULL,
	    MHD_OPTION_NOTIFY_CONNECTION, conns_notify, NULL,
	    MHD_OPTION_UNESCAPE_CALLBACK, no_unescape, NULL,
	    MHD_OPTION_END);
	if (d == NULL) {
		log_error("serve: cannot listen on %s: %s", cfg->listen, strerror(errno));
		conns_stop();
		offload_stop();
		return -1;
	}
	log_info("serving on http://%s with %u threads (data %s)", cfg->listen, threads,
	    cfg->data_dir);
	if (notify_sender_start(cfg) != 0)
		log_error("serve: the notification sender did not start; messages wait in the "
		    "outbox");
	while (sigwait(&set, &sig) != 0)
		;
	log_info("signal %d: finishing in-flight requests", sig);
	MHD_quiesce_daemon(d);
	deadline = now_us() + cfg->shutdown_grace * 1000000;
	while (atomic_load(&in_flight) > 0 && now_us() < deadline) {
		struct timespec ts = { 0, 10 * 1000 * 1000 };

		nanosleep(&ts, NULL);
	}
	if (atomic_load(&in_flight) > 0)
		log_warn("shutdown: %d requests still open after the grace period",
		    atomic_load(&in_flight));
	offload_stop();
	MHD_stop_daemon(d);
	conns_stop();
	notify_sender_stop();
	db_thread_close();
	curl_global_cleanup();
	log_info("stopped");
	return 0;
}
