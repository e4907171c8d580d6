#include "signer/signer.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "config.h"
#include "signer/p11.h"
#include "util/log.h"
#include "util/strict.h"

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

/* The child, after exec: log in, say so, answer until the server's end closes. */
static int
run_child(int fd, const struct config *cfg)
{
	struct p11 *p = NULL;
	int32_t ready;

	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() == 1)
		return 1;	/* the server is gone already */
	if (fd > 3)
		close_range(3, (unsigned)fd - 1, 0);
	close_range((unsigned)fd + 1, ~0U, 0);
	prctl(PR_SET_NAME, "suraksha-signer");
	/* the server's signals are the server's; this ends when its socket closes */
	signal(SIGINT, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	ready = p11_open(cfg, &p);
	if (send_all(fd, &ready, sizeof(ready)) != 0 || ready != P11_OK) {
		p11_close(p);
		return 2;
	}
	serve_loop(fd, p);
	p11_close(p);
	return 0;
}

/* What a new signer needs, kept from signer_start for restarts. */
static struct {
	char	program[1024];
	char	data[512];
	char	module[512];
	char	token[33];
	char	pin_file[1024];
} spawn_args = { "/proc/self/exe", "", "", "", "" };

void
signer_set_program(const char *path)
{
	snprintf(spawn_args.program, sizeof(spawn_args.program), "%s", path);
}

/* Under the lock (or before threads): a fresh signer image (fork+exec, which is safe from
 * a threaded server, unlike a bare fork), logged in, on sock. */
static int
spawn(void)
{
	char *argv[] = { (char *)"suraksha", (char *)"signer", (char *)"--fd", (char *)"3",
	    (char *)"--data", spawn_args.data, (char *)"--module", spawn_args.module,
	    (char *)"--token", spawn_args.token, (char *)"--pin-file", spawn_args.pin_file,
	    NULL };
	posix_spawn_file_actions_t fa;
	int32_t ready = -1;
	struct pollfd pf;
	int sv[2], cfd, rc;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0)
		return SIGNER_ERR_DOWN;
	/* dup2 onto 3 clears close-on-exec, unless the descriptor is 3 already */
	cfd = sv[1] == 3 ? fcntl(sv[1], F_DUPFD_CLOEXEC, 10) : sv[1];
	if (cfd < 0 || posix_spawn_file_actions_init(&fa) != 0) {
		close(sv[0]);
		close(sv[1]);
		return SIGNER_ERR_DOWN;
	}
	posix_spawn_file_actions_adddup2(&fa, cfd, 3);
	rc = posix_spawn(&pid, spawn_args.program, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (cfd != sv[1])
		close(cfd);
	close(sv[1]);
	if (rc != 0) {
		close(sv[0]);
		log_error("signer: cannot start %s: %s", spawn_args.program, strerror(rc));
		return SIGNER_ERR_DOWN;
	}
	sock = sv[0];
	child = pid;
	/* Logging in can be slow on a network HSM: give it ten request timeouts. */
	pf.fd = sock;
	pf.events = POLLIN;
	if (poll(&pf, 1, timeout_ms * 10) != 1 ||
	    recv(sock, &ready, sizeof(ready), 0) != (ssize_t)sizeof(ready) || ready != P11_OK) {
		log_error("signer: the signer process could not reach the token (%s)",
		    ready >= 0 ? p11_strerror(ready) : "no answer");
		signer_stop();
		return SIGNER_ERR_DOWN;
	}
	return SIGNER_OK;
}

int
signer_start(const struct config *cfg)
{
	if (sock >= 0)
		return SIGNER_OK;
	timeout_ms = (int)cfg->signer_timeout_ms;
	snprintf(spawn_args.data, sizeof(spawn_args.data), "%s", cfg->data_dir);
	snprintf(spawn_args.module, sizeof(spawn_args.module), "%s", cfg->pkcs11_module);
	snprintf(spawn_args.token, sizeof(spawn_args.token), "%s", cfg->pkcs11_token);
	if (p11_paths(cfg, spawn_args.pin_file, sizeof(spawn_args.pin_file)) != P11_OK)
		return SIGNER_ERR_DOWN;
	return spawn();
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

/* suraksha signer --fd N ...: the child's entry (not for people: serve starts it). */
int
cmd_signer(int argc, char **argv)
{
	struct config cfg;
	int64_t fd = -1;
	int i;

	config_defaults(&cfg, ".");
	for (i = 1; i + 1 < argc; i += 2) {
		const char *a = argv[i], *v = argv[i + 1];
		char *dst = NULL;
		size_t n = 0;

		if (strcmp(a, "--fd") == 0) {
			if (strict_int64(v, 3, 1024, &fd) != 0)
				return 2;
			continue;
		}
		if (strcmp(a, "--data") == 0) {
			dst = cfg.data_dir;
			n = sizeof(cfg.data_dir);
		} else if (strcmp(a, "--module") == 0) {
			dst = cfg.pkcs11_module;
			n = sizeof(cfg.pkcs11_module);
		} else if (strcmp(a, "--token") == 0) {
			dst = cfg.pkcs11_token;
			n = sizeof(cfg.pkcs11_token);
		} else if (strcmp(a, "--pin-file") == 0) {
			dst = cfg.pkcs11_pin_file;
			n = sizeof(cfg.pkcs11_pin_file);
		}
		if (dst == NULL || strlen(v) >= n)
			return 2;
		memcpy(dst, v, strlen(v) + 1);
	}
	if (fd < 3 || i != argc) {
		fprintf(stderr, "suraksha signer: started by serve, not by hand\n");
		return 2;
	}
	return run_child((int)fd, &cfg);
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
	if (rc == SIGNER_ERR_DOWN && spawn_args.data[0] != '\0') {
		/* the signer died (killed, crashed): a new one, and this request once more */
		log_warn("signer: the signer process is gone; starting a new one");
		signer_stop();
		if (spawn() == SIGNER_OK)
			rc = exchange(&rq, &rp);
	}
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
