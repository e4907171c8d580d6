/* Page templates (templates/pages/NAME.html) and message catalogues
 * (templates/i18n/LANG.txt).
 * Pure: no HTTP, no database; the page layer (page.h) feeds them.
 *
 * Template tags, each inside double braces; a value is looked up by a dotted path in the
 * innermost scope first, then outwards ("." is the current scope itself):
 *   {{path}}             the value as HTML text (also safe inside a quoted attribute:
 *                        & < > " ' are escaped)
 *   {{u path}}           the value percent-encoded as one URL component, then HTML-escaped
 *                        (for href and action attributes)
 *   {{t key}}            the catalogue's text for a fixed key, HTML-escaped
 *   {{tv path}}          the catalogue's text for the key held in the value at path
 *   {{{path}}}           the value unescaped: only for HTML the server rendered itself
 *   {{#if path}}..{{else}}..{{/if}}, {{#unless path}}..{{/unless}}
 *   {{#each path}}..{{/each}}   once per element of an array, the element as the scope
 *   {{! comment}}
 * A value is true unless missing, null, false, 0, "" or an empty array. Missing values
 * render as nothing; a malformed template is an error, never a guess. */
#ifndef HTTP_PAGE_TMPL_H
#define HTTP_PAGE_TMPL_H

#include <jansson.h>
#include <stddef.h>

#include "util/buf.h"

#define PAGE_CAT_MAX	(256 * 1024)	/* bytes of one catalogue file */

/* A message catalogue: "key = text" lines, '#' comments, UTF-8. */
struct page_cat {
	char	*data;
	size_t	 n;
	struct page_msg {
		const char	*key;
		const char	*text;
	}	*msgs;			/* sorted by key */
};

/* Reads a catalogue file; 0 ok, -1 (missing, too large, a line without '=', a repeated
 * key) with a message in err. Free with page_cat_free (also after a failure). */
int	page_cat_load(struct page_cat *c, const char *path, char *err, size_t errlen);
/* Parses text (copied); as page_cat_load. */
int	page_cat_parse(struct page_cat *c, const char *text, size_t len, char *err,
	    size_t errlen);
void	page_cat_free(struct page_cat *c);
/* The text of key, or NULL. */
const char *page_cat_get(const struct page_cat *c, const char *key);

/* Messages looked up in the page's language first, then in the fallback (English). */
struct page_msgs {
	const struct page_cat	*lang;
	const struct page_cat	*fallback;
};
/* The text of key in the first catalogue that has it; else NULL. */
const char *page_msgs_get(const struct page_msgs *m, const char *key);

/* Renders src with ctx as the outer scope, appending to out. 0 ok; -1 with a message in
 * err (malformed template, out's ceiling passed). */
int	page_tmpl_render(const char *src, size_t len, json_t *ctx, const struct page_msgs *m,
	    struct buf *out, char *err, size_t errlen);

/* Escapers, appending to out; 0 ok, -1 when out is full. */
int	page_html_escape(struct buf *out, const char *s);
int	page_url_escape(struct buf *out, const char *s);

#endif
