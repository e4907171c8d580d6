/* Text helpers of the letters module: the letter's single-byte encoding, amounts in the
 * Indian digit grouping, PDF literal strings. */
#ifndef LETTERS_TEXT_H
#define LETTERS_TEXT_H

#include <stddef.h>

#include "util/buf.h"

/* UTF-8 to WinAnsiEncoding (Windows-1252), which the letter's font is set in. Only the
 * characters the embedded font has pass: printable ASCII, U+00A0 and the quotes, dashes and
 * bullet of U+2013..U+2022 (fonts/README). -1 for anything else, for input that is not
 * UTF-8, or when out is too small. */
int	text_to_winansi(const char *utf8, char *out, size_t outlen);
/* 2190000 -> "21,90,000" (lakh grouping). */
void	text_rupees(long amount, char *out, size_t outlen);
/* Appends s as a PDF literal string "(...)" with \ ( ) and control bytes escaped. */
int	text_pdf_string(struct buf *b, const char *s);

#endif
