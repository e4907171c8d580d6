/* The limited worker processes that parse letters for verification (verify.h).
 *
 * qpdf inflates object and xref streams with no size limit, so one small hostile PDF can
 * take gigabytes and a minute of CPU (an xref-stream flate bomb: 3.9 MB, 57 s, 7.7 GB).
 * Uploads fork a child per file (intake/isolate.c); verification must run thousands of
 * times a second, so its workers are persistent: each is forked once, limited once
 * (RLIMIT_AS: what it inherited plus the budget), and then parses file after file. A file
 * gets a wall-clock alarm; a worker that dies (alarm, a crash, an allocation refused
 * inside qpdf) is not reused, its file is refused as too complex, and the next request
 * gets a fresh worker. A worker also retires after WORKER_JOBS files, so slow leaks or a
 * fragmented heap cannot build up.
 *
 * Forking a multi-threaded server is unsafe (locks held by other threads are copied), so
 * workers are forked by a single-threaded spawner process that verify_worker_start()
 * forks at start-up. The server asks it over a SOCK_SEQPACKET socket, passing a shared
 * memory file (memfd) that will carry the PDF bytes; the spawner forks the worker and
 * sends back the server's end of a new socket pair. Per file the server copies the bytes
 * into that shared memory and sends one small message; the worker answers with the parse
 * (struct verify_parsed, only as long as its /Contents). Cost over the in-process parse:
 * one copy of the file and two messages, a few microseconds (make bench prints it). */
#include "letters/verify.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/log.h"

#define MAX_WORKERS	16
#define WORKER_JOBS	20000
#define SHM_BYTES	(100ULL * 1000 * 1000)	/* the largest file verify_max_body allows */

struct worker {
	pthread_mutex_t	lock;
	int		fd;		/* -1: none running */
	unsigned char	*shm;		/* SHM_BYTES, shared with the worker */
	int		shm_fd;
	unsigned	jobs;
};

static struct {
	int		spawner_fd;
	pid_t		spawner_pid;
	pthread_mutex_t	spawn_lock;
	unsigned	n;
	uint64_t	mem;
	unsigned	seconds;
	struct worker	w[MAX_WORKERS];
	atomic_uint	next;
	atomic_ullong	jobs;
	atomic_ullong	spawned;
} pool = { .spawner_fd = -1, .spawner_pid = -1,
	.spawn_lock = PTHREAD_MUTEX_INITIALIZER };

struct spawn_req {
	uint64_t	mem;
	uint32_t	seconds;
};

struct job {
	uint64_t	len;
};

/* ---- in the worker ---- */

static void
worker_limits(uint64_t mem)
{
	struct rlimit rl;
	unsigned long long pages = 0;
	char buf[128];
	ssize_t n;
	int fd;

	if ((fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC)) < 0)
		_exit(3);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		_exit(3);
	buf[n] = '\0';
	if (sscanf(buf, "%llu", &pages) != 1)
		_exit(3);
	rl.rlim_cur = rl.rlim_max = pages * (unsigned long long)sysconf(_SC_PAGESIZE) + mem;
	if (setrlimit(RLIMIT_AS, &rl) != 0)
		_exit(3);
}

static int
send_all(int fd, const void *p, size_t len)
{
	ssize_t w;

	do
		w = send(fd, p, len, MSG_NOSIGNAL);
	while (w < 0 && errno == EINTR);
	return w == (ssize_t)len ? 0 : -1;
}

static void
worker_loop(int sock, int shm_fd, const struct spawn_req *sr)
{
	struct verify_parsed *p;
	unsigned char *shm;
	struct job j;
	ssize_t n;

	if ((shm = mmap(NULL, SHM_BYTES, PROT_READ, MAP_SHARED, shm_fd, 0)) == MAP_FAILED)
		_exit(5);
	close(shm_fd);
	if ((p = malloc(sizeof(*p))) == NULL)
		_exit(5);
	worker_limits(sr->mem);
	for (;;) {
		n = recv(sock, &j, sizeof(j), 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n != (ssize_t)sizeof(j) || j.len == 0 || j.len > SHM_BYTES)
			_exit(0);	/* the server closed its end, or a bad request */
		alarm(sr->seconds);
		verify_parse(shm, (size_t)j.len, p);
		alarm(0);
		if (send_all(sock, p, offsetof(struct verify_parsed, contents) + p->contents_len))
			_exit(0);
		/* a refused allocation may leave qpdf's heap in any state: start afresh */
		if (p->status == VR_TOO_COMPLEX)
			_exit(0);
	}
}

/* ---- in the spawner ---- */

