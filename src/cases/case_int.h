/* Shared inside the case module (case.c, case_flow.c, case_list.c, case_reeval.c); not a
 * public interface. */
#ifndef CASES_CASE_INT_H
#define CASES_CASE_INT_H

#include "cases/case.h"

/* The row of a case as the workflow needs it. Release with case_row_free. */
struct case_row {
	char		 id[CODE_MAX];
	enum case_state	 state;
	char		 department[CODE_MAX];
	char		 office[CODE_MAX];
	json_t		*declared;	/* NULL when not declared */
	json_t		*verified;	/* NULL when not verified */
	json_t		*discrepancy;	/* array of field names, or NULL */
	char		 verdict[16];	/* "" when never evaluated */
	int		 post_level;	/* 0 without a post */
};

/* 0 found, 1 no such case, -1 database error. */
int	case_row_load(struct db *db, const char *id, struct case_row *row);
void	case_row_free(struct case_row *row);

/* Role (mask of ROLE_BIT) then existence and scope; loads the employee and the row.
 * ERR_FORBIDDEN, ERR_NOT_FOUND, ERR_INTERNAL. On ERR_OK the caller frees row. */
enum err case_access(const struct case_ctx *cx, const char *id, unsigned roles,
	    struct employee *emp, struct case_row *row, char *msg, size_t msglen);

/* Evaluates a service record (the object of PUT .../service) of employee emp under
 * rules, at pay level post_level (0: the employee's own). ERR_INVALID_FIELD for a
 * malformed record (unknown key, bad date...), ERR_UNPROCESSABLE for one breaking its
 * shape (a spell ending before it starts, too many spells). */
enum err case_evaluate(const struct rules_params *rules, const struct employee *emp,
	    const json_t *service, int post_level, struct rules_outcome *o, char *msg,
	    size_t msglen);
/* Stores the outcome of o (NULL: clears it) on the case. 0 ok. */
int	case_store_outcome(struct db *db, const char *id, const struct rules_outcome *o,
	    const char *basis);

/* The stage a case in state s waits on (verdict matters for verified), or -1 for none. */
int	case_stage_of(enum case_state s, const char *verdict);

/* Moves the case to state `to` (stage and due time follow), adds the history row and
 * the audit record (action, before/after JSON texts may be NULL). Inside a transaction.
 * 0 ok. */
int	case_move(const struct case_ctx *cx, const struct case_row *row, enum case_state to,
	    const char *verdict, const char *action, const char *remarks, const char *after);
/* Refreshes stage and due time of a case (after its verdict changed). 0 ok. */
int	case_restage(struct db *db, const struct rules_params *rules, const char *id,
	    enum case_state s, const char *verdict, const char *department);

/* Checks that only the named keys are in o; otherwise ERR_INVALID_FIELD naming it. */
enum err case_only_keys(const json_t *o, const char *const *keys, char *msg, size_t msglen);
/* A text member: NULL when absent or null; *bad set when not text of 1..max bytes. */
const char *case_text(const json_t *o, const char *key, size_t max, int *bad);

/* Required document kinds missing for the case; appended to arr (a JSON array) when not
 * NULL. Returns how many are missing, -1 on a database error. */
int	case_missing_documents(struct db *db, const struct employee *emp,
	    const json_t *declared, json_t *required, json_t *missing);

/* The viewer's scope as JSON arrays of office and department codes (NULL: no limit), for
 * json_each in SQL; the caller frees both. -1 for a role that lists nothing. */
int	case_scope_arrays(const struct principal *p, char **offices, char **departments);

/* Certification, shared by the case's certification (case_flow.c) and the one before login
 * (certify_particulars.c). CASE_VAL_MAX bounds a corrected value. */
#define CASE_VAL_MAX	40
/* Role (DDO, HoD, administrative secretary), scope and remarks of a certification; on
 * ERR_OK the caller frees row. */
enum err case_cert_begin(const struct case_ctx *cx, const char *id, const char *remarks,
	    struct employee *emp, struct case_row *row, char *msg, size_t msglen);
/* Validates fields (keys: case_field names; values: the corrected value or null for "as
 * recorded"); every name in flagged (a JSON array) must be there, else ERR_UNPROCESSABLE.
 * Normalised values go to vals ("" for null), the keys given to the bits of *given. */
enum err case_cert_parse(const json_t *fields, const json_t *flagged,
	    char vals[CASE_F__MAX][CASE_VAL_MAX], unsigned *given, char *msg, size_t msglen);
/* Writes the corrected values to the employee record, each audited (employee.correct). */
int	case_correct_employee(const struct case_ctx *cx, const struct employee *emp,
	    char vals[CASE_F__MAX][CASE_VAL_MAX], unsigned given);
/* document_id must be this employee's discrepancy_certificate (ERR_UNPROCESSABLE). */
enum err case_cert_document(const struct case_ctx *cx, const char *id, int64_t document_id,
	    char *msg, size_t msglen);
/* A corrected office must be in the master list, in the employee's department and in the
 * certifier's scope (ERR_UNPROCESSABLE). */
enum err case_cert_office(const struct case_ctx *cx, const struct employee *emp,
	    const char *office, char *msg, size_t msglen);
/* The certifications row; *cert_id (may be NULL) its id. 0 ok. */
int	case_cert_insert(const struct case_ctx *cx, const char *id, const char *fields_text,
	    const char *remarks, int64_t document_id, int64_t *cert_id);

#endif
