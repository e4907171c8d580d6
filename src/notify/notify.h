/* Notifications: an SMS to the employee when their case is returned, verified, found in
 * discrepancy, approved (with the letter's reference) or rejected, and when their letter
 * is revoked.
 *
 * Durable outbox: notify_case_move / notify_letter_revoked write one row of the
 * notifications table inside the caller's open transaction, so the message exists if and
 * only if the change it tells of committed. The row's event is unique: the same event
 * never makes two messages. The sender thread (notify_sender_start) sends due rows through
 * the SMS sink with the kind's DLT template id and text (settings sms_tpl_KIND and
 * sms_text_KIND, filled in at send time), marks a row sent only after the gateway took it,
 * and retries a refused one after notify_retry_base seconds, doubling to notify_retry_max.
 * Nothing is ever deleted. Every message carries its row id as "id": a gateway that saw
 * it already (the server stopped between the send and the mark) can drop the repeat. */
#ifndef NOTIFY_NOTIFY_H
#define NOTIFY_NOTIFY_H

#include <stddef.h>
#include <stdint.h>

struct db;
struct config;

enum notify_kind {
	NOTIFY_RETURNED,
	NOTIFY_VERIFIED,
	NOTIFY_DISCREPANCY,
	NOTIFY_APPROVED,
	NOTIFY_REJECTED,
	NOTIFY_REVOKED,
	NOTIFY__MAX
};

/* "returned", ...; NULL out of range. */
const char *notify_kind_name(enum notify_kind k);

/* Inside an open transaction: the case of employee_id moved to state (a case state name)
 * by the history row history_id; after is the audit's after-JSON (may hold letter_ref).
 * States that tell the employee nothing write nothing. 0 ok (also when nothing is due),
 * -1 on a database error (the caller rolls back). */
int	notify_case_move(struct db *db, const char *employee_id, const char *state,
	    int64_t history_id, const char *after);
/* Inside an open transaction: letter ref of employee_id was revoked. 0 ok, -1 error. */
int	notify_letter_revoked(struct db *db, const char *employee_id, const char *ref);

/* The text of a kind with its variables put in, in order, for each {#var#}. out gets at
 * most outlen - 1 bytes; -1 when the text has not exactly nvars places or is cut. */
int	notify_fill(const char *text, const char *const *vars, size_t nvars, char *out,
	    size_t outlen);

/* One pass of the sender: sends the due rows (at most max), as the thread does. Returns
 * the number sent, -1 on a database error. For tests and `suraksha` commands. */
int	notify_send_due(struct db *db, const struct config *cfg, int64_t now, int max);

/* The sender thread, on the per-thread database connection of db_thread_init (cfg is
 * borrowed and must outlive notify_sender_stop). 0 started. */
int	notify_sender_start(const struct config *cfg);
/* Wakes the thread, lets the pass under way finish, and joins it. */
void	notify_sender_stop(void);

#endif
