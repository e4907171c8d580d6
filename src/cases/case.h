/* The case of one employee and its workflow (RULES.md §3-§5, issue 4): the declared and the
 * DDO-verified service record, the eligibility outcome (recomputed whenever the verified
 * record, the post's pay level or the rules change), certifications, the supernumerary
 * post, the decision and the history.
 *
 * A case exists for every employee: migration 3 makes one (state draft) for each employee
 * already there and a trigger makes one at import.
 *
 * States and who moves them (each move one transaction with its audit record):
 *   draft -> submitted                   employee, required documents present (§7)
 *   returned -> submitted                employee, after editing the service record
 *   submitted|certified -> verified | returned | discrepancy      DDO of the office
 *   discrepancy -> certified             DDO, HoD or administrative secretary in scope
 *   verified (eligible) -> post_created | waiting_equivalent_post  finance, in bulk
 *   waiting_equivalent_post -> post_created                         finance
 *   post_created -> approved | rejected  HoD of the department (approval needs eligible)
 *   verified (not eligible) -> rejected  HoD, with reasons: never silently dropped
 *
 * Every function checks in this order and answers with the enum err of errors.h, with a
 * sentence in msg: the role (ERR_FORBIDDEN), the case and its scope (ERR_NOT_FOUND: out of
 * scope looks like no case), the shape of the request (ERR_INVALID_FIELD: unknown key, bad
 * date, wrong type), the state (ERR_WRONG_STATE), the window of the stage
 * (ERR_WINDOW_CLOSED, naming the deadline in IST), then the content (ERR_UNPROCESSABLE:
 * missing documents, an incomplete record, a wrong certificate). On any error nothing is
 * changed. Pure of HTTP; jansson is used for the JSON shapes of API.md. docs/cases.md has
 * the shapes. */
#ifndef CASES_CASE_H
#define CASES_CASE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "auth/roles.h"
#include "cases/rules.h"
#include "errors.h"
#include "import/master.h"
#include "util/buf.h"

struct db;
struct actor;

enum case_state {
	CASE_DRAFT,
	CASE_SUBMITTED,
	CASE_RETURNED,
	CASE_DISCREPANCY,
	CASE_CERTIFIED,
	CASE_VERIFIED,
	CASE_WAITING_POST,	/* "waiting_equivalent_post" */
	CASE_POST_CREATED,
	CASE_APPROVED,
	CASE_REJECTED,
	CASE__MAX
};

/* The fields a discrepancy names and a certification resolves (RULES.md §5). */
enum case_field {
	CASE_F_MOBILE,
	CASE_F_FAMILY_ID,
	CASE_F_HEAD_OF_ACCOUNT,
	CASE_F_ENGAGEMENT_MODE,
	CASE_F_DOB,		/* issue 14: the feeds may disagree on these two */
	CASE_F_OFFICE_CODE,
	CASE_F__MAX
};

const char	*case_state_name(enum case_state s);
int		 case_state_parse(const char *s, enum case_state *out);	/* 0 ok */
const char	*case_field_name(enum case_field f);
int		 case_field_parse(const char *s, enum case_field *out);	/* 0 ok */
int		 case_stage_parse(const char *s, enum rules_stage *out);	/* 0 ok */

/* Who acts and under which rules. who decides role and scope; actor names them in the
 * audit log. rules are the parameters the server loaded at start. */
struct case_ctx {
	struct db			*db;
	const struct rules_params	*rules;
	const struct principal		*who;
	const struct actor		*actor;
};

struct case_post {
	int64_t	 id;
	char	 department_code[CODE_MAX];
	char	 designation[129];
	int	 pay_level;
	char	 effective_date[11];
	char	 created_by[96];
};

/* What the letter hook sees at approval: the employee, the post, and the outcome evaluated
 * on the verified record at the post's pay level (eligible, so the pay fields are set). */
struct case_view {
	struct employee		emp;
	enum case_state		state;
	struct case_post	post;
	struct rules_outcome	outcome;
	const char		*approver;	/* the HoD's username */
	const char		*remarks;	/* the approval remarks, or NULL */
};

/* Issues the signed letter inside the approval transaction (the lead's letters module).
 * Writes the letter's reference (NUL-terminated) to ref_out; 0 ok, anything else makes the
 * approval fail with ERR_INTERNAL and roll back. */
