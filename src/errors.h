/* The one registry of API error codes (API.md): each with its HTTP status, stable code and
 * a sentence for people. Domain functions return these; handlers reply with them through
 * reply_error(); the command line prints the message. */
#ifndef ERRORS_H
#define ERRORS_H

enum err {
	ERR_OK = 0,
	ERR_MALFORMED,		/* 400 */
	ERR_BAD_JSON,
	ERR_INVALID_FIELD,
	ERR_UNAUTHENTICATED,	/* 401 */
	ERR_BAD_CREDENTIALS,
	ERR_OTP_INVALID,
	ERR_CSRF,		/* 403 */
	ERR_FORBIDDEN,
	ERR_NOT_FOUND,		/* 404 */
	ERR_NO_ROUTE,
	ERR_METHOD,		/* 405 */
	ERR_WRONG_STATE,	/* 409 */
	ERR_EXISTS,
	ERR_TOO_LARGE,		/* 413 */
	ERR_QUOTA,
	ERR_URI_TOO_LONG,	/* 414 */
	ERR_UNSUPPORTED_TYPE,	/* 415 */
	ERR_UNPROCESSABLE,	/* 422 */
	ERR_WINDOW_CLOSED,	/* 423 */
	ERR_RATE_LIMITED,	/* 429 */
	ERR_LOCKED,
	ERR_OTP_DEAD,
	ERR_INTERNAL,		/* 500 */
	ERR_NOT_SENT,		/* 503 */
	ERR_UNAVAILABLE,
	/* issue 14 */
	ERR_CERTIFY_FIRST,	/* 403: a known pair whose office must certify particulars */
	ERR__MAX
};

unsigned	 err_status(enum err e);
const char	*err_code(enum err e);
const char	*err_message(enum err e);

#endif
