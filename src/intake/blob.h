/* The content-addressed blob store: each stored document is one file
 * <root>/blobs/ab/cd/<sha256> (mode 0440, folders 0750) named by the lower-case hex
 * SHA-256 of its bytes, so a second upload of the same bytes is the same blob. Temp files
 * live in <root>/tmp on the same file system, so a blob appears by link(): complete or not
 * at all. <root> is the data folder (--data, default ./storage). */
#ifndef INTAKE_BLOB_H
#define INTAKE_BLOB_H

#include <stddef.h>

enum blob_err {
	BLOB_OK = 0,
	BLOB_EINVAL,	/* not a 64-digit lower-case hex name, or a path too long */
	BLOB_ENOENT,	/* no such blob / temp file */
	BLOB_EIO,	/* the file system failed (errno kept) */
	BLOB__MAX
};

/* <root>/blobs/ab/cd/<sha>; BLOB_EINVAL for a bad sha or a too small out. */
enum blob_err blob_path(const char *root, const char *sha, char *out, size_t outlen);

/* <root>/tmp, created (0700) if missing: where uploads and ZIP entries are written. */
enum blob_err blob_tmp_dir(const char *root, char *out, size_t outlen);

/* Moves the temp file (which the caller wrote, hashed and validated: sha must be the hash
 * of its bytes, it is not recomputed) into the store: fsync, mode 0440, link() into place,
 * fsync the folders, unlink the temp. An existing blob is a duplicate, not an error
 * (*duplicate = 1, its time refreshed so a start-up sweep leaves it to the new row); one
 * whose size differs from the temp file is damaged and is replaced. On return BLOB_OK the
 * blob is durable and the temp file gone; on failure the temp file is left for the caller
 * to remove. */
enum blob_err blob_put(const char *root, const char *tmp_path, const char *sha,
	    int *duplicate);

/* Opens a blob read-only; returns an fd (the caller closes it) or -1 with errno
 * (EINVAL for a bad sha). */
int	blob_open(const char *root, const char *sha);

/* Asked by the sweep for each blob old enough: 1 a row refers to it, 0 none does,
 * -1 cannot tell (then the blob is kept). */
typedef int (*blob_referenced_fn)(const char *sha, void *ctx);

struct blob_sweep_stats {
	unsigned	tmp_removed;
	unsigned	blobs_removed;
	unsigned	blobs_kept;
};

/* Start-up sweep, before the server takes requests: removes files in <root>/tmp and
 * blobs no row refers to, both only when last modified more than older_than_seconds ago
 * (default policy: 3600), so a blob whose row was about to commit survives. Files that
 * are not blobs are left alone. stats may be NULL. */
enum blob_err blob_sweep(const char *root, blob_referenced_fn is_referenced, void *ctx,
	    long older_than_seconds, struct blob_sweep_stats *stats);

#endif