typedef int (*case_letter_fn)(struct db *db, const struct case_view *cv, char ref_out[64],
	    void *arg);

/* The HoD's look at the letter before approving: the case as case_approve would see it
 * (post created, eligible under the rules in force) given to render, in a transaction that
 * is always rolled back. */
enum err case_letter_preview(const struct case_ctx *cx, const char *id, case_letter_fn render,
	    void *arg, char *msg, size_t msglen);

/* The case as API.md's GET /api/v1/cases/{id} shows it (employee data, declared and
 * verified service, documents, required documents, state, stage and due time, history,
 * outcome, certifications, post, decision, deadlines). *out is the caller's. */
enum err case_get_json(const struct case_ctx *cx, const char *employee_id, json_t **out,
	    char *msg, size_t msglen);

/* The employee declares the service record: an object with spells, unpaid,
 * centrally_sponsored, part_time, marriage_clause (and marriage_exemption), shapes as in
 * `rules eval`. Draft or returned cases only. service is borrowed. */
enum err case_set_service(const struct case_ctx *cx, const char *employee_id,
	    const json_t *service, char *msg, size_t msglen);
enum err case_submit(const struct case_ctx *cx, const char *employee_id, char *msg,
	    size_t msglen);

enum case_decision { CASE_D_VERIFIED, CASE_D_RETURNED, CASE_D_DISCREPANCY };
/* The DDO's verification: the body of POST .../verify, borrowed. decision "verified"
 * (with an optional "service" replacing the declared record as the verified one; the
 * outcome must not be incomplete), "returned" (remarks required) or "discrepancy"
 * ("fields": a non-empty list of case_field names). Unknown keys are refused. */
enum err case_verify(const struct case_ctx *cx, const char *employee_id, const json_t *body,
	    char *msg, size_t msglen);

/* A certification resolving a discrepancy: fields is an object whose keys are the
 * case_field names (every field the discrepancy named must be there) and whose values are
 * the corrected value or null (certified as recorded); a corrected mobile, Family ID, head
 * of account or engagement mode updates the employee record (audited). document_id is an
 * already stored document of this employee of kind discrepancy_certificate. */
enum err case_certify(const struct case_ctx *cx, const char *employee_id, const json_t *fields,
	    const char *remarks, int64_t document_id, char *msg, size_t msglen);
/* The same inside the caller's transaction (the multipart certification stores its
 * certificate and certifies in one transaction). */
enum err case_certify_in(const struct case_ctx *cx, const char *employee_id,
	    const json_t *fields, const char *remarks, int64_t document_id, char *msg,
	    size_t msglen);

/* Certification before login (issue 14): DDO, HoD or administrative secretary in scope,
 * any state of the case. fields as for case_certify, with every particular the import
 * flagged (import/particulars.h; dob and office_code too) and optionally
 * "contractual_engagement": null or true (confirmed); a particular missing or invalid on
 * record needs its corrected value. The flags close, the corrections are made, the
 * certified values stand over the feeds, and the case history and audit log record it;
 * inside the caller's transaction (the certificate is stored in it). *cert_id is the new
 * certification's id. */
enum err case_certify_particulars_in(const struct case_ctx *cx, const char *employee_id,
	    const json_t *fields, const char *remarks, int64_t document_id, int64_t *cert_id,
	    char *msg, size_t msglen);

/* May the employee's documents change now? Only the employee, in a draft or returned case
 * (ERR_WRONG_STATE otherwise; deletion only in a draft), within the window of the stage the
 * case waits on (ERR_WINDOW_CLOSED naming the deadline). Runs inside the caller's
 * transaction, so the check and the change see the same state. */
enum err case_documents_check(const struct case_ctx *cx, const char *employee_id,
	    int deleting, char *msg, size_t msglen);

/* Finance, in bulk and all or nothing: body {"employee_ids": [...], "designation",
 * "pay_level"} creates a post for each verified eligible case (or one waiting for an
 * equivalent post); {"employee_ids": [...], "no_equivalent": true, "remarks"} records that
 * no corresponding post exists yet (waiting_equivalent_post). *out: {"posts": [...]} or
 * {"waiting": [...]}. */
