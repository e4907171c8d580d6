#include "letters/pdfupd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/strict.h"

#define MAX_PDF_OBJ 4096

void
pdfupd_begin(struct pdfupd *u, struct buf *pdf)
{
	memset(u, 0, sizeof(*u));
	u->pdf = pdf;
	u->start = pdf->len;
}

void
pdfupd_abort(struct pdfupd *u)
{
	u->pdf->len = u->start;
	if (u->pdf->data != NULL)
		u->pdf->data[u->start] = '\0';
}

int
pdfupd_obj(struct pdfupd *u, unsigned num)
{
	if (u->n >= PDFUPD_MAX_OBJS || num == 0)
		return -1;
	u->num[u->n] = num;
	u->off[u->n] = u->pdf->len;
	u->n++;
	return 0;
}

/* Offset of object num from libharu's xref table ("xref\n0 N\n" then entries
 * "oooooooooo ggggg n\r\n"). */
static int
base_offset(const struct buf *pdf, const struct pdfupd_base *b, unsigned num, size_t *off)
{
	char head[32], digits[11];
	const char *e;
	int n;
	int64_t v;

	n = snprintf(head, sizeof(head), "xref\n0 %u\n", b->size);
	if (n < 0 || (size_t)n >= sizeof(head) || num == 0 || num >= b->size ||
	    b->xref + (size_t)n + 20 * (size_t)b->size > pdf->len ||
	    memcmp(pdf->data + b->xref, head, (size_t)n) != 0)
		return -1;
	e = pdf->data + b->xref + (size_t)n + 20 * (size_t)num;
	if (memcmp(e + 10, " 00000 n\r\n", 10) != 0)
		return -1;
	memcpy(digits, e, 10);
	digits[10] = '\0';
	if (strict_int64(digits, 0, (int64_t)b->xref, &v) != 0)
		return -1;
	*off = (size_t)v;
	return 0;
}

int
pdfupd_reemit(struct pdfupd *u, const struct pdfupd_base *base, unsigned num,
    const char *extra, const char *refuse)
{
	char head[32], tmp[MAX_PDF_OBJ];
	struct buf *pdf = u->pdf;
	size_t off, body, len;
	const char *end;
	int n;

	if (base_offset(pdf, base, num, &off) != 0)
		return -1;
	n = snprintf(head, sizeof(head), "%u 0 obj\n<<\n", num);
	if (n < 0 || (size_t)n >= sizeof(head) || off + (size_t)n > pdf->len ||
	    memcmp(pdf->data + off, head, (size_t)n) != 0)
		return -1;
	body = off + (size_t)n;
	end = memmem(pdf->data + body, pdf->len - body, "\nendobj\n", 8);
	if (end == NULL)
		return -1;
	len = (size_t)(end - (pdf->data + body));
	if (len >= sizeof(tmp) || memmem(pdf->data + body, len, refuse, strlen(refuse)) ||
	    memmem(pdf->data + body, len, "stream", 6) != NULL)
		return -1;
	/* pdf's data moves as it grows: copy the body out first */
	memcpy(tmp, pdf->data + body, len);
	if (pdfupd_obj(u, num) != 0 || buf_puts(pdf, head) != 0 || buf_puts(pdf, extra) != 0 ||
	    buf_append(pdf, tmp, len) != 0 || buf_puts(pdf, "\nendobj\n") != 0)
		return -1;
	return 0;
}

int
pdfupd_finish(struct pdfupd *u, unsigned size, unsigned root, unsigned info, size_t prev,
    size_t *startxref)
{
	unsigned order[PDFUPD_MAX_OBJS], i, j, k, t;
	struct buf *pdf = u->pdf;
	size_t at = pdf->len;

	for (i = 0; i < u->n; i++)
		order[i] = i;
	for (i = 1; i < u->n; i++)	/* a handful of entries: insertion sort */
		for (j = i; j > 0 && u->num[order[j - 1]] > u->num[order[j]]; j--) {
			t = order[j];
			order[j] = order[j - 1];
			order[j - 1] = t;
		}
	if (buf_puts(pdf, "xref\n") != 0)
		return -1;
	for (i = 0; i < u->n; i = j) {
		for (j = i + 1; j < u->n && u->num[order[j]] == u->num[order[j - 1]] + 1; j++)
			;
		if (buf_printf(pdf, "%u %u\n", u->num[order[i]], j - i) != 0)
			return -1;
		for (k = i; k < j; k++)
			if (buf_printf(pdf, "%010zu 00000 n\r\n", u->off[order[k]]) != 0)
				return -1;
	}
	if (buf_printf(pdf, "trailer\n<<\n/Size %u\n/Root %u 0 R\n/Info %u 0 R\n/Prev %zu\n>>\n"
	    "startxref\n%zu\n%%%%EOF\n", size, root, info, prev, at) != 0)
		return -1;
	*startxref = at;
	return 0;
}
