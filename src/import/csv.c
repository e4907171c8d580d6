#include "import/csv.h"

#include <string.h>

void
csv_init(struct csv *c, FILE *f)
{
	memset(c, 0, sizeof(*c));
	c->f = f;
	c->next_line = 1;
}

static int
fail(struct csv *c, const char *msg)
{
	snprintf(c->err, sizeof(c->err), "line %lu: %s", c->next_line, msg);
	return -1;
}

int
csv_next(struct csv *c)
{
	char *out = c->store;
	size_t flen = 0;
	int ch, quoted = 0, in_quotes = 0, after_quote = 0, any = 0;

	if (!c->started) {
		c->started = 1;
		if ((ch = getc(c->f)) == 0xef) {
			if (getc(c->f) != 0xbb || getc(c->f) != 0xbf)
				return fail(c, "bad byte order mark");
		} else if (ch != EOF)
			ungetc(ch, c->f);
	}
	c->line = c->next_line;
	c->nfields = 0;
	c->fields[c->nfields++] = out;
	for (;;) {
		ch = getc(c->f);
		if (ch == EOF) {
			if (in_quotes)
				return fail(c, "a quoted field is not closed");
			if (!any)
				return 0;
			break;
		}
		any = 1;
		if (ch == '\0')
			return fail(c, "a NUL byte");
		if (in_quotes) {
			if (ch == '"') {
				int nx = getc(c->f);

				if (nx == '"') {
					ch = '"';
				} else {
					if (nx != EOF)
						ungetc(nx, c->f);
					in_quotes = 0;
					after_quote = 1;
					continue;
				}
			} else if (ch == '\n')
				c->next_line++;
		} else if (ch == ',') {
			*out++ = '\0';
			if (c->nfields >= CSV_FIELDS_MAX)
				return fail(c, "too many fields");
			c->fields[c->nfields++] = out;
			flen = 0;
			quoted = after_quote = 0;
			continue;
		} else if (ch == '\r') {
			int nx = getc(c->f);

			if (nx != '\n')
				return fail(c, "a carriage return outside quotes not followed by a "
				    "line feed");
			c->next_line++;
			break;
		} else if (ch == '\n') {
			c->next_line++;
			break;
		} else if (ch == '"') {
			if (flen != 0 || quoted)
				return fail(c, "a quote inside an unquoted field");
			quoted = in_quotes = 1;
			continue;
		} else if (after_quote)
			return fail(c, "text after a closing quote");
		if (flen >= CSV_FIELD_MAX)
			return fail(c, "a field is too long");
		*out++ = (char)ch;
		flen++;
	}
	*out = '\0';
	return 1;
}