enum err case_posts(const struct case_ctx *cx, const json_t *body, json_t **out, char *msg,
	    size_t msglen);

/* HoD approval of a case with a post whose current outcome is eligible. With issue_letter
 * set, it is called inside the transaction and its reference stored and copied to
 * letter_ref; without, letter_ref is "". remarks may be NULL. */
enum err case_approve(const struct case_ctx *cx, const char *employee_id, const char *remarks,
	    case_letter_fn issue_letter, void *arg, char letter_ref[64], char *msg,
	    size_t msglen);
/* HoD rejection with reasons (required): of a case with a post, waiting for one, or
 * verified and not eligible. */
enum err case_reject(const struct case_ctx *cx, const char *employee_id, const char *remarks,
	    char *msg, size_t msglen);

/* Listing for staff, always within the viewer's scope. */
struct case_filter {
	const char	*state;		/* NULL: any */
	const char	*department;
	const char	*office;
	const char	*stage;
	int		 overdue;	/* only cases past the window of the stage they wait on;
					 * for a DDO, finance or HoD only their own stage */
	int64_t		 page;		/* from 1 */
	int64_t		 per_page;	/* 1..500 */
	const char	*q;		/* part of an employee id or name, any case; NULL any */
	const char	*sort;		/* id (NULL), name, due, updated (newest first), state */
};
#define CASE_PER_PAGE_MAX 500
#define CASE_Q_MAX	64
/* {"items": [...], "page", "per_page", "total"}. ERR_INVALID_FIELD for a bad filter. */
enum err case_list(const struct case_ctx *cx, const struct case_filter *f, int64_t now,
	    json_t **out, char *msg, size_t msglen);
/* The same filter, every page, as CSV (a header row; a cell beginning with = + - @ or a
 * tab or carriage return gets a leading quote against spreadsheet formula injection). */
enum err case_list_csv(const struct case_ctx *cx, const struct case_filter *f, int64_t now,
	    struct buf *out, char *msg, size_t msglen);
/* Counts in the viewer's scope: {"total", "overdue", "by_state": {...},
 * "by_department": {code: {state: n}}, "by_office": {code: {state: n}}}. */
enum err case_counts(const struct case_ctx *cx, int64_t now, json_t **out);

/* Who is stuck (issue 14): the employees in the viewer's scope who cannot log in (no valid
 * mobile, or a flag on mobile, Family ID or date of birth not yet certified), with their
 * reasons, office and the age of the oldest flag; overdue past overdue_days. JSON:
 * {"total", "overdue", "overdue_days", "by_reason": {particular_reason: n}, "by_office":
 * {code: n}, "by_age": {"under_7_days", "7_to_30_days", "over_30_days"},
 * "certified_this_week", "items": [...] (at most max)}; CSV: a row per employee. */
/* With only_overdue set, only the overdue employees are listed (the counts too). */
enum err case_stuck(const struct case_ctx *cx, int64_t now, int64_t overdue_days,
	    int64_t max, int only_overdue, json_t **json_out, struct buf *csv_out, char *msg,
	    size_t msglen);

/* Appends a CSV cell (quoted when needed, injection-safe as above). */
int	case_csv_cell(struct buf *b, const char *s);

/* Recomputes the outcome of every case under rules (basis: the verified record when
 * there is one, else the declared one), with the stage and due time that follow. One
 * transaction; a "rules.reeval" audit record with the rules' SHA-256 and the counts, and a
 * "case.reeval" record for each case whose verdict changed. Records the rules' hash in
 * meta; with only_if_changed set, does nothing when the hash there is the same. 0 ok. */
int	case_reeval_all(struct db *db, const struct rules_params *rules, const struct actor *a,
	    int only_if_changed, long *evaluated, long *changed);
/* The SHA-256 (hex) of the canonical text of rules (rules_format). */
int	case_rules_hash(const struct rules_params *rules, char out[65]);
/* Loads <data_dir>/rules.conf over the defaults (the defaults alone when the file is
 * absent). 0 ok; -1 with err naming the file, line and fault. */
int	case_rules_for_data(const char *data_dir, struct rules_params *p, char *err,
	    size_t errlen);

#endif
