/* suraksha tsa --data DIR --listen ADDR: the portal's small RFC 3161 time-stamping
 * authority for the demo and the tests (a licensed TSA in production, named by the
 * tsa_url setting). POST a TimeStampReq (application/timestamp-query) to any path; the
 * answer is a TimeStampResp (application/timestamp-reply). The key is the token's "tsa",
 * reached through this command's own signer process. */
#include <arpa/inet.h>
#include <limits.h>
#include <microhttpd.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "config.h"
#include "letters/pki.h"
#include "letters/sign.h"
#include "signer/signer.h"
#include "signer/tsa.h"
#include "util/buf.h"
#include "util/fsx.h"
#include "util/log.h"
#include "util/strict.h"
#include "util/timeutil.h"

struct body {
	struct buf	b;
	int		too_big;
};

static int
sign_by_signer(void *ctx, const unsigned char digest[32], unsigned char *sig, size_t *siglen)
{
	return signer_sign(ctx, digest, sig, siglen) == SIGNER_OK ? 0 : -1;
}

static enum MHD_Result
reply(struct MHD_Connection *c, unsigned status, const char *type, const void *data,
    size_t len)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len, (void *)data,
	    MHD_RESPMEM_MUST_COPY);
	enum MHD_Result ret;

	if (r == NULL)
		return MHD_NO;
	MHD_add_response_header(r, "Content-Type", type);
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result
handler(void *cls, struct MHD_Connection *c, const char *url, const char *method,
    const char *version, const char *upload, size_t *upload_len, void **state)
{
	const struct sig_key *key = cls;
	struct body *b = *state;
	const char *ct;
	struct buf out;
	enum MHD_Result ret;

	if (b == NULL) {
		if ((b = calloc(1, sizeof(*b))) == NULL)
			return MHD_NO;
		buf_init(&b->b, TSA_QUERY_MAX);
		*state = b;
		return MHD_YES;
	}
	if (*upload_len > 0) {
		if (buf_append(&b->b, upload, *upload_len) != 0)
			b->too_big = 1;
		*upload_len = 0;
		return MHD_YES;
	}
	if (strcmp(method, "POST") != 0)
		return reply(c, 405, "text/plain", "POST a TimeStampReq\n", 20);
	ct = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
	if (ct == NULL || strcmp(ct, "application/timestamp-query") != 0)
		return reply(c, 415, "text/plain", "application/timestamp-query wanted\n", 35);
	if (b->too_big)
		return reply(c, 413, "text/plain", "query too large\n", 16);
	buf_init(&out, 64 * 1024);
	if (tsa_respond((const unsigned char *)b->b.data, b->b.len, key, time_now(), &out) !=
	    TSA_OK)
		ret = reply(c, 500, "text/plain", "internal error\n", 15);
	else
		ret = reply(c, 200, "application/timestamp-reply", out.data, out.len);
	buf_free(&out);
	return ret;
}

static void
completed(void *cls, struct MHD_Connection *c, void **state,
    enum MHD_RequestTerminationCode toe)
{
	struct body *b = *state;

	if (b != NULL) {
		buf_free(&b->b);
		free(b);
	}
	*state = NULL;
}

static int
parse_addr(const char *listen, struct sockaddr_in *sa)
{
	char host[64];
	const char *colon = strrchr(listen, ':');
	int64_t port;

	if (colon == NULL || (size_t)(colon - listen) >= sizeof(host) ||
	    strict_int64(colon + 1, 1, 65535, &port) != 0)
		return -1;
	memcpy(host, listen, (size_t)(colon - listen));
	host[colon - listen] = '\0';
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_port = htons((uint16_t)port);
	return inet_pton(AF_INET, host, &sa->sin_addr) == 1 ? 0 : -1;
}

int
cmd_tsa(int argc, char **argv)
{
	struct cli_common cc = { "./storage", NULL, 0 };
	struct sig_key key = { NULL, NULL, sign_by_signer, (void *)"tsa", NULL, NULL, 0 };
	const char *listen = "127.0.0.1:8318", *v;
	struct MHD_Daemon *d = NULL;
	struct sockaddr_in sa;
	struct config cfg;
	char keys[PATH_MAX];
	sigset_t set;
	int i, r, sig, rc = EXIT_USAGE;

	for (i = 1; i < argc;) {
		if ((r = cli_common_opt(argc, argv, &i, &cc)) == 1)
			continue;
		if (r == 0 && (r = cli_opt(argc, argv, &i, "--listen", &v)) == 1) {
			listen = v;
			continue;
		}
		goto usage;
	}
	if (cc.help)
		goto usage;
	if (parse_addr(listen, &sa) != 0 || cli_load_config(&cc, &cfg) != 0)
		goto usage;
	if (fsx_join(keys, sizeof(keys), cfg.data_dir, "keys") != 0 ||
	    pki_load_chain(keys, "tsa.pem", &key.cert, &key.chain) != PKI_OK) {
		fprintf(stderr, "suraksha tsa: no TSA certificate in %s (run 'suraksha init')\n",
		    keys);
		goto out;
	}
	/* signals are taken by sigwait below, in every thread */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	if (signer_start(&cfg) != SIGNER_OK) {
		fprintf(stderr, "suraksha tsa: cannot reach the key token\n");
		rc = EXIT_NEGATIVE;
		goto out;
	}
	d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
	    MHD_USE_ERROR_LOG, 0, NULL, NULL, handler, &key,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
	    MHD_OPTION_THREAD_POOL_SIZE, 2u,
	    MHD_OPTION_CONNECTION_TIMEOUT, 10u,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024),
	    MHD_OPTION_NOTIFY_COMPLETED, completed, NULL,
	    MHD_OPTION_END);
	if (d == NULL) {
		fprintf(stderr, "suraksha tsa: cannot listen on %s\n", listen);
		rc = EXIT_NEGATIVE;
		goto out;
	}
	log_info("tsa: listening on %s", listen);
	sigwait(&set, &sig);
	rc = EXIT_OK;
out:
	if (d != NULL)
		MHD_stop_daemon(d);
	signer_stop();
	X509_free(key.cert);
	sk_X509_pop_free(key.chain, X509_free);
	return rc;
usage:
	fprintf(cc.help ? stdout : stderr, "usage: suraksha tsa [--data DIR] [--listen ADDR]\n"
	    "  an RFC 3161 time-stamping authority (the demo's and the tests'): POST a\n"
	    "  TimeStampReq; the key is the token's 'tsa', its certificate <data>/keys/tsa.pem.\n"
	    "  ADDR is IPv4 host:port, default 127.0.0.1:8318.\n");
	return cc.help ? EXIT_OK : EXIT_USAGE;
}
