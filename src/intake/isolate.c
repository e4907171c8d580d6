/* Runs one deep check (qpdf on a PDF, libjpeg on a multi-scan JPEG, libpng on a PNG) in a
 * child process with an address-space, a CPU and a wall-clock limit: the checks whose
 * memory is not bounded by a fixed budget. qpdf (11.x) inflates every object stream and
 * xref stream it needs into one buffer with no size limit, so a 300 KB upload can make it
 * allocate gigabytes; libjpeg keeps every coefficient of a progressive or multi-scan JPEG
 * (240 MB for a 40 Mpx colour image); libpng keeps a few rows (a 40-million-pixel-wide
 * row is 320 MB) and every text chunk it inflated (4 MB each). All three are large parsers
 * of hostile bytes. A child that dies before writing its verdict was stopped by a limit,
 * and the file is refused as too complex (the kind's limit code).
 *
 * Children are forked by a helper process that intake_init() forks at start-up, while the
 * server is still single-threaded: forking a multi-threaded server per upload would copy
 * locks that other threads hold (ASan's allocator deadlocks that way; other allocators
 * and C++ runtime guards can too). The helper is single-threaded, so its forks are clean.
 * A request is one SOCK_SEQPACKET message carrying the check kind, its limits, a file
 * with the bytes (the upload's own file when there is one, else a memfd holding a copy:
 * either way the server does not fault the bytes into its own memory) and the write end
 * of a reply socket; the child writes the verdict there.
 * Without intake_init() the calling process forks directly (tools, tests of one thread). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "intake/intake_int.h"
#include "util/crypt.h"
#include "util/log.h"

struct verdict {
	int		code;
	char		detail[256];
	/* INTAKE_CHECK_UPLOAD: what the content is, a refused entry, and how many
	 * struct intake_entry follow the verdict on the socket */
	int		type;
	char		entry[INTAKE_NAME_MAX];
	uint64_t	n_entries;
};

struct request {
	uint64_t		len;
	uint32_t		kind;		/* enum intake_check_kind */
	uint64_t		mem;		/* address-space budget over the inherited size */
	uint32_t		cpu;		/* CPU seconds */
	uint32_t		wall;		/* wall-clock seconds */
	struct intake_limits	lim;		/* pointers in it are not followed */
	char			tmp_dir[PATH_MAX];	/* UPLOAD: where entries go; "" none */
};

typedef enum intake_code (*check_fn)(const unsigned char *, size_t,
	    const struct intake_limits *, struct intake_result *);

/* What each kind runs, and the refusal when its child is stopped by a limit. */
static const struct {
	check_fn		 fn;
	enum intake_type	 type;
	enum intake_code	 limit_code;
} kinds[INTAKE_CHECK__MAX] = {
	[INTAKE_CHECK_PDF] = { intake_pdf_check, INTAKE_TYPE_PDF, INTAKE_PDF_TOO_COMPLEX },
	[INTAKE_CHECK_JPEG] = { intake_jpeg_check, INTAKE_TYPE_JPEG, INTAKE_IMAGE_TOO_COMPLEX },
	[INTAKE_CHECK_PNG] = { intake_png_check, INTAKE_TYPE_PNG, INTAKE_IMAGE_TOO_COMPLEX },
	/* issue 10: run by run_child itself (it takes the entry folder) */
	[INTAKE_CHECK_UPLOAD] = { NULL, INTAKE_TYPE_NONE, INTAKE_TOO_COMPLEX },
};

/* The budget of a kind: 0 memory means run in-process without limits. */
static void
kind_limits(enum intake_check_kind kind, const struct intake_limits *lim, uint64_t *mem,
    uint32_t *cpu, uint32_t *wall)
{
	if (kind == INTAKE_CHECK_PDF) {
		*mem = lim->pdf_memory_max_bytes;
		*cpu = lim->pdf_cpu_seconds;
	} else if (kind == INTAKE_CHECK_UPLOAD) {
		*mem = lim->upload_memory_max_bytes;
		*cpu = lim->upload_cpu_seconds;
	} else {
		*mem = lim->image_memory_max_bytes;
		*cpu = lim->image_cpu_seconds;
	}
	if (*cpu == 0)
		*cpu = 10;
	*wall = kind == INTAKE_CHECK_UPLOAD && lim->upload_wall_seconds ?
	    lim->upload_wall_seconds : *cpu * 3;
}