static void
spawner_loop(int sock)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct spawn_req sr;
	struct msghdr mh;
	struct cmsghdr *cm;
	struct iovec iov;
	ssize_t n;
	int shm_fd, sv[2];

	if (sock > 3)
		close_range(3, (unsigned)sock - 1, 0);
	close_range((unsigned)sock + 1, ~0U, 0);
	{
		sigset_t none;

		/* the server may block signals for its own threads: not the alarm here */
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
	}
	signal(SIGCHLD, SIG_IGN);	/* workers are reaped by the kernel */
	signal(SIGPIPE, SIG_DFL);
	signal(SIGALRM, SIG_DFL);
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	for (;;) {
		memset(&mh, 0, sizeof(mh));
		iov.iov_base = &sr;
		iov.iov_len = sizeof(sr);
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		mh.msg_control = cbuf;
		mh.msg_controllen = sizeof(cbuf);
		n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			_exit(0);	/* the server is gone */
		cm = CMSG_FIRSTHDR(&mh);
		if (cm == NULL || cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS ||
		    cm->cmsg_len != CMSG_LEN(sizeof(int)))
			continue;
		memcpy(&shm_fd, CMSG_DATA(cm), sizeof(int));
		if ((size_t)n != sizeof(sr) ||
		    socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) {
			close(shm_fd);
			send_all(sock, "", 1);	/* no descriptor: the server sees a failure */
			continue;
		}
		switch (fork()) {
		case 0:
			close(sock);
			close(sv[0]);
			worker_loop(sv[1], shm_fd, &sr);
			_exit(0);
		case -1:
			break;
		default: {
			char rb[CMSG_SPACE(sizeof(int))];
			char one = 1;

			memset(&mh, 0, sizeof(mh));
			memset(rb, 0, sizeof(rb));
			iov.iov_base = &one;
			iov.iov_len = 1;
			mh.msg_iov = &iov;
			mh.msg_iovlen = 1;
			mh.msg_control = rb;
			mh.msg_controllen = sizeof(rb);
			cm = CMSG_FIRSTHDR(&mh);
			cm->cmsg_level = SOL_SOCKET;
			cm->cmsg_type = SCM_RIGHTS;
			cm->cmsg_len = CMSG_LEN(sizeof(int));
			memcpy(CMSG_DATA(cm), &sv[0], sizeof(int));
			(void)sendmsg(sock, &mh, MSG_NOSIGNAL);
		}
		}
		close(sv[0]);
		close(sv[1]);
		close(shm_fd);
	}
}

/* ---- in the server ---- */

int
verify_worker_start(unsigned nworkers, uint64_t mem_bytes, unsigned seconds)
{
	int sv[2];
	unsigned i;
	pid_t pid;

	if (pool.spawner_fd >= 0)
		return 0;
	if (nworkers == 0)
		nworkers = 1;
	if (nworkers > MAX_WORKERS)
		nworkers = MAX_WORKERS;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0)
		return -1;
	if ((pid = fork()) < 0) {
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	if (pid == 0) {
		close(sv[0]);
		spawner_loop(sv[1]);
	}
	close(sv[1]);
	pool.spawner_fd = sv[0];
	pool.spawner_pid = pid;
	pool.n = nworkers;
	pool.mem = mem_bytes;
	pool.seconds = seconds ? seconds : 10;
	for (i = 0; i < nworkers; i++) {
		pthread_mutex_init(&pool.w[i].lock, NULL);
		pool.w[i].fd = -1;
		pool.w[i].shm_fd = -1;
		pool.w[i].shm = NULL;
	}
	return 0;
}

void
verify_worker_stop(void)
{
	unsigned i;

	if (pool.spawner_fd < 0)
		return;
	for (i = 0; i < pool.n; i++) {
		struct worker *w = &pool.w[i];

		if (w->fd >= 0)
			close(w->fd);
		if (w->shm != NULL)
			munmap(w->shm, SHM_BYTES);
		if (w->shm_fd >= 0)
			close(w->shm_fd);
		pthread_mutex_destroy(&w->lock);
		memset(w, 0, sizeof(*w));
		w->fd = w->shm_fd = -1;
	}
	close(pool.spawner_fd);
	pool.spawner_fd = -1;
	while (waitpid(pool.spawner_pid, NULL, 0) < 0 && errno == EINTR)
		;
	pool.spawner_pid = -1;
}

void
verify_worker_stats(uint64_t *jobs, uint64_t *spawned)
{
	*jobs = atomic_load(&pool.jobs);
	*spawned = atomic_load(&pool.spawned);
}

