#include "errors.h"

struct err_entry {
	unsigned	 status;
	const char	*code;
	const char	*message;
};

static const struct err_entry registry[ERR__MAX] = {
	[ERR_OK] = { 200, "ok", "Done." },
	[ERR_MALFORMED] = { 400, "malformed_request",
	    "The request is not in the form this address expects." },
	[ERR_BAD_JSON] = { 400, "malformed_json",
	    "The request body is not a valid JSON object (or repeats a key)." },
	[ERR_INVALID_FIELD] = { 400, "invalid_field",
	    "A field is missing or has a value that is not allowed." },
	[ERR_UNAUTHENTICATED] = { 401, "not_logged_in",
	    "Please log in first; your session may have ended." },
	[ERR_BAD_CREDENTIALS] = { 401, "invalid_credentials",
	    "The username or password is not right. Check them and try again." },
	[ERR_OTP_INVALID] = { 401, "otp_invalid",
	    "That code is not right or has expired. Check the SMS or ask for a new code." },
	[ERR_CSRF] = { 403, "csrf_failed",
	    "The request lacks the page's security token. Reload the page and try again." },
	[ERR_FORBIDDEN] = { 403, "forbidden",
	    "Your role does not allow this action." },
	[ERR_NOT_FOUND] = { 404, "not_found",
	    "Nothing was found at this address, or it is outside what you may see." },
	[ERR_NO_ROUTE] = { 404, "no_such_endpoint",
	    "There is no such address in this portal." },
	[ERR_METHOD] = { 405, "method_not_allowed",
	    "This address does not accept that method." },
	[ERR_WRONG_STATE] = { 409, "wrong_state",
	    "This cannot be done in the present state of the case." },
	[ERR_EXISTS] = { 409, "already_exists",
	    "Something with that name already exists." },
	[ERR_TOO_LARGE] = { 413, "too_large",
	    "The request is larger than this portal accepts." },
	[ERR_QUOTA] = { 413, "quota_exceeded",
	    "Your documents would pass the space or number allowed for one case. Delete a "
	    "document you do not need, or put pages together in one PDF." },
	[ERR_URI_TOO_LONG] = { 414, "uri_too_long",
	    "The address is too long." },
	[ERR_UNSUPPORTED_TYPE] = { 415, "unsupported_media_type",
	    "This kind of content is not accepted here." },
	[ERR_UNPROCESSABLE] = { 422, "validation_failed",
	    "The content was read but fails validation." },
	[ERR_WINDOW_CLOSED] = { 423, "window_closed",
	    "The deadline for this stage has passed." },
	[ERR_RATE_LIMITED] = { 429, "too_many_requests",
	    "Too many requests. Please wait a little and try again." },
	[ERR_LOCKED] = { 429, "account_locked",
	    "Too many wrong passwords: the account is locked for a while. Try again later." },
	[ERR_OTP_DEAD] = { 429, "otp_attempts_exceeded",
	    "Too many wrong codes: this code no longer works. Ask for a new code." },
	[ERR_INTERNAL] = { 500, "internal_error",
	    "Something went wrong on our side; nothing was changed. Please try again." },
	[ERR_NOT_SENT] = { 503, "otp_not_sent",
	    "The code could not be sent just now. Please try again in a few minutes." },
	[ERR_UNAVAILABLE] = { 503, "unavailable",
	    "The portal is not available just now. Please try again shortly." },
	/* issue 14 */
	[ERR_CERTIFY_FIRST] = { 403, "particulars_not_certified",
	    "A code cannot be sent yet: your office must first certify your particulars "
	    "(mobile number, Family ID or date of birth) as the Chief Secretary's instruction "
	    "of February 2026 provides. Please contact your office." },
};

unsigned
err_status(enum err e)
{
	return e < ERR__MAX ? registry[e].status : 500;
}

const char *
err_code(enum err e)
{
	return e < ERR__MAX ? registry[e].code : "internal_error";
}

const char *
err_message(enum err e)
{
	return e < ERR__MAX ? registry[e].message : registry[ERR_INTERNAL].message;
}
