#include "util/timeutil.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/strict.h"

static int64_t fake_now;
static pthread_once_t fake_once = PTHREAD_ONCE_INIT;

static void
fake_read(void)
{
	const char *fake = getenv("SURAKSHA_FAKE_NOW");
	int64_t v;

	if (fake != NULL && strict_int64(fake, 1, INT64_MAX, &v) == 0)
		fake_now = v;
}

int64_t
time_now(void)
{
	pthread_once(&fake_once, fake_read);
	if (fake_now > 0)
		return fake_now;
	return (int64_t)time(NULL);
}

static void
fmt(int64_t t, char *out, size_t len, const char *suffix)
{
	struct tm tm;
	time_t tt = (time_t)t;
	char tmp[32];

	gmtime_r(&tt, &tm);
	strftime(tmp, sizeof(tmp), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out, len, "%s%s", tmp, suffix);
}

void
time_iso_utc(int64_t t, char out[21])
{
	fmt(t, out, 21, "Z");
}

void
time_iso_ist(int64_t t, char out[26])
{
	fmt(t + IST_OFFSET, out, 26, "+05:30");
}

int
time_parse_ist(const char *s, int64_t *out)
{
	char date[11];
	int32_t days;
	int hh, mm;

	if (s == NULL || strlen(s) != 16 || (s[10] != 'T' && s[10] != ' ') || s[13] != ':')
		return -1;
	if (!isdigit((unsigned char)s[11]) || !isdigit((unsigned char)s[12]) ||
	    !isdigit((unsigned char)s[14]) || !isdigit((unsigned char)s[15]))
		return -1;
	memcpy(date, s, 10);
	date[10] = '\0';
	if (strict_date(date, &days) != 0)
		return -1;
	hh = (s[11] - '0') * 10 + (s[12] - '0');
	mm = (s[14] - '0') * 10 + (s[15] - '0');
	if (hh > 23 || mm > 59)
		return -1;
	*out = (int64_t)days * 86400 + hh * 3600 + mm * 60 - IST_OFFSET;
	return 0;
}
