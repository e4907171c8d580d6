/* Employee login by one-time code (SECURITY.md): 6 digits from the CSPRNG, single use,
 * valid otp_ttl seconds, stored only as an HMAC bound to the employee, otp_max_tries wrong
 * tries then the code dies, resend limited per employee and per client address, and the
 * same answer whether or not the employee exists. */
#ifndef AUTH_OTP_H
#define AUTH_OTP_H

#include <stddef.h>
#include <stdint.h>

#include "auth/session.h"
#include "errors.h"

struct db;
struct config;

#define OTP_KEY_LEN	32

/* The HMAC key: <data>/keys/otp.key, made by suraksha init. 0 ok. */
int	otp_key_load(const char *data_dir, unsigned char key[OTP_KEY_LEN]);
int	otp_key_create(const char *data_dir);

/* Requests a code. masked receives the masked mobile ("******1234"): the real one, or
 * for an unknown employee or a Family ID that does not match, a stable made-up one.
 * ERR_OK (202), ERR_RATE_LIMITED (*retry_after seconds), ERR_NOT_SENT, ERR_INTERNAL;
 * ERR_CERTIFY_FIRST for a known pair that cannot receive a code until the office
 * certifies its particulars (import/particulars.h), no code made. */
enum err otp_request(struct db *db, const struct config *cfg,
	    const unsigned char key[OTP_KEY_LEN], const char *employee_id,
	    const char *family_id, const char *ip, char masked[16], int64_t *retry_after);

/* Checks a code and opens a session. ERR_OTP_INVALID for a wrong, expired or unknown
 * code; ERR_OTP_DEAD once the tries are used up. */
enum err otp_verify(struct db *db, const struct config *cfg,
	    const unsigned char key[OTP_KEY_LEN], const char *employee_id, const char *code,
	    const char *ip, struct session_new *out);

/* Sends one message through the configured sink (API.md, "OTP delivery"). 0 sent. */
int	otp_sink_send(const struct config *cfg, const char *json_line);
/* One JSON line to an SMS sink: "http(s)://URL" (a POST; only a 2xx within timeout
 * seconds is sent), "file:PATH", or "" for data_dir/default_file. 0 sent. */
int	sms_sink_send(const char *sink, const char *data_dir, const char *default_file,
	    int64_t timeout, const char *json_line);

#endif
