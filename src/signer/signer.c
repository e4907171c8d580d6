#include "signer/signer.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "signer/p11.h"
#include "util/log.h"

#define SIG_MAX		512

struct request {
	uint64_t	seq;
	char		label[72];
	unsigned char	digest[32];
};

struct reply {
	uint64_t	seq;
	int32_t		status;		/* enum signer_err */
	uint32_t	len;
	unsigned char	sig[SIG_MAX];
};

static const char *const err_names[SIGNER_ERR__MAX] = {
	[SIGNER_OK] = "ok",
	[SIGNER_ERR_ARG] = "bad_request",
	[SIGNER_ERR_DOWN] = "signer_down",
	[SIGNER_ERR_TIMEOUT] = "signer_timeout",
	[SIGNER_ERR_NOKEY] = "no_key",
	[SIGNER_ERR_SIGN] = "sign_refused",
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int	sock = -1;
static pid_t	child = -1;
static uint64_t	next_seq = 1;
static int	timeout_ms = 5000;

const char *
signer_strerror(int err)
{
	if (err < 0 || err >= SIGNER_ERR__MAX)
		return "unknown";
	return err_names[err];
}

int
signer_pid(void)
{
	return (int)child;
}

static int
send_all(int fd, const void *p, size_t len)
{
	ssize_t n;

	do
		n = send(fd, p, len, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	return n == (ssize_t)len ? 0 : -1;
}

/* The child: answers until the other end closes. */
static void
serve_loop(int fd, struct p11 *p)
{
	struct request rq;
	struct reply rp;
	size_t len;
	ssize_t n;
	int e;

	for (;;) {
		n = recv(fd, &rq, sizeof(rq), 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		memset(&rp, 0, sizeof(rp));
		rp.seq = rq.seq;
		rq.label[sizeof(rq.label) - 1] = '\0';
		len = sizeof(rp.sig);
		if ((size_t)n != sizeof(rq) || !p11_label_ok(rq.label))
			rp.status = SIGNER_ERR_ARG;
		else if ((e = p11_sign(p, rq.label, rq.digest, 32, rp.sig, &len)) == P11_OK) {
			rp.status = SIGNER_OK;
			rp.len = (uint32_t)len;
		} else
			rp.status = e == P11_ERR_NOKEY ? SIGNER_ERR_NOKEY : SIGNER_ERR_SIGN;
		if (send_all(fd, &rp, sizeof(rp)) != 0)
			return;
	}
}

static void
run_child(int fd, const struct config *cfg)
{
	struct p11 *p = NULL;
	int32_t ready;

	if (fd > 3)
		close_range(3, (unsigned)fd - 1, 0);
	close_range((unsigned)fd + 1, ~0U, 0);
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	prctl(PR_SET_NAME, "suraksha-signer");
	/* the server's signals are the server's; this ends when its socket closes */
	signal(SIGINT, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	ready = p11_open(cfg, &p);
	if (send_all(fd, &ready, sizeof(ready)) != 0 || ready != P11_OK) {
		p11_close(p);
		_exit(ready == P11_OK ? 1 : 2);
	}
	serve_loop(fd, p);
	p11_close(p);
	_exit(0);
}

int
signer_start(const struct config *cfg)
{
	int sv[2];
	int32_t ready = -1;
	struct pollfd pf;
	ssize_t n;

	if (sock >= 0)
		return SIGNER_OK;
	timeout_ms = (int)cfg->signer_timeout_ms;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0)
		return SIGNER_ERR_DOWN;
	fflush(NULL);
	if ((child = fork()) < 0) {
		close(sv[0]);
		close(sv[1]);
		return SIGNER_ERR_DOWN;
	}
	if (child == 0) {
		close(sv[0]);
		run_child(sv[1], cfg);
	}
	close(sv[1]);
	sock = sv[0];
	/* Logging in can be slow on a network HSM: give it ten request timeouts. */
	pf.fd = sock;
	pf.events = POLLIN;
	if (poll(&pf, 1, timeout_ms * 10) != 1 ||
	    (n = recv(sock, &ready, sizeof(ready), 0)) != (ssize_t)sizeof(ready) ||
	    ready != P11_OK) {
		log_error("signer: the signer process could not reach the token (%s)",
		    ready >= 0 ? p11_strerror(ready) : "no answer");
		signer_stop();
		return SIGNER_ERR_DOWN;
	}
	return SIGNER_OK;
}

void
signer_stop(void)
{
	if (sock >= 0)
		close(sock);
	sock = -1;
	if (child > 0)
		waitpid(child, NULL, 0);
	child = -1;
}

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Under the lock: one request and its answer, dropping answers to earlier requests that
 * timed out. */
static int
exchange(const struct request *rq, struct reply *rp)
{
	int64_t deadline = now_ms() + timeout_ms, left;
	struct pollfd pf;
	ssize_t n;
	int r;

	if (sock < 0)
		return SIGNER_ERR_DOWN;
	if (send_all(sock, rq, sizeof(*rq)) != 0)
		return SIGNER_ERR_DOWN;
	for (;;) {
		if ((left = deadline - now_ms()) <= 0)
			return SIGNER_ERR_TIMEOUT;
		pf.fd = sock;
		pf.events = POLLIN;
		r = poll(&pf, 1, (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0)
			return SIGNER_ERR_TIMEOUT;
		if (r < 0)
			return SIGNER_ERR_DOWN;
		n = recv(sock, rp, sizeof(*rp), 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n != (ssize_t)sizeof(*rp))
			return SIGNER_ERR_DOWN;
		if (rp->seq == rq->seq)
			return SIGNER_OK;
	}
}

int
signer_sign(const char *label, const unsigned char digest[32], unsigned char *sig,
    size_t *siglen)
{
	struct request rq;
	struct reply rp;
	int rc;

	if (!p11_label_ok(label) || strlen(label) >= sizeof(rq.label))
		return SIGNER_ERR_ARG;
	memset(&rq, 0, sizeof(rq));
	memcpy(rq.label, label, strlen(label));
	memcpy(rq.digest, digest, 32);
	pthread_mutex_lock(&lock);
	rq.seq = next_seq++;
	rc = exchange(&rq, &rp);
	pthread_mutex_unlock(&lock);
	if (rc != SIGNER_OK) {
		log_error("signer: request for '%s': %s", label, signer_strerror(rc));
		return rc;
	}
	if (rp.status != SIGNER_OK)
		return rp.status > 0 && rp.status < SIGNER_ERR__MAX ? rp.status : SIGNER_ERR_SIGN;
	if (rp.len == 0 || rp.len > sizeof(rp.sig) || rp.len > *siglen)
		return SIGNER_ERR_SIGN;
	memcpy(sig, rp.sig, rp.len);
	*siglen = rp.len;
	return SIGNER_OK;
}
