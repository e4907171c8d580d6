/* Malware scanning through ClamAV's daemon (clamd), its INSTREAM command over the local
 * socket: "zINSTREAM\0", then chunks of <4-byte big-endian length><bytes>, a zero length,
 * and clamd answers "stream: OK", "stream: <signature> FOUND" or "... ERROR", ending in a
 * NUL. The bytes are streamed from the file with pread in 64 KB chunks, so the server
 * never holds a file in memory; nothing here parses the bytes.
 *
 * Fail closed: clamd not running, not answering within the timeout (one deadline for the
 * whole scan), refusing the stream (its StreamMaxLength) or answering anything but OK or
 * FOUND is INTAKE_SCANNER_UNAVAILABLE, and the caller stores nothing. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "intake/intake_int.h"

#define CLAMD_CHUNK	(64u * 1024)
#define CLAMD_REPLY_MAX	512

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits for fd to be ready for events before the deadline: 0 ready, -1 timeout/error. */
static int
wait_ready(int fd, short events, int64_t deadline)
{
	struct pollfd p = { fd, events, 0 };
	int64_t left;
	int r;

	for (;;) {
		if ((left = deadline - now_ms()) <= 0)
			return -1;
		r = poll(&p, 1, (int)(left > 60000 ? 60000 : left));
		if (r > 0)
			return 0;
		if (r < 0 && errno != EINTR)
			return -1;
	}
}

static int
send_all(int fd, const void *data, size_t len, int64_t deadline)
{
	const char *p = data;
	ssize_t w;

	while (len > 0) {
		w = send(fd, p, len, MSG_NOSIGNAL);
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if (wait_ready(fd, POLLOUT, deadline) != 0)
				return -1;
			continue;
		}
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

static int
connect_clamd(const char *path, int64_t deadline)
{
	struct sockaddr_un sa;
	int fd, err = 0;
	socklen_t el = sizeof(err);

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa.sun_path))
		return -1;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)) < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
		return fd;
	if ((errno == EAGAIN || errno == EINPROGRESS) && wait_ready(fd, POLLOUT, deadline) == 0 &&
	    getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) == 0 && err == 0)
		return fd;
	close(fd);
	return -1;
}

/* Reads clamd's answer up to its NUL (or EOF) into reply. 0 ok, -1 timeout/error. */
static int
read_reply(int fd, char *reply, size_t cap, int64_t deadline)
{
	size_t got = 0;
	ssize_t r;

	while (got + 1 < cap) {
		r = recv(fd, reply + got, cap - 1 - got, 0);
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if (wait_ready(fd, POLLIN, deadline) != 0)
				return -1;
			continue;
		}
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		got += (size_t)r;
		if (memchr(reply + got - (size_t)r, '\0', (size_t)r) != NULL)
			break;
	}
	reply[got] = '\0';
	got = strlen(reply);
	while (got > 0 && (reply[got - 1] == '\n' || reply[got - 1] == '\r'))
		reply[--got] = '\0';
	return got > 0 ? 0 : -1;
}

/* Streams the file; 0 sent, -1 failed (clamd may have closed early: its reply says why). */
static int
stream_file(int sock, int fd, int64_t deadline)
{
	unsigned char buf[4 + CLAMD_CHUNK];
	uint64_t off = 0;
	ssize_t n;

	if (send_all(sock, "zINSTREAM", 10, deadline) != 0)
		return -1;
	for (;;) {
		n = pread(fd, buf + 4, CLAMD_CHUNK, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		buf[0] = (unsigned char)((uint32_t)n >> 24);
		buf[1] = (unsigned char)((uint32_t)n >> 16);
		buf[2] = (unsigned char)((uint32_t)n >> 8);
		buf[3] = (unsigned char)n;
		if (send_all(sock, buf, 4 + (size_t)n, deadline) != 0)
			return -1;
		if (n == 0)
			return 0;
		off += (uint64_t)n;
	}
}

enum intake_code
intake_clamd_scan_fd(const char *socket_path, uint32_t timeout_ms, int fd,
    struct intake_result *res)
{
	int64_t deadline = now_ms() + (timeout_ms ? timeout_ms : 30000);
	char reply[CLAMD_REPLY_MAX];
	const char *body;
	size_t n;
	int sock, sent;

	if ((sock = connect_clamd(socket_path, deadline)) < 0)
		return intake_fail(res, INTAKE_SCANNER_UNAVAILABLE, "clamd %s: cannot connect: %s",
		    socket_path, strerror(errno));
	sent = stream_file(sock, fd, deadline);
	if (read_reply(sock, reply, sizeof(reply), deadline) != 0) {
		close(sock);
		return intake_fail(res, INTAKE_SCANNER_UNAVAILABLE, "clamd %s: %s", socket_path,
		    now_ms() >= deadline ? "no verdict within the timeout" : "no verdict");
	}
	close(sock);
	body = strncmp(reply, "stream: ", 8) == 0 ? reply + 8 : reply;
	n = strlen(body);
	if (sent == 0 && strcmp(body, "OK") == 0)
		return INTAKE_OK;
	if (n > 6 && strcmp(body + n - 6, " FOUND") == 0) {
		snprintf(res->signature, sizeof(res->signature), "%.*s", (int)(n - 6), body);
		return intake_fail(res, INTAKE_MALWARE, "clamd: %s", body);
	}
	return intake_fail(res, INTAKE_SCANNER_UNAVAILABLE, "clamd %s: %.200s", socket_path,
	    reply);
}

enum intake_code
intake_clamd_scan_path(const char *socket_path, uint32_t timeout_ms, const char *path,
    struct intake_result *res)
{
	enum intake_code c;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0)
		return intake_fail(res, INTAKE_INTERNAL, "open %s: %s", path, strerror(errno));
	c = intake_clamd_scan_fd(socket_path, timeout_ms, fd, res);
	close(fd);
	return c;
}
