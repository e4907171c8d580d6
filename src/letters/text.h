/* Text helpers of the letters module: the letter's single-byte encoding, amounts in the
 * Indian digit grouping, PDF literal strings. */
#ifndef LETTERS_TEXT_H
#define LETTERS_TEXT_H

#include <stddef.h>

#include "util/buf.h"

/* UTF-8 to WinAnsiEncoding (Windows-1252), which the letter's fonts are set in. -1 when a
 * character has no WinAnsi code, the input is not UTF-8, or out is too small. */
int	text_to_winansi(const char *utf8, char *out, size_t outlen);
/* 2190000 -> "21,90,000" (lakh grouping). */
void	text_rupees(long amount, char *out, size_t outlen);
/* Appends s as a PDF literal string "(...)" with \ ( ) and control bytes escaped. */
int	text_pdf_string(struct buf *b, const char *s);

#endif
