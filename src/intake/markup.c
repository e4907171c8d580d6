/* Markup and script smuggled into a document: an HTML page with script, or PHP, ASP or JSP
 * code, in a JPEG comment or APP segment, a private PNG chunk, a PDF comment or stream.
 * Browsers that sniff content (and old ones that looked for "<html" in the first bytes)
 * render such a file as a page on the portal's origin when it is served with a wrong type;
 * a server that runs "*.php.jpg" as PHP runs the code. No certificate needs either.
 *
 * The raw bytes are searched, as a sniffer or an interpreter sees them, and so are the
 * texts the decoders inflate (PNG text chunks, PDF streams). The patterns are chosen so
 * that compressed or entropy-coded data (scan data, IDAT, Flate streams) does not match
 * by chance: a tag name must be followed by a byte that ends a tag name, as HTML sniffing
 * requires (chance of a random hit: about 2^-41 a byte for five bytes; shorter tags only
 * within the bytes a browser sniffs); the short openers of server code
 * ("<%", "<?=") count only with their closer within 256 bytes of printable text. */
#include <stdio.h>
#include <string.h>

#include "intake/intake_int.h"

/* The bytes a browser sniffs (WHATWG: 1445; Internet Explorer's FindMimeFromData: 256). */
#define MARKUP_SNIFF_WINDOW	1445
/* Server code: the opener and its closer at most this far apart, all printable between. */
#define MARKUP_CODE_SPAN	256

struct pattern {
	const char	*s;		/* lower case */
	int		 tag;		/* must be followed by a tag-ending byte (or the end) */
	int		 window;	/* only within the sniff window */
};

/* Compared case-insensitively at every '<'. */
static const struct pattern patterns[] = {
	{ "<script", 1, 0 }, { "<html", 1, 0 }, { "<iframe", 1, 0 }, { "<body", 1, 0 },
	{ "<meta", 1, 0 }, { "<head", 1, 0 }, { "<object", 1, 0 }, { "<embed", 1, 0 },
	{ "<frameset", 1, 0 }, { "<form", 1, 0 }, { "<applet", 1, 0 }, { "<base", 1, 0 },
	{ "<!doctype html", 1, 0 }, { "<?php", 1, 0 }, { "<jsp:", 0, 0 },
	/* Shorter or commoner openers, only where a browser sniffs (one-letter tags such as
	 * "<a>" or "<p>" would match binary headers by chance). */
	{ "<svg", 1, 1 }, { "<title", 1, 1 }, { "<table", 1, 1 }, { "<pre", 1, 1 },
	{ "<img", 1, 1 }, { "<plaintext", 1, 1 }, { "<div", 1, 1 }, { "<style", 1, 1 },
	{ "<link", 1, 1 }, { "<font", 1, 1 }, { "<a href", 0, 1 }, { "<!--", 0, 1 },
};

static unsigned char
lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c | 0x20) : c;
}

static int
tag_end(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '>' ||
	    c == '/';
}

static int
printable(unsigned char c)
{
	return (c >= 0x20 && c < 0x7f) || c == '\t' || c == '\n' || c == '\r';
}

/* "<!doctype" then white space then "html". */
static size_t
match_text(const unsigned char *p, size_t left, const char *s)
{
	size_t n = strlen(s), i, j;

	for (i = 0, j = 0; j < n; i++, j++) {
		if (i >= left)
			return 0;
		if (s[j] == ' ') {
			if (!tag_end(p[i]) || p[i] == '>' || p[i] == '/')
				return 0;
			while (i + 1 < left && (p[i + 1] == ' ' || p[i + 1] == '\t' ||
			    p[i + 1] == '\n' || p[i + 1] == '\r'))
				i++;
			continue;
		}
		if (lower(p[i]) != (unsigned char)s[j])
			return 0;
	}
	return i;
}

/* Server code: "<%" or "<?" followed by white space or "=", closed by "%>" or "?>" within
 * MARKUP_CODE_SPAN bytes of printable text. */
static int
server_code(const unsigned char *p, size_t left)
{
	unsigned char c;
	size_t i, end;

	if (left < 4 || (p[1] != '%' && p[1] != '?'))
		return 0;
	c = p[2];
	if (p[1] == '?' && !(c == '=' || c == ' ' || c == '\t' || c == '\n' || c == '\r'))
		return 0;
	end = left < MARKUP_CODE_SPAN ? left : MARKUP_CODE_SPAN;
	for (i = 2; i + 1 < end; i++) {
		if (!printable(p[i]))
			return 0;
		if (p[i] == p[1] && p[i + 1] == '>')
			return i > 2;
	}
	return 0;
}

int
intake_markup_find(const unsigned char *d, size_t len, int sniff_window, char *what,
    size_t whatlen)
{
	const unsigned char *p = d, *end = d + len;
	size_t i, n, off;

	while (p < end && (p = memchr(p, '<', (size_t)(end - p))) != NULL) {
		off = (size_t)(p - d);
		if (p + 1 < end && (p[1] == '%' || p[1] == '?') &&
		    server_code(p, (size_t)(end - p))) {
			snprintf(what, whatlen, "server code \"<%c\" at byte %zu", p[1], off);
			return 1;
		}
		for (i = 0; i < sizeof(patterns) / sizeof(patterns[0]); i++) {
			if (patterns[i].window && (!sniff_window || off >= MARKUP_SNIFF_WINDOW))
				continue;
			if ((n = match_text(p, (size_t)(end - p), patterns[i].s)) == 0)
				continue;
			if (patterns[i].tag && p + n < end && !tag_end(p[n]))
				continue;
			snprintf(what, whatlen, "\"%s\" at byte %zu", patterns[i].s, off);
			return 1;
		}
		p++;
	}
	return 0;
}

enum intake_code
intake_markup_check(const unsigned char *d, size_t len, int sniff_window,
    struct intake_result *res)
{
	char what[96];

	if (intake_markup_find(d, len, sniff_window, what, sizeof(what)))
		return intake_fail(res, INTAKE_HIDDEN_MARKUP, "%s", what);
	return INTAKE_OK;
}
