/* Particulars the feeds got wrong (issue 14; the Chief Secretary's instruction of February
 * 2026). An import keeps an employee whose only faults are particulars an office can
 * certify, and flags each one: a mobile missing, invalid or shared by several employees, a
 * Family ID of the wrong shape, a head of account that is not the contractual one, and the
 * HKRNL and Treasuries feeds disagreeing on mobile, Family ID, office or date of birth.
 *
 * A flag is open until the office certifies the particular (cases/particulars.c) or a
 * later import corrects it; both close it, audited. A certified value stands over the
 * feeds for as long as each feed repeats the value it was certified over; a feed that
 * changes the particular drops the certified value and is judged afresh.
 *
 * The flags on mobile, Family ID and date of birth stop the OTP (the number may reach
 * someone else; the pair the employee types may not be theirs); the others are shown to
 * the office and in the case but do not stop the login. All calls run inside the caller's
 * transaction. */
#ifndef IMPORT_PARTICULARS_H
#define IMPORT_PARTICULARS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "import/master.h"

struct db;
struct actor;

/* The names equal the case_field names of cases/case.h for the same particular. */
enum particular {
	PART_MOBILE,
	PART_FAMILY_ID,
	PART_DOB,
	PART_OFFICE_CODE,
	PART_HEAD_OF_ACCOUNT,
	PART__MAX
};

enum flag_reason {
	REASON_MISSING,
	REASON_INVALID,
	REASON_SHARED,		/* the same mobile on another employee */
	REASON_FEEDS_DIFFER,	/* HKRNL and the Treasuries give different values */
	REASON_NOT_CONTRACTUAL,	/* object head other than 69 */
	REASON__MAX
};

#define FEED_VALUE_MAX	48

/* What one feed row says of the particulars, and the flags the row itself raises. */
struct row_flags {
	unsigned	 reasons[PART__MAX];	/* bits (1u << enum flag_reason) */
	char		 feed[PART__MAX][FEED_VALUE_MAX];	/* the feed's value as given */
	int		 certified[PART__MAX];	/* a certified value stands */
};

const char	*particular_name(enum particular p);
int		 particular_parse(const char *s, enum particular *out);	/* 0 ok */
const char	*flag_reason_name(enum flag_reason r);
/* 1 when an open flag on p stops the OTP. */
int		 particular_blocks_login(enum particular p);

/* Copies a feed's value for showing: cut to FEED_VALUE_MAX - 1 bytes, control characters
 * masked. */
void	particulars_feed_value(char out[FEED_VALUE_MAX], const char *v);

/* Before a validated row of source ("hkrnl" or "treasury") is stored: applies the values
 * certified over what this feed says (e changes to them), drops certified values the feed
 * no longer repeats (audited), and adds the feeds_differ reasons against the other feed.
 * 0 ok, -1 database error. */
int	particulars_before_put(struct db *db, const char *source, struct employee *e,
	    struct row_flags *rf, const struct actor *who);
/* After the row is stored: records the feed's values, opens the row's new flags and closes
 * those the feed no longer has (both audited; shared-mobile flags are left to
 * particulars_shared). *opened counts the flags opened. 0 ok, -1 database error. */
int	particulars_after_put(struct db *db, const char *source, const struct employee *e,
	    const struct row_flags *rf, int64_t import_id, const struct actor *who,
	    long *opened);
/* Opens a shared flag on every employee whose mobile another employee has (unless that
 * mobile was certified for them) and closes the shared flags that no longer hold, both
 * audited. mobile1/mobile2 limit the work to employees holding those numbers (NULL: all).
 * 0 ok, -1 database error. */
int	particulars_shared(struct db *db, const char *mobile1, const char *mobile2,
	    int64_t import_id, const struct actor *who, long *opened);

/* The office certified p of employee_id as value (certification cert_id): its open flags
 * close (audited) and value stands over what each feed now says of p. 0 ok. */
int	particulars_certify(struct db *db, const char *employee_id, enum particular p,
	    const char *value, int64_t cert_id, const struct actor *who);

/* The open flags of an employee as the API shows them: [{"particular", "reason",
 * "values": {"recorded", "hkrnl", "treasury"}, "since", "blocks_login"}], with the
 * certified ones after them ({"certified": true, "certified_at", "certified_by"}); NULL on
 * a database error. */
json_t	*particulars_json(struct db *db, const struct employee *e);
/* A JSON array of the names of the particulars with an open flag (for the certification
 * form's "must cover" rule); NULL on a database error. */
json_t	*particulars_open(struct db *db, const char *employee_id);
/* The open flags of p with reason among mask (bits of flag_reason). -1 on error. */
int	particulars_open_reasons(struct db *db, const char *employee_id, enum particular p);

/* Login: is employee_id with this Family ID a known pair that cannot receive an OTP (no
 * valid mobile, or an open flag that stops the login)? The Family ID matches what is
 * recorded, or while the Family ID is flagged what either feed says. 1 yes, 0 no, -1 on a
 * database error. Says nothing of a pair that is not known. */
int	particulars_login_blocked(struct db *db, const char *employee_id,
	    const char *family_id);
/* The office that certifies for employee_id: its name and DDO code. 0 ok. */
int	particulars_office_of(struct db *db, const char *employee_id, char *name,
	    size_t namelen, char *ddo_code, size_t ddolen);

#endif