static int	helper_fd = -1;
static pid_t	helper_pid = -1;

/* The address-space limit counts what the child inherited (libraries, the mapped bytes),
 * so the budget is added to the current size. The alarm ends a child that sleeps. */
static void
limit_child(uint64_t mem, unsigned cpu, unsigned wall, int soft_only)
{
	struct rlimit rl;
	unsigned long long pages = 0;
	char buf[128];
	ssize_t n;
	int fd;

	alarm(wall);
	rl.rlim_cur = cpu;
	rl.rlim_max = cpu + 1;
	if (soft_only && getrlimit(RLIMIT_CPU, &rl) == 0)
		rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || cpu < rl.rlim_max ? cpu : rl.rlim_max;
	setrlimit(RLIMIT_CPU, &rl);
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
	/* The upload child forks its own limited children (a PDF in a ZIP), which set their
	 * own budget: the hard limit stays where it was so that they may. */
	if (soft_only && getrlimit(RLIMIT_AS, &rl) == 0)
		rl.rlim_cur = pages * (unsigned long long)sysconf(_SC_PAGESIZE) + mem;
	if (setrlimit(RLIMIT_AS, &rl) != 0)
		_exit(3);
}

static int
write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	ssize_t w;

	while (len > 0) {
		w = write(fd, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

/* In the child: check, write the verdict, exit without running atexit handlers. */
static void
run_child(int fd, const struct request *rq, const unsigned char *d)
{
	struct intake_result res;
	struct verdict v;

	limit_child(rq->mem, rq->cpu, rq->wall, rq->kind == INTAKE_CHECK_UPLOAD);
	memset(&res, 0, sizeof(res));
	memset(&v, 0, sizeof(v));
	if (rq->kind == INTAKE_CHECK_UPLOAD)
		v.code = (int)intake_validate_bytes(d, (size_t)rq->len, &rq->lim,
		    rq->tmp_dir[0] ? rq->tmp_dir : NULL, &res);
	else
		v.code = (int)kinds[rq->kind].fn(d, (size_t)rq->len, &rq->lim, &res);
	memcpy(v.detail, res.detail, sizeof(v.detail));
	v.detail[sizeof(v.detail) - 1] = '\0';
	v.type = (int)res.type;
	memcpy(v.entry, res.entry, sizeof(v.entry));
	v.entry[sizeof(v.entry) - 1] = '\0';
	v.n_entries = res.code == INTAKE_OK ? res.n_entries : 0;
	if (write_all(fd, &v, sizeof(v)) != 0 ||
	    (v.n_entries > 0 && write_all(fd, res.entries, v.n_entries * sizeof(*res.entries))))
		_exit(4);
	_exit(0);
}

/* One request in the helper: fork a child that maps the memfd and answers on reply. */
static void
helper_serve(const struct request *rq, int memfd, int reply)
{
	void *map;

	if (fork() != 0)
		return;		/* the helper (or a failed fork: the requester sees EOF) */
	if (rq->len == 0 || rq->kind >= INTAKE_CHECK__MAX ||
	    (map = mmap(NULL, rq->len, PROT_READ, MAP_PRIVATE, memfd, 0)) == MAP_FAILED)
		_exit(5);
	run_child(reply, rq, map);
}

static void
helper_loop(int sock)
{
	char cbuf[CMSG_SPACE(2 * sizeof(int))];
	struct request rq;
	struct msghdr mh;
	struct cmsghdr *cm;
	struct iovec iov;
	ssize_t n;
	int fds[2];

	/* Keep only stdin/out/err and the request socket: listening sockets or the database
	 * the server opened before intake_init() must not live on in the helper. */
	if (sock > 3)
		close_range(3, (unsigned)sock - 1, 0);
	close_range((unsigned)sock + 1, ~0U, 0);
	signal(SIGCHLD, SIG_IGN);	/* children are reaped by the kernel */
	signal(SIGPIPE, SIG_DFL);
	signal(SIGALRM, SIG_DFL);
	signal(SIGXCPU, SIG_DFL);
	/* Terminal and service-manager signals are for the server; the helper ends when the
	 * server's end of the socket closes, whatever way the server ends. */
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	/* libmagic's database loaded once here: every child inherits the open cookie. */
	intake_sniff_warm();
	for (;;) {
		memset(&mh, 0, sizeof(mh));
		iov.iov_base = &rq;
		iov.iov_len = sizeof(rq);
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		mh.msg_control = cbuf;
		mh.msg_controllen = sizeof(cbuf);
		n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			_exit(0);	/* the server closed its end: shut down */
		cm = CMSG_FIRSTHDR(&mh);
		if (cm == NULL || cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS ||
		    cm->cmsg_len != CMSG_LEN(2 * sizeof(int)))
			continue;
		memcpy(fds, CMSG_DATA(cm), sizeof(fds));
		if ((size_t)n == sizeof(rq))
			helper_serve(&rq, fds[0], fds[1]);
		close(fds[0]);
		close(fds[1]);
	}
}

enum intake_code
intake_init(void)
{
	int sv[2];
	pid_t pid;

	if (helper_fd >= 0)
		return INTAKE_OK;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0)
		return INTAKE_INTERNAL;
	if ((pid = fork()) < 0) {
		close(sv[0]);
		close(sv[1]);
		return INTAKE_INTERNAL;
	}
	if (pid == 0) {
		close(sv[0]);
		helper_loop(sv[1]);
	}
	close(sv[1]);
	helper_fd = sv[0];
	helper_pid = pid;
	return INTAKE_OK;
}

void
intake_shutdown(void)
{
	if (helper_fd < 0)
		return;
	close(helper_fd);
	helper_fd = -1;
	while (waitpid(helper_pid, NULL, 0) < 0 && errno == EINTR)
		;
	helper_pid = -1;
}

/* Reads len bytes from fd before the wall-clock limit: 0 all read, -1 not. */
static int
read_full(int fd, void *buf, size_t len, unsigned wall)
{
	struct pollfd pfd = { fd, POLLIN, 0 };
	size_t got = 0;
	ssize_t r;
	int pr;

	while (got < len) {
		pr = poll(&pfd, 1, (int)(wall + 5) * 1000);
		if (pr < 0 && errno == EINTR)
			continue;
		if (pr <= 0)
			return -1;
		r = read(fd, (char *)buf + got, len - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		got += (size_t)r;
	}
	return 0;
}

/* The entries an upload child wrote are taken only as files it could have written: a
 * fresh regular file named entry-XXXXXX in the entry folder, of the size and SHA-256 it
 * claims (recomputed here), so that a child taken over by a hostile file cannot make the
 * server store or remove any other file, or file bytes under another hash. */
static int
entry_file_ok(const struct request *rq, struct intake_entry *e)
{
	size_t dl = strlen(rq->tmp_dir);
	unsigned char buf[64 * 1024], dig[EVP_MAX_MD_SIZE];
	char sha[SHA256_HEX];
	struct stat st;
	EVP_MD_CTX *md = NULL;
	unsigned int dl2 = 0;
	uint64_t total = 0;
	ssize_t n = -1;
	int fd = -1, ok = 0;

	e->name[sizeof(e->name) - 1] = '\0';
	e->sha256[sizeof(e->sha256) - 1] = '\0';
	e->tmp_path[sizeof(e->tmp_path) - 1] = '\0';
	if (e->tmp_path[0] == '\0')
		return rq->tmp_dir[0] == '\0';
	if (dl == 0 || strncmp(e->tmp_path, rq->tmp_dir, dl) != 0 ||
	    strncmp(e->tmp_path + dl, "/entry-", 7) != 0 ||
	    strchr(e->tmp_path + dl + 1, '/') != NULL || strlen(e->tmp_path + dl) != 13)
		return 0;
	if ((fd = open(e->tmp_path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0 ||
	    fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_nlink != 1 ||
	    (uint64_t)st.st_size != e->size || (md = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1)
		goto out;
	while ((n = read(fd, buf, sizeof(buf))) > 0 &&
	    EVP_DigestUpdate(md, buf, (size_t)n) == 1)
		total += (uint64_t)n;
	if (n == 0 && total == e->size && EVP_DigestFinal_ex(md, dig, &dl2) == 1 &&
	    dl2 == SHA256_LEN) {
		crypt_hex(dig, SHA256_LEN, sha);
		ok = strcmp(sha, e->sha256) == 0;
	}
out:
	EVP_MD_CTX_free(md);
	if (fd >= 0)
		close(fd);
	return ok;
}

/* Reads the verdict (and, of an upload, its entries) from fd until EOF or the wall-clock
 * limit. */
static enum intake_code
read_verdict(int fd, const struct request *rq, struct intake_result *res)
{
	struct verdict v;
	struct intake_entry *ents = NULL;
	size_t i;

	if (read_full(fd, &v, sizeof(v), rq->wall) != 0 || v.code < 0 || v.code >= INTAKE__MAX)
		return intake_fail(res, kinds[rq->kind].limit_code,
		    "parser stopped before its verdict (memory or time limit)");
	v.detail[sizeof(v.detail) - 1] = '\0';
	v.entry[sizeof(v.entry) - 1] = '\0';
	if (rq->kind == INTAKE_CHECK_UPLOAD) {
		res->type = v.type > INTAKE_TYPE_NONE && v.type < INTAKE_TYPE__MAX ?
		    (enum intake_type)v.type : INTAKE_TYPE_NONE;
		memcpy(res->entry, v.entry, sizeof(res->entry));
	}
	if (v.n_entries > 0) {
		if (rq->kind != INTAKE_CHECK_UPLOAD || v.code != INTAKE_OK ||
		    v.n_entries > rq->lim.zip_max_entries ||
		    (ents = calloc((size_t)v.n_entries, sizeof(*ents))) == NULL ||
		    read_full(fd, ents, (size_t)v.n_entries * sizeof(*ents), rq->wall) != 0) {
			free(ents);
			return intake_fail(res, INTAKE_INTERNAL, "upload child: bad entry list");
		}
		res->entries = ents;
		res->n_entries = (size_t)v.n_entries;
		for (i = 0; i < res->n_entries; i++)
			if ((unsigned)ents[i].type >= INTAKE_TYPE__MAX ||
			    !entry_file_ok(rq, &ents[i])) {
				/* Not ours to remove: forget every path before failing. */
				for (i = 0; i < res->n_entries; i++)
					ents[i].tmp_path[0] = '\0';
				return intake_fail(res, INTAKE_INTERNAL,
				    "upload child: entry file does not match its claim");
			}
	}
	return intake_fail(res, (enum intake_code)v.code, "%s", v.detail);
}

/* Through the helper: 0 done (res set), -1 the helper is not usable. */
static int
via_helper(const struct request *rq, const unsigned char *d, size_t len, int fd,
    struct intake_result *res)
{
	char cbuf[CMSG_SPACE(2 * sizeof(int))];
	struct msghdr mh;
	struct cmsghdr *cm;
	struct iovec iov;
	int memfd = -1, rp[2] = { -1, -1 }, fds[2], rc = -1;
	size_t off = 0;
	ssize_t w;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, rp) != 0)
		goto out;
	if (fd < 0 && (memfd = memfd_create("intake-check", MFD_CLOEXEC)) < 0)
		goto out;
	while (memfd >= 0 && off < len) {
		w = write(memfd, d + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			goto out;
		off += (size_t)w;
	}
	memset(&mh, 0, sizeof(mh));
	memset(cbuf, 0, sizeof(cbuf));
	iov.iov_base = (void *)rq;
	iov.iov_len = sizeof(*rq);
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cbuf;
	mh.msg_controllen = sizeof(cbuf);
	cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(fds));
	fds[0] = fd >= 0 ? fd : memfd;
	fds[1] = rp[1];
	memcpy(CMSG_DATA(cm), fds, sizeof(fds));
	if (sendmsg(helper_fd, &mh, MSG_NOSIGNAL) != (ssize_t)sizeof(*rq))
		goto out;
	close(rp[1]);
	rp[1] = -1;
	read_verdict(rp[0], rq, res);
	rc = 0;
out:
	if (memfd >= 0)
		close(memfd);
	if (rp[0] >= 0)
		close(rp[0]);
	if (rp[1] >= 0)
		close(rp[1]);
	return rc;
}

/* Without the helper: fork the calling process (safe only while it has one thread). The
 * child reads the bytes through the mapping it inherited; its page faults are its own. */
static enum intake_code
via_fork(const struct request *rq, const unsigned char *d, struct intake_result *res)
{
	pid_t pid;
	int fds[2];

	if (pipe2(fds, O_CLOEXEC) != 0)
		return intake_fail(res, INTAKE_INTERNAL, "pipe: %s", strerror(errno));
	if ((pid = fork()) < 0) {
		close(fds[0]);
		close(fds[1]);
		return intake_fail(res, INTAKE_INTERNAL, "fork: %s", strerror(errno));
	}
	if (pid == 0) {
		close(fds[0]);
		run_child(fds[1], rq, d);
	}
	close(fds[1]);
	read_verdict(fds[0], rq, res);
	close(fds[0]);
	/* Fails with ECHILD when the server ignores SIGCHLD: the verdict is already in. */
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	return res->code;
}

static enum intake_code
run_isolated(enum intake_check_kind kind, const unsigned char *d, size_t len, int fd,
    const struct intake_limits *lim, const char *tmp_dir, struct intake_result *res)
{
	struct request rq;

	if ((unsigned)kind >= INTAKE_CHECK__MAX)
		return intake_fail(res, INTAKE_INTERNAL, "check kind %d", (int)kind);
	memset(&rq, 0, sizeof(rq));
	rq.len = len;
	rq.kind = (uint32_t)kind;
	rq.lim = *lim;
	rq.lim.clamd_socket = NULL;
	if (tmp_dir != NULL &&
	    snprintf(rq.tmp_dir, sizeof(rq.tmp_dir), "%s", tmp_dir) >= (int)sizeof(rq.tmp_dir))
		return intake_fail(res, INTAKE_INTERNAL, "tmp dir too long");
	kind_limits(kind, lim, &rq.mem, &rq.cpu, &rq.wall);
	if (rq.mem == 0)
		return kind == INTAKE_CHECK_UPLOAD ?
		    intake_validate_bytes(d, len, lim, tmp_dir, res) :
		    kinds[kind].fn(d, len, lim, res);
	if (kind != INTAKE_CHECK_UPLOAD)
		res->type = kinds[kind].type;
	if (helper_fd >= 0) {
		if (via_helper(&rq, d, len, fd, res) == 0)
			return res->code;
		log_warn("intake: check helper unusable (%s); forking directly", strerror(errno));
	}
	return via_fork(&rq, d, res);
}

enum intake_code
intake_check_isolated(enum intake_check_kind kind, const unsigned char *d, size_t len,
    int fd, const struct intake_limits *lim, struct intake_result *res)
{
	if (kind == INTAKE_CHECK_UPLOAD)
		return intake_fail(res, INTAKE_INTERNAL, "upload check without its folder");
	return run_isolated(kind, d, len, fd, lim, NULL, res);
}

enum intake_code
intake_check_upload_isolated(const unsigned char *d, size_t len, int fd,
    const struct intake_limits *lim, const char *tmp_dir, struct intake_result *res)
{
	return run_isolated(INTAKE_CHECK_UPLOAD, d, len, fd, lim, tmp_dir, res);
}
