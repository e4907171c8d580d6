/* Incremental updates appended to libharu's output (SIGNING.md, "Recipe"). Only PDFs this
 * module wrote are touched: objects are located through libharu's own classic xref table
 * (fixed 20-byte entries) and anything unexpected is refused, never guessed at. */
#ifndef LETTERS_PDFUPD_H
#define LETTERS_PDFUPD_H

#include <stddef.h>

#include "util/buf.h"

/* Where libharu's revision keeps its objects. */
struct pdfupd_base {
	size_t		xref;	/* offset of libharu's "xref" */
	unsigned	size;	/* its /Size */
};

/* An update being written: the objects appended so far. */
#define PDFUPD_MAX_OBJS 8
struct pdfupd {
	struct buf	*pdf;
	size_t		 start;			/* pdf->len when the update began */
	unsigned	 n;
	unsigned	 num[PDFUPD_MAX_OBJS];
	size_t		 off[PDFUPD_MAX_OBJS];
};

void	pdfupd_begin(struct pdfupd *u, struct buf *pdf);
/* Records that object num starts at the current end of pdf; -1 when full. */
int	pdfupd_obj(struct pdfupd *u, unsigned num);
/* Appends base object num (a dictionary without a stream) re-emitted with extra entries
 * inserted after its "<<"; refused (-1) when refuse already occurs in it. */
int	pdfupd_reemit(struct pdfupd *u, const struct pdfupd_base *base, unsigned num,
	    const char *extra, const char *refuse);
/* Appends the xref section and trailer; *startxref gets the new xref offset. */
int	pdfupd_finish(struct pdfupd *u, unsigned size, unsigned root, unsigned info,
	    size_t prev, size_t *startxref);
/* Drops everything appended since pdfupd_begin. */
void	pdfupd_abort(struct pdfupd *u);

#endif
