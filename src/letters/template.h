/* The letter template (templates/letter.txt) and the facts it is filled with; internal to
 * the letters module (render.c draws what these functions read). */
#ifndef LETTERS_TEMPLATE_H
#define LETTERS_TEMPLATE_H

#include <stddef.h>

#include "letters/letter.h"
#include "util/buf.h"

#define MAX_TEMPLATE	(64 * 1024)
#define MAX_PARA	4096

enum section { S_LETTERHEAD, S_ADDRESSEE, S_SUBJECT, S_BODY, S_PAY, S_TERMS, S_VERIFY,
	S_SIGNATURE, S_FOOTER, S__MAX };

/* Section texts after placeholder expansion, in WinAnsi, each line ending in '\n'. */
struct tmpl {
	struct buf	sec[S__MAX];
};

/* Name/value pairs for {{name}}; values are UTF-8 and converted with the line. */
struct fact_kv {
	const char	*name;
	char		 value[256];
};

#define N_FACTS 22

/* 0 when every fact is present and in range (consolidated = entry + additional, ...). */
int	letter_facts_check(const struct letter_facts *f);
/* Fills kv (N_FACTS entries, the names templates/letter.txt lists) from f; -1 when a value
 * does not fit. */
int	letter_facts_table(const struct letter_facts *f, struct fact_kv *kv);
/* Reads and expands the template; LETTER_OK or LETTER_ERR_TEMPLATE / LETTER_ERR_FACTS. On
 * success the caller frees t with letter_tmpl_free. */
int	letter_tmpl_load(const char *path, const struct fact_kv *kv, size_t nkv, struct tmpl *t);
void	letter_tmpl_free(struct tmpl *t);
/* Iterate over a section: the next paragraph (lines joined by spaces) or the next line;
 * 1 when one was copied into out, 0 at the end, -1 when out is too small. */
int	letter_next_para(const char **pp, const char *end, char *out, size_t outlen);
int	letter_next_line(const char **pp, const char *end, char *out, size_t outlen);
/* "label | value" split in place; -1 without a bar. */
int	letter_split_pair(char *line, char **label, char **value);

#endif
