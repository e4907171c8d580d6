/* Content-addressed blob store (blob.h). Durability order: temp file fsynced, linked into
 * place, the folder fsynced; only then may the caller commit the row that names it. A
 * crash before the link leaves a temp file, after it an unreferenced blob: the start-up
 * sweep removes both once they are old enough. */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "intake/blob.h"
#include "util/timeutil.h"
#include "util/fsx.h"
#include "util/log.h"

#define BLOB_DIR_MODE 0750
#define BLOB_FILE_MODE 0440

static int
is_hex_name(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return s[n] == '\0';
}

enum blob_err
blob_path(const char *root, const char *sha, char *out, size_t outlen)
{
	int n;

	if (sha == NULL || !is_hex_name(sha, 64))
		return BLOB_EINVAL;
	n = snprintf(out, outlen, "%s/blobs/%.2s/%.2s/%s", root, sha, sha + 2, sha);
	return n < 0 || (size_t)n >= outlen ? BLOB_EINVAL : BLOB_OK;
}

enum blob_err
blob_tmp_dir(const char *root, char *out, size_t outlen)
{
	int n = snprintf(out, outlen, "%s/tmp", root);

	if (n < 0 || (size_t)n >= outlen)
		return BLOB_EINVAL;
	return fsx_mkdirs(out, 0700) == 0 ? BLOB_OK : BLOB_EIO;
}

/* fsyncs <root>/blobs/ab/cd, <root>/blobs/ab and <root>/blobs: any of them may have just
 * been created, and a new folder entry is durable only once its parent is synced. */
static int
sync_dirs(const char *path)
{
	char d[PATH_MAX];
	char *slash;
	int i;

	if (snprintf(d, sizeof(d), "%s", path) >= (int)sizeof(d))
		return -1;
	for (i = 0; i < 3; i++) {
		if ((slash = strrchr(d, '/')) == NULL)
			return -1;
		*slash = '\0';
		if (fsx_fsync_dir(d) != 0)
			return -1;
	}
	return 0;
}

/* An existing blob of another size is damaged (a disk fault or a hand edit): the new
 * bytes, whose hash the caller vouches for, replace it atomically. */
static int
replace_damaged(const char *tmp_path, const char *path)
{
	char side[PATH_MAX];

	if (snprintf(side, sizeof(side), "%s.repair", path) >= (int)sizeof(side))
		return -1;
	unlink(side);
	if (link(tmp_path, side) != 0)
		return -1;
	if (rename(side, path) != 0) {
		unlink(side);
		return -1;
	}
	return 0;
}

/* Between a blob_put taking an existing blob as its own and a running sweep removing it:
 * see sweep_leaf. */
static pthread_mutex_t put_lock = PTHREAD_MUTEX_INITIALIZER;

