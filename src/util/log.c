#include "util/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static enum log_level min_level = LOG_INFO;
static _Thread_local char request_id[24];

void
log_set_level(enum log_level level)
{
	min_level = level;
}

void
log_set_request_id(const char *rid)
{
	if (rid == NULL)
		request_id[0] = '\0';
	else
		snprintf(request_id, sizeof(request_id), "%s", rid);
}

const char *
log_request_id(void)
{
	return request_id;
}

void
log_msg(enum log_level level, const char *fmt, ...)
{
	static const char *const names[] = { "debug", "info", "warn", "error" };
	char raw[1024], esc[2048], ts[32];
	size_t i, o = 0;
	struct timespec now;
	struct tm tm;
	va_list ap;

	if (level < min_level)
		return;
	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	for (i = 0; raw[i] != '\0' && o + 5 < sizeof(esc); i++) {
		unsigned char c = (unsigned char)raw[i];
		if (c < 0x20 || c == 0x7f) {
			o += (size_t)snprintf(esc + o, sizeof(esc) - o, "\\x%02x", c);
		} else
			esc[o++] = (char)c;
	}
	esc[o] = '\0';
	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
	fprintf(stderr, "%s.%03ldZ %s%s%s %s\n", ts, now.tv_nsec / 1000000L,
	    names[level], request_id[0] ? " rid=" : "", request_id, esc);
}