/* A running worker in w (its lock held); -1 when none could be started. */
static int
worker_ensure(struct worker *w)
{
	char cbuf[CMSG_SPACE(sizeof(int))], one;
	struct spawn_req sr = { pool.mem, pool.seconds };
	struct msghdr mh;
	struct cmsghdr *cm;
	struct iovec iov;
	ssize_t n;
	int fd = -1;

	if (w->fd >= 0 && w->jobs < WORKER_JOBS)
		return 0;
	if (w->fd >= 0) {
		close(w->fd);	/* retired: it exits when it reads EOF */
		w->fd = -1;
	}
	if (w->shm == NULL) {
		if ((w->shm_fd = memfd_create("verify-pdf", MFD_CLOEXEC)) < 0 ||
		    ftruncate(w->shm_fd, (off_t)SHM_BYTES) != 0 ||
		    (w->shm = mmap(NULL, SHM_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED,
		    w->shm_fd, 0)) == MAP_FAILED) {
			if (w->shm_fd >= 0)
				close(w->shm_fd);
			w->shm_fd = -1;
			w->shm = NULL;
			return -1;
		}
	}
	memset(&mh, 0, sizeof(mh));
	memset(cbuf, 0, sizeof(cbuf));
	iov.iov_base = &sr;
	iov.iov_len = sizeof(sr);
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cbuf;
	mh.msg_controllen = sizeof(cbuf);
	cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &w->shm_fd, sizeof(int));
	pthread_mutex_lock(&pool.spawn_lock);
	if (sendmsg(pool.spawner_fd, &mh, MSG_NOSIGNAL) == (ssize_t)sizeof(sr)) {
		memset(&mh, 0, sizeof(mh));
		memset(cbuf, 0, sizeof(cbuf));
		iov.iov_base = &one;
		iov.iov_len = 1;
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		mh.msg_control = cbuf;
		mh.msg_controllen = sizeof(cbuf);
		do
			n = recvmsg(pool.spawner_fd, &mh, MSG_CMSG_CLOEXEC);
		while (n < 0 && errno == EINTR);
		cm = n > 0 ? CMSG_FIRSTHDR(&mh) : NULL;
		if (cm != NULL && cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS &&
		    cm->cmsg_len == CMSG_LEN(sizeof(int)))
			memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	}
	pthread_mutex_unlock(&pool.spawn_lock);
	if (fd < 0) {
		log_error("verify: cannot start a parser worker");
		return -1;
	}
	w->fd = fd;
	w->jobs = 0;
	atomic_fetch_add(&pool.spawned, 1);
	return 0;
}

/* The worker's answer, within its time limit; -1 when it died or ran out of time. */
static int
worker_answer(struct worker *w, struct verify_parsed *p)
{
	struct pollfd pfd = { w->fd, POLLIN, 0 };
	ssize_t n;
	int pr;

	do
		pr = poll(&pfd, 1, (int)(pool.seconds + 2) * 1000);
	while (pr < 0 && errno == EINTR);
	if (pr <= 0)
		return -1;
	do
		n = recv(w->fd, p, sizeof(*p), 0);
	while (n < 0 && errno == EINTR);
	if (n < (ssize_t)offsetof(struct verify_parsed, contents) ||
	    p->contents_len > VERIFY_MAX_SIG_DER ||
	    (size_t)n != offsetof(struct verify_parsed, contents) + p->contents_len)
		return -1;
	p->ref[sizeof(p->ref) - 1] = '\0';
	return 0;
}

int
verify_worker_parse(const unsigned char *data, size_t len, struct verify_parsed *p)
{
	struct job j = { len };
	struct worker *w;
	unsigned i;

	if (pool.spawner_fd < 0)
		return -1;
	memset(p, 0, offsetof(struct verify_parsed, contents));
	p->status = VR_TOO_COMPLEX;
	if (len == 0 || len > SHM_BYTES)
		return 0;
	/* a free worker if there is one, else wait for one in turn */
	for (i = 0; i < pool.n; i++)
		if (pthread_mutex_trylock(&pool.w[i].lock) == 0)
			break;
	if (i == pool.n) {
		i = atomic_fetch_add(&pool.next, 1) % pool.n;
		pthread_mutex_lock(&pool.w[i].lock);
	}
	w = &pool.w[i];
	if (worker_ensure(w) != 0) {
		pthread_mutex_unlock(&w->lock);
		return -2;	/* no worker: the verification cannot be made now */
	}
	memcpy(w->shm, data, len);
	w->jobs++;
	atomic_fetch_add(&pool.jobs, 1);
	/* a worker that ended since its last file (retired, killed from outside) is replaced
	 * once; one that fails on this file is not given it again */
	if (send_all(w->fd, &j, sizeof(j)) != 0) {
		close(w->fd);
		w->fd = -1;
		if (worker_ensure(w) != 0) {
			pthread_mutex_unlock(&w->lock);
			return -2;
		}
		if (send_all(w->fd, &j, sizeof(j)) != 0)
			goto stopped;
	}
	if (worker_answer(w, p) != 0)
		goto stopped;
	if (p->status == VR_TOO_COMPLEX) {
		close(w->fd);	/* it exits after such a file */
		w->fd = -1;
	}
	pthread_mutex_unlock(&w->lock);
	return 0;
stopped:
	/* stopped by a limit, or crashed: never reused (it ends on EOF or its alarm) */
	close(w->fd);
	w->fd = -1;
	memset(p, 0, offsetof(struct verify_parsed, contents));
	p->status = VR_TOO_COMPLEX;
	log_warn("verify: a parser worker stopped (memory or time limit)");
	pthread_mutex_unlock(&w->lock);
	return 0;
}