enum blob_err
blob_put(const char *root, const char *tmp_path, const char *sha, int *duplicate)
{
	char path[PATH_MAX], dir[PATH_MAX];
	struct stat st, old;
	enum blob_err err;
	int fd = -1, locked = 0;

	*duplicate = 0;
	if ((err = blob_path(root, sha, path, sizeof(path))) != BLOB_OK)
		return err;
	if ((fd = open(tmp_path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0)
		return errno == ENOENT ? BLOB_ENOENT : BLOB_EIO;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    fchmod(fd, BLOB_FILE_MODE) != 0 || fsync(fd) != 0) {
		err = BLOB_EIO;
		goto out;
	}
	snprintf(dir, sizeof(dir), "%.*s", (int)(strrchr(path, '/') - path), path);
	if (fsx_mkdirs(dir, BLOB_DIR_MODE) != 0) {
		err = BLOB_EIO;
		goto out;
	}
	pthread_mutex_lock(&put_lock);
	locked = 1;
	if (link(tmp_path, path) != 0) {
		if (errno != EEXIST || lstat(path, &old) != 0) {
			err = BLOB_EIO;
			goto out;
		}
		if (S_ISREG(old.st_mode) && old.st_size == st.st_size) {
			*duplicate = 1;
			/* Fresh time: a sweep must not take it before the new row commits. */
			utimensat(AT_FDCWD, path, NULL, AT_SYMLINK_NOFOLLOW);
		} else {
			log_warn("blob: %s has %lld bytes, expected %lld; replacing it", sha,
			    (long long)old.st_size, (long long)st.st_size);
			if (replace_damaged(tmp_path, path) != 0) {
				err = BLOB_EIO;
				goto out;
			}
		}
	}
	pthread_mutex_unlock(&put_lock);
	locked = 0;
	if (sync_dirs(path) != 0) {
		err = BLOB_EIO;
		goto out;
	}
	if (unlink(tmp_path) != 0 && errno != ENOENT) {
		err = BLOB_EIO;
		goto out;
	}
	err = BLOB_OK;
out:
	if (locked)
		pthread_mutex_unlock(&put_lock);
	close(fd);
	return err;
}

int
blob_open(const char *root, const char *sha)
{
	char path[PATH_MAX];

	if (blob_path(root, sha, path, sizeof(path)) != BLOB_OK) {
		errno = EINVAL;
		return -1;
	}
	return open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
}

static int
old_enough(const struct stat *st, time_t cutoff)
{
	return st->st_mtime < cutoff;
}

static void
sweep_tmp(const char *root, time_t cutoff, struct blob_sweep_stats *s)
{
	char dir[PATH_MAX], p[PATH_MAX];
	struct dirent *de;
	struct stat st;
	DIR *d;

	if (snprintf(dir, sizeof(dir), "%s/tmp", root) >= (int)sizeof(dir) ||
	    (d = opendir(dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' ||
		    snprintf(p, sizeof(p), "%s/%s", dir, de->d_name) >= (int)sizeof(p))
			continue;
		if (lstat(p, &st) == 0 && S_ISREG(st.st_mode) && old_enough(&st, cutoff) &&
		    unlink(p) == 0)
			s->tmp_removed++;
	}
	closedir(d);
}

/* One leaf folder <root>/blobs/ab/cd. */
static void
sweep_leaf(const char *dir, const char *ab, const char *cd, time_t cutoff,
    blob_referenced_fn is_referenced, void *ctx, struct blob_sweep_stats *s)
{
	char p[PATH_MAX];
	struct dirent *de;
	struct stat st;
	DIR *d;

	if ((d = opendir(dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		/* A repair cut short by a crash leaves its side link behind. */
		if (strlen(de->d_name) == 71 && strcmp(de->d_name + 64, ".repair") == 0 &&
		    snprintf(p, sizeof(p), "%s/%s", dir, de->d_name) < (int)sizeof(p) &&
		    lstat(p, &st) == 0 && S_ISREG(st.st_mode) && old_enough(&st, cutoff)) {
			unlink(p);
			continue;
		}
		if (!is_hex_name(de->d_name, 64) || memcmp(de->d_name, ab, 2) != 0 ||
		    memcmp(de->d_name + 2, cd, 2) != 0 ||
		    snprintf(p, sizeof(p), "%s/%s", dir, de->d_name) >= (int)sizeof(p))
			continue;
		if (lstat(p, &st) != 0 || !S_ISREG(st.st_mode) || !old_enough(&st, cutoff)) {
			s->blobs_kept++;
			continue;
		}
		/* While the server runs, an upload of the same bytes may be taking this blob
		 * as its own (blob_put refreshes its time before the row commits): the check
		 * and the removal happen under the lock blob_put takes for that. */
		pthread_mutex_lock(&put_lock);
		if (lstat(p, &st) == 0 && old_enough(&st, cutoff) &&
		    is_referenced(de->d_name, ctx) == 0 && unlink(p) == 0)
			s->blobs_removed++;
		else
			s->blobs_kept++;
		pthread_mutex_unlock(&put_lock);
	}
	closedir(d);
}

enum blob_err
blob_sweep(const char *root, blob_referenced_fn is_referenced, void *ctx,
    long older_than_seconds, struct blob_sweep_stats *stats)
{
	struct blob_sweep_stats local;
	char top[PATH_MAX], mid[PATH_MAX], leaf[PATH_MAX];
	struct dirent *a, *b;
	DIR *da, *db;
	time_t cutoff = (time_t)time_now() - older_than_seconds;

	if (stats == NULL)
		stats = &local;
	memset(stats, 0, sizeof(*stats));
	sweep_tmp(root, cutoff, stats);
	if (snprintf(top, sizeof(top), "%s/blobs", root) >= (int)sizeof(top))
		return BLOB_EINVAL;
	if ((da = opendir(top)) == NULL)
		return errno == ENOENT ? BLOB_OK : BLOB_EIO;
	while ((a = readdir(da)) != NULL) {
		if (!is_hex_name(a->d_name, 2) ||
		    snprintf(mid, sizeof(mid), "%s/%s", top, a->d_name) >= (int)sizeof(mid) ||
		    (db = opendir(mid)) == NULL)
			continue;
		while ((b = readdir(db)) != NULL) {
			if (!is_hex_name(b->d_name, 2) || snprintf(leaf, sizeof(leaf), "%s/%s",
			    mid, b->d_name) >= (int)sizeof(leaf))
				continue;
			sweep_leaf(leaf, a->d_name, b->d_name, cutoff, is_referenced, ctx,
			    stats);
		}
		closedir(db);
	}
	closedir(da);
	if (stats->tmp_removed || stats->blobs_removed)
		log_info("blob sweep: %u temp files and %u unreferenced blobs removed",
		    stats->tmp_removed, stats->blobs_removed);
	return BLOB_OK;
}
