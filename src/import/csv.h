/* RFC 4180 CSV reader: quoted fields with "" escapes and line breaks, CRLF or LF, a UTF-8
 * byte order mark skipped. Fields and records are bounded; a record past a bound is an
 * error, never silently cut. */
#ifndef IMPORT_CSV_H
#define IMPORT_CSV_H

#include <stddef.h>
#include <stdio.h>

#define CSV_FIELDS_MAX	64
#define CSV_FIELD_MAX	1024

struct csv {
	FILE		*f;
	unsigned long	 line;		/* physical line where the last record started */
	unsigned long	 next_line;
	int		 started;
	char		 err[128];
	char		*fields[CSV_FIELDS_MAX];
	size_t		 nfields;
	char		 store[CSV_FIELDS_MAX * (CSV_FIELD_MAX + 1)];
};

void	csv_init(struct csv *c, FILE *f);
/* 1 a record was read (c->fields, c->nfields), 0 end of input, -1 error (c->err). */
int	csv_next(struct csv *c);

#endif
