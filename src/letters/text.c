#include "letters/text.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* Windows-1252 0x80..0x9F; 0 marks the five undefined codes. */
static const uint16_t cp1252_high[32] = {
	0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
	0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0,
	0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
	0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
};

static int
decode_utf8(const unsigned char **pp, uint32_t *cp)
{
	const unsigned char *p = *pp;
	uint32_t c;
	int n, i;

	if (p[0] < 0x80) {
		*cp = p[0];
		*pp = p + 1;
		return 0;
	}
	if ((p[0] & 0xE0) == 0xC0) {
		c = p[0] & 0x1F;
		n = 1;
	} else if ((p[0] & 0xF0) == 0xE0) {
		c = p[0] & 0x0F;
		n = 2;
	} else if ((p[0] & 0xF8) == 0xF0) {
		c = p[0] & 0x07;
		n = 3;
	} else
		return -1;
	for (i = 1; i <= n; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return -1;
		c = (c << 6) | (p[i] & 0x3F);
	}
	if ((n == 1 && c < 0x80) || (n == 2 && c < 0x800) || (n == 3 && c < 0x10000) ||
	    c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return -1;
	*cp = c;
	*pp = p + n + 1;
	return 0;
}

int
text_to_winansi(const char *utf8, char *out, size_t outlen)
{
	const unsigned char *p = (const unsigned char *)utf8;
	size_t n = 0;
	uint32_t cp;
	int i, code;

	while (*p != '\0') {
		if (decode_utf8(&p, &cp) != 0)
			return -1;
		code = -1;
		if ((cp >= 0x20 && cp < 0x7F) || cp == 0xA0)
			code = (int)cp;
		else
			/* only 0x91..0x97 (quotes, bullet, dashes) are in the font subset */
			for (i = 0x11; i <= 0x17; i++)
				if (cp1252_high[i] == cp)
					code = 0x80 + i;
		if (code < 0 || n + 1 >= outlen)
			return -1;
		out[n++] = (char)code;
	}
	if (n >= outlen)
		return -1;
	out[n] = '\0';
	return 0;
}

void
text_rupees(long amount, char *out, size_t outlen)
{
	char digits[24], tmp[40];
	int nd, i, j = 0, neg = amount < 0;
	unsigned long v = neg ? 0UL - (unsigned long)amount : (unsigned long)amount;

	nd = snprintf(digits, sizeof(digits), "%lu", v);
	if (neg)
		tmp[j++] = '-';
	for (i = 0; i < nd; i++) {
		int left = nd - i;	/* digits from here to the end */

		tmp[j++] = digits[i];
		if (left > 1 && (left - 1 == 3 || (left - 1 > 3 && (left - 1 - 3) % 2 == 0)))
			tmp[j++] = ',';
	}
	tmp[j] = '\0';
	snprintf(out, outlen, "%s", tmp);
}

int
text_pdf_string(struct buf *b, const char *s)
{
	const unsigned char *p;

	if (buf_puts(b, "(") != 0)
		return -1;
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		int rc;

		if (*p == '(' || *p == ')' || *p == '\\')
			rc = buf_printf(b, "\\%c", *p);
		else if (*p < 0x20 || *p >= 0x7F)
			rc = buf_printf(b, "\\%03o", *p);
		else
			rc = buf_append(b, p, 1);
		if (rc != 0)
			return -1;
	}
	return buf_puts(b, ")");
}
