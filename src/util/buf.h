/* Growable byte buffers with a hard ceiling fixed at init (curl's dynbuf). */
#ifndef UTIL_BUF_H
#define UTIL_BUF_H

#include <stddef.h>

struct buf {
	char	*data;	/* always NUL-terminated when non-NULL */
	size_t	 len;
	size_t	 cap;
	size_t	 max;	/* appends that would pass this fail */
};

void	buf_init(struct buf *b, size_t max);
/* 0 on success; -1 when the ceiling would be passed or memory is short (b unchanged). */
int	buf_append(struct buf *b, const void *data, size_t len);
int	buf_puts(struct buf *b, const char *s);
int	buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The contents as a C string ("" when empty); owned by b. */
const char *buf_str(const struct buf *b);
/* Hands the data to the caller (free() it) and resets b. */
char	*buf_take(struct buf *b);
void	buf_reset(struct buf *b);
void	buf_free(struct buf *b);

#endif
