#include "util/strict.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
strict_int64(const char *s, int64_t min, int64_t max, int64_t *out)
{
	char *end;
	long long v;

	if (s == NULL || *s == '\0' || isspace((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int
date_is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Howard Hinnant's days_from_civil. */
int32_t
date_from_ymd(int y, int m, int d)
{
	int era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (int32_t)(era * 146097 + doe - 719468);
}

void
date_to_ymd(int32_t days, int *y, int *m, int *d)
{
	int32_t z = days + 719468;
	int era = (z >= 0 ? z : z - 146096) / 146097;
	int doe = (int)(z - era * 146097);
	int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int mp = (5 * doy + 2) / 153;

	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = yoe + era * 400 + (*m <= 2);
}

int
strict_date(const char *s, int32_t *days)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int i, y, m, d, dim;

	if (s == NULL || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return -1;
	for (i = 0; i < 10; i++)
		if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
			return -1;
	y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	m = (s[5] - '0') * 10 + (s[6] - '0');
	d = (s[8] - '0') * 10 + (s[9] - '0');
	if (y < 1900 || y > 2199 || m < 1 || m > 12)
		return -1;
	dim = mdays[m - 1] + (m == 2 && date_is_leap(y));
	if (d < 1 || d > dim)
		return -1;
	*days = date_from_ymd(y, m, d);
	return 0;
}

void
date_format(int32_t days, char out[11])
{
	int y, m, d;

	date_to_ymd(days, &y, &m, &d);
	snprintf(out, 11, "%04d-%02d-%02d", y % 10000, m, d);
}

int
strict_mobile(const char *s, char out[11])
{
	size_t i, n;

	if (s == NULL)
		return -1;
	if (strncmp(s, "+91", 3) == 0)
		s += 3;
	else if (s[0] == '0' && strlen(s) == 11)
		s += 1;
	n = strlen(s);
	if (n != 10 || s[0] < '6' || s[0] > '9')
		return -1;
	for (i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return -1;
	memcpy(out, s, 11);
	return 0;
}

int
strict_family_id(const char *s)
{
	size_t i, n;

	if (s == NULL || ((n = strlen(s)) != 8 && n != 9))
		return -1;
	for (i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]) && !(s[i] >= 'A' && s[i] <= 'Z'))
			return -1;
	return 0;
}

int
strict_head_of_account(const char *s)
{
	static const char shape[] = "DDDD-DD-DDD-DD-DD-DD";
	size_t i;

	if (s == NULL || strlen(s) != sizeof(shape) - 1)
		return -1;
	for (i = 0; shape[i] != '\0'; i++) {
		if (shape[i] == '-' ? s[i] != '-' : !isdigit((unsigned char)s[i]))
			return -1;
	}
	return 0;
}

int
head_of_account_is_contractual(const char *s)
{
	return strict_head_of_account(s) == 0 && strcmp(s + 18, "69") == 0;
}

int
strict_code(const char *s)
{
	size_t i, n;

	if (s == NULL || (n = strlen(s)) == 0 || n > 32)
		return -1;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-' && s[i] != '/')
			return -1;
	return 0;
}

int
strict_id_norm(const char *s, char *out, size_t outlen)
{
	size_t i, n = 0;

	if (outlen == 0)
		return -1;
	out[0] = '\0';
	if (s == NULL)
		return -1;
	for (i = 0; s[i]; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
			continue;
		if (c == 0xc2 && (unsigned char)s[i + 1] == 0xa0) {
			i++;
			continue;
		}
		if (n + 1 >= outlen)
			return -1;
		out[n++] = (char)toupper(c);
	}
	out[n] = '\0';
	return strict_code(out);
}

int
strict_username(const char *s)
{
	size_t i, n;

	if (s == NULL || (n = strlen(s)) < 3 || n > 64)
		return -1;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (!(c >= 'a' && c <= 'z') && !isdigit(c) && c != '.' && c != '_' && c != '-')
			return -1;
	}
	return 0;
}

int
strict_text(const char *s, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n;

	if (s == NULL || (n = strlen(s)) == 0 || n > max)
		return -1;
	while (*p) {
		int extra;
		unsigned cp;

		if (*p < 0x80) {
			if (*p < 0x20 || *p == 0x7f)
				return -1;
			p++;
			continue;
		}
		static const unsigned least[] = { 0, 0x80, 0x800, 0x10000 };
		unsigned min;

		if ((*p & 0xe0) == 0xc0) { extra = 1; cp = *p & 0x1f; }
		else if ((*p & 0xf0) == 0xe0) { extra = 2; cp = *p & 0x0f; }
		else if ((*p & 0xf8) == 0xf0) { extra = 3; cp = *p & 0x07; }
		else return -1;
		min = least[extra];
		p++;
		for (; extra > 0; extra--, p++) {
			if ((*p & 0xc0) != 0x80)
				return -1;
			cp = (cp << 6) | (*p & 0x3f);
		}
		if (cp < min || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff ||
		    (cp >= 0x80 && cp < 0xa0))
			return -1;
	}
	return 0;
}
