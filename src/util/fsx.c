#include "util/fsx.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int
fsx_join(char *out, size_t outlen, const char *dir, const char *name)
{
	int n = snprintf(out, outlen, "%s/%s", dir, name);

	return n < 0 || (size_t)n >= outlen ? -1 : 0;
}

int
fsx_mkdirs(const char *path, mode_t mode)
{
	char tmp[PATH_MAX];
	size_t i, n = strlen(path);

	if (n == 0 || n >= sizeof(tmp))
		return -1;
	memcpy(tmp, path, n + 1);
	for (i = 1; i <= n; i++) {
		if (tmp[i] != '/' && tmp[i] != '\0')
			continue;
		tmp[i] = '\0';
		if (mkdir(tmp, mode) != 0 && errno != EEXIST)
			return -1;
		tmp[i] = i < n ? '/' : '\0';
	}
	return 0;
}

int
fsx_fsync_dir(const char *path)
{
	char tmp[PATH_MAX];
	struct stat st;
	const char *dir = path;
	int fd, rc;

	if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode)) {
		if (strlen(path) >= sizeof(tmp))
			return -1;
		memcpy(tmp, path, strlen(path) + 1);
		dir = dirname(tmp);
	}
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

static int
write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len > 0) {
		ssize_t w = write(fd, p, len);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

int
fsx_write_atomic(const char *path, const void *data, size_t len, mode_t mode)
{
	char tmp[PATH_MAX];
	int fd, n;

	n = snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
	if (n < 0 || (size_t)n >= sizeof(tmp))
		return -1;
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)) < 0)
		return -1;
	if (fchmod(fd, mode) != 0 || write_all(fd, data, len) != 0 || fsync(fd) != 0) {
		close(fd);
		unlink(tmp);
		return -1;
	}
	if (close(fd) != 0 || rename(tmp, path) != 0) {
		unlink(tmp);
		return -1;
	}
	return fsx_fsync_dir(path);
}

int
fsx_read(const char *path, struct buf *b)
{
	char chunk[65536];
	ssize_t r;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	for (;;) {
		r = read(fd, chunk, sizeof(chunk));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		if (buf_append(b, chunk, (size_t)r) != 0) {
			errno = EFBIG;
			r = -1;
			break;
		}
	}
	close(fd);
	if (r < 0)
		return -1;
	if (b->data == NULL)
		buf_append(b, "", 0);
	return 0;
}

int
fsx_copy(const char *from, const char *to)
{
	char chunk[65536];
	struct stat st;
	ssize_t r = 0;
	int in, out, rc = -1;

	if ((in = open(from, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	if (fstat(in, &st) != 0 ||
	    (out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, st.st_mode & 07777)) < 0) {
		close(in);
		return -1;
	}
	for (;;) {
		r = read(in, chunk, sizeof(chunk));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0 || write_all(out, chunk, (size_t)r) != 0)
			break;
	}
	if (r == 0 && fsync(out) == 0)
		rc = 0;
	close(in);
	if (close(out) != 0)
		rc = -1;
	return rc;
}
