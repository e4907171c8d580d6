/* File system helpers whose writes are durable when they say so. */
#ifndef UTIL_FSX_H
#define UTIL_FSX_H

#include <stddef.h>
#include <sys/types.h>

#include "util/buf.h"

/* mkdir -p with mode for each created folder; 0 ok. */
int	fsx_mkdirs(const char *path, mode_t mode);
/* fsync the folder holding path (or path itself when it is a folder); 0 ok. */
int	fsx_fsync_dir(const char *dir);
/* Write a whole file durably: temp file beside it, fsync, rename, fsync folder. 0 ok. */
int	fsx_write_atomic(const char *path, const void *data, size_t len, mode_t mode);
/* Read a whole file into b (its ceiling applies); 0 ok, -1 with errno. */
int	fsx_read(const char *path, struct buf *b);
/* Join dir and name into out; -1 when it would not fit. */
int	fsx_join(char *out, size_t outlen, const char *dir, const char *name);
/* Copy a file byte for byte (durably, mode kept); 0 ok. */
int	fsx_copy(const char *from, const char *to);

#endif
