/* Time: stored in UTC as Unix seconds; shown in UTC ISO 8601 or in Asia/Kolkata (IST,
 * UTC+05:30 with no daylight saving, so a fixed offset is exact). */
#ifndef UTIL_TIMEUTIL_H
#define UTIL_TIMEUTIL_H

#include <stdint.h>

#define IST_OFFSET (5 * 3600 + 30 * 60)

int64_t	time_now(void);
/* Test hook: when SURAKSHA_FAKE_NOW is set in the environment to Unix seconds at start,
 * time_now() returns it, always; end-to-end tests restart the server with a later time to
 * move past deadlines and expiries. */
/* "2026-11-22T10:00:00Z" (out: 21 bytes) */
void	time_iso_utc(int64_t t, char out[21]);
/* "2026-11-22T15:30:00+05:30" (out: 26 bytes) */
void	time_iso_ist(int64_t t, char out[26]);
/* Parse "YYYY-MM-DDTHH:MM" or "YYYY-MM-DD HH:MM" given in IST to Unix seconds; 0 ok. */
int	time_parse_ist(const char *s, int64_t *out);

#endif
