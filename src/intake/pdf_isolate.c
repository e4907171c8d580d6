/* Runs the qpdf validation in a forked child with an address-space and a CPU limit.
 * qpdf (11.x) inflates every object stream and xref stream it needs into one buffer with
 * no size limit, so a 300 KB upload can make it allocate gigabytes; it also is a large
 * C++ parser of hostile bytes. The child only runs qpdf and writes its verdict to a pipe;
 * a child killed by a limit means the file is refused as too complex.
 *
 * Contract with the server: fork() from a worker thread is safe here because the child
 * calls only qpdf, malloc (glibc resets its locks across fork) and write, then _exit().
 * If the server ignores SIGCHLD the child is reaped automatically: a complete verdict on
 * the pipe is then enough. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "intake/intake_int.h"

struct verdict {
	int	code;
	char	detail[256];
};

/* The address-space limit counts what the child inherited (libraries, other threads'
 * stacks, the mapped upload), so the budget is added to the current size. */
static void
limit_child(const struct intake_limits *lim)
{
	struct rlimit rl;
	unsigned long long pages = 0;
	char buf[128];
	ssize_t n;
	int fd;

	rl.rlim_cur = lim->pdf_cpu_seconds ? lim->pdf_cpu_seconds : 10;
	rl.rlim_max = rl.rlim_cur + 1;
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
	rl.rlim_cur = rl.rlim_max = pages * (unsigned long long)sysconf(_SC_PAGESIZE) +
	    lim->pdf_memory_max_bytes;
	if (setrlimit(RLIMIT_AS, &rl) != 0)
		_exit(3);
}

static void
run_child(int fd, const unsigned char *d, size_t len, const struct intake_limits *lim)
{
	struct intake_result res;
	struct verdict v;
	const char *p = (const char *)&v;
	size_t left = sizeof(v);
	ssize_t w;

	limit_child(lim);
	memset(&res, 0, sizeof(res));
	memset(&v, 0, sizeof(v));
	v.code = (int)intake_pdf_check(d, len, lim, &res);
	memcpy(v.detail, res.detail, sizeof(v.detail));
	v.detail[sizeof(v.detail) - 1] = '\0';
	while (left > 0) {
		w = write(fd, p, left);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			_exit(4);
		p += w;
		left -= (size_t)w;
	}
	_exit(0);
}

enum intake_code
intake_pdf_check_isolated(const unsigned char *d, size_t len,
    const struct intake_limits *lim, struct intake_result *res)
{
	struct verdict v;
	size_t got = 0;
	ssize_t r;
	pid_t pid, w;
	int fds[2], st = 0, waited;

	if (lim->pdf_memory_max_bytes == 0)
		return intake_pdf_check(d, len, lim, res);
	res->type = INTAKE_TYPE_PDF;
	if (pipe2(fds, O_CLOEXEC) != 0)
		return intake_fail(res, INTAKE_INTERNAL, "pipe: %s", strerror(errno));
	if ((pid = fork()) < 0) {
		close(fds[0]);
		close(fds[1]);
		return intake_fail(res, INTAKE_INTERNAL, "fork: %s", strerror(errno));
	}
	if (pid == 0) {
		close(fds[0]);
		run_child(fds[1], d, len, lim);
	}
	close(fds[1]);
	while (got < sizeof(v)) {
		r = read(fds[0], (char *)&v + got, sizeof(v) - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(fds[0]);
	while ((w = waitpid(pid, &st, 0)) < 0 && errno == EINTR)
		;
	waited = w == pid;
	if (got == sizeof(v) && v.code >= 0 && v.code < INTAKE__MAX &&
	    (!waited || (WIFEXITED(st) && WEXITSTATUS(st) == 0))) {
		v.detail[sizeof(v.detail) - 1] = '\0';
		return intake_fail(res, (enum intake_code)v.code, "%s", v.detail);
	}
	if (waited && WIFSIGNALED(st))
		return intake_fail(res, INTAKE_PDF_TOO_COMPLEX,
		    "parser stopped by signal %d (memory or time limit)", WTERMSIG(st));
	return intake_fail(res, INTAKE_PDF_TOO_COMPLEX, "parser failed (status %d)",
	    waited && WIFEXITED(st) ? WEXITSTATUS(st) : -1);
}
