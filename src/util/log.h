/* Logging: one line per event on stderr, with the request id of the calling thread.
 * Control characters in messages are escaped so a client cannot forge log lines.
 * No secret (OTP, password, token, key) is ever passed here. */
#ifndef UTIL_LOG_H
#define UTIL_LOG_H

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

void log_set_level(enum log_level level);
/* Sets the request id shown in this thread's log lines; NULL clears it. Copied. */
void log_set_request_id(const char *rid);
const char *log_request_id(void);
void log_msg(enum log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_info(...)  log_msg(LOG_INFO, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)

#endif
