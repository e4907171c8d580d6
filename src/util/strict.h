/* Strict parsers for untrusted text: whole string consumed, range checked, no guessing.
 * Each returns 0 on success and -1 on any fault, leaving *out untouched on failure. */
#ifndef UTIL_STRICT_H
#define UTIL_STRICT_H

#include <stddef.h>
#include <stdint.h>

int	strict_int64(const char *s, int64_t min, int64_t max, int64_t *out);
/* "YYYY-MM-DD", a real calendar date between 1900-01-01 and 2199-12-31, to days since
 * 1970-01-01. */
int	strict_date(const char *s, int32_t *days);
/* days since 1970-01-01 back to "YYYY-MM-DD" (out holds 11 bytes). */
void	date_format(int32_t days, char out[11]);
int32_t	date_from_ymd(int y, int m, int d);
void	date_to_ymd(int32_t days, int *y, int *m, int *d);
int	date_is_leap(int y);

/* RULES.md §6. */
/* Mobile: 10 digits, first 6-9; a "+91" or "0" prefix is stripped. out: 11 bytes. */
int	strict_mobile(const char *s, char out[11]);
/* Family ID (PPP): 8 or 9 of [0-9A-Z]. */
int	strict_family_id(const char *s);
/* Head of account MMMM-SS-mmm-ss-dd-oo. */
int	strict_head_of_account(const char *s);
/* The object head (last tier) of a valid head of account is the contractual one (69). */
int	head_of_account_is_contractual(const char *s);
/* Employee id, office code, DDO code: [A-Za-z0-9/-], 1 to 32 characters. */
int	strict_code(const char *s);
/* A typed identity (employee id, Family ID, office or DDO code) in its one stored form:
 * spaces (also a no-break space) dropped anywhere, letters in capitals ("ucp- 10003 " is
 * "UCP-10003"). out (outlen bytes) gets the result; 0 when it is then a strict_code. */
int	strict_id_norm(const char *s, char *out, size_t outlen);
/* Username: [a-z0-9._-], 3 to 64 characters. */
int	strict_username(const char *s);
/* Valid UTF-8 without control characters, at most max bytes, not empty. */
int	strict_text(const char *s, size_t max);

#endif
