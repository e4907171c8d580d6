/* The eligibility and pay rules of RULES.md §1-§2 (plus the dates of §3-§4 as parameters).
 *
 * Pure: no database, no HTTP, no allocation. A case is a plain struct with fixed caps
 * (RULES_MAX_SPELLS spells, RULES_MAX_UNPAID unpaid intervals), the outcome is a plain struct
 * with its own fixed storage; the JSON side lives in rules_json.h. Dates are int32 days since
 * 1970-01-01 (util/strict.h). The same parameters and case always give the same outcome.
 */
#ifndef CASES_RULES_H
#define CASES_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

#define RULES_MAX_SPELLS	64	/* a case with more is refused (RULES_ETOOMANY) */
#define RULES_MAX_UNPAID	64
#define RULES_MAX_BANDS		8
#define RULES_LEVELS		10	/* pay levels 1..10 (API.md) */
/* Dates are 1900-01-01..2199-12-31 (strict_date), so at most 300 one-year periods. */
#define RULES_MAX_PERIODS	304
#define RULES_ORG_MAX		128	/* organisation name, bytes with the NUL */
#define RULES_OPEN		INT32_MAX	/* spell `to` of someone still in service */

enum rules_err {
	RULES_OK = 0,
	RULES_EINVAL,	/* a case that breaks its own shape (from after to, bad level...) */
	RULES_ETOOMANY,	/* more spells or unpaid intervals than the caps */
	RULES_EIO,	/* the parameter file cannot be read */
	RULES_EPARSE,	/* a bad line in the parameter file */
};

enum rules_year_basis { RULES_BASIS_SERVICE, RULES_BASIS_CALENDAR };

/* The four windows of RULES.md §4. */
enum rules_stage {
	RULES_STAGE_REGISTRATION,
	RULES_STAGE_VERIFICATION,
	RULES_STAGE_POSTS,
	RULES_STAGE_APPROVAL,
	RULES_STAGE__MAX
};

/* One band of additional remuneration: from `from_years` qualifying years on (up to the
 * next band's from_years - 1, the last one open-ended), `percent` of entry pay. */
struct rules_band {
	int	from_years;
	int	percent;
};

/* Every number of RULES.md §1-§2, the post effective date of §3 and the deadlines of §4. */
struct rules_params {
	int32_t			appointed_date;	/* service counts up to the day before */
	int64_t			remuneration_cap;	/* rupees a month, direct engagement only */
	int			min_years;
	int			min_paid_days;
	enum rules_year_basis	year_basis;
	int			max_age;
	size_t			nbands;		/* from_years strictly increasing */
	struct rules_band	bands[RULES_MAX_BANDS];
	int			rounding_unit;	/* additional pay rounds to this, half up */
	int64_t			entry_pay[RULES_LEVELS + 1];	/* index 1..10; [0] unused */
	int32_t			da_effective_date;	/* §2 terms the letter states */
	int32_t			first_increment_date;
	int32_t			post_effective_date;
	/* Unix seconds of the minute the file gives in IST ("2026-01-31 23:59" is
	 * 2026-01-31T18:29:00Z); whether that minute itself is still open is the caller's. */
	int64_t			deadline[RULES_STAGE__MAX];
};

enum rules_mode { RULES_MODE_DIRECT, RULES_MODE_HKRNL };
enum rules_spell_kind { RULES_KIND_CONTRACT, RULES_KIND_HKRNL, RULES_KIND_HSSC_REGULAR };

/* The fields of a case that can be missing; bit (1u << RULES_F_x) of rules_case.present. */
enum rules_field {
	RULES_F_DOB,
	RULES_F_ENGAGEMENT_MODE,
	RULES_F_MONTHLY_REMUNERATION,	/* required unless engagement_mode is hkrnl */
	RULES_F_CENTRALLY_SPONSORED,
	RULES_F_PART_TIME,
	RULES_F_MARRIAGE_CLAUSE,
	RULES_F_MARRIAGE_EXEMPTION,	/* optional: absent means no exemption recorded */
	RULES_F_PAY_LEVEL,
	RULES_F_SPELLS,			/* present only with at least one spell */
	RULES_F__MAX
};
#define RULES_HAS(c, f)	(((c)->present >> (f)) & 1u)

struct rules_spell {
	int32_t			from;
	int32_t			to;	/* inclusive, or RULES_OPEN */
	enum rules_spell_kind	kind;
	char			organisation[RULES_ORG_MAX];	/* "" when not given */
};

struct rules_interval {
	int32_t	from;
	int32_t	to;	/* inclusive */
};

/* A case as the rules see it. Only `present`, the fields it marks and the counts need be
 * set; the arrays are read up to their counts. Unpaid intervals are optional. About 10 KB:
 * allocate it (or keep one per thread) rather than putting many on a stack. */
struct rules_case {
	unsigned		present;
	int32_t			dob;
	enum rules_mode		engagement_mode;
	int64_t			monthly_remuneration;
	bool			centrally_sponsored;
	bool			part_time;
	bool			marriage_clause;
	bool			marriage_exemption;
	int			pay_level;	/* 1..RULES_LEVELS */
	size_t			nspells;
	struct rules_spell	spells[RULES_MAX_SPELLS];
	size_t			nunpaid;
	struct rules_interval	unpaid[RULES_MAX_UNPAID];
};

enum rules_verdict { RULES_ELIGIBLE, RULES_INELIGIBLE, RULES_INCOMPLETE };

/* Failed rules, in the order API.md lists the codes (the order of `reasons`). */
enum rules_reason {
	RULES_R_NOT_IN_SERVICE,
	RULES_R_INSUFFICIENT_SERVICE,
	RULES_R_REMUNERATION_CAP,
	RULES_R_CENTRALLY_SPONSORED,
	RULES_R_PART_TIME,
	RULES_R_AGE,
	RULES_R_MARRIAGE_CLAUSE,
	RULES_R__MAX
};

struct rules_period {
	int32_t	from;
	int32_t	to;
	int	paid_days;
	bool	qualifies;
};

struct rules_outcome {
	enum rules_verdict	verdict;
	/* The `reasons` strings, static storage: the failed-rule codes when ineligible,
	 * "missing:FIELD" for every missing field when incomplete, none when eligible. */
	size_t			nreasons;
	const char		*reasons[RULES_R__MAX + RULES_F__MAX];
	unsigned		failed;		/* bit (1u << RULES_R_x): every failed rule */
	unsigned		missing;	/* bit (1u << RULES_F_x): every missing field */
	bool			has_service;	/* spells given: qualifying_years, periods valid */
	int			qualifying_years;
	bool			has_pay;	/* eligible: the four pay fields valid */
	int			band_percent;
	int64_t			entry_pay;
	int64_t			additional;
	int64_t			consolidated;
	/* service basis: the periods counted; calendar basis: every calendar year up to the
	 * cut-off with a paid day, qualifying or not. In date order. */
	size_t			nperiods;
	struct rules_period	periods[RULES_MAX_PERIODS];
};

/* Engine (rules.c). */

/* Evaluates c under p into o (about 5 KB). RULES_OK for any computed outcome (eligible,
 * ineligible or incomplete); RULES_EINVAL when c breaks its shape (a spell or interval
 * ending before it starts, a pay level outside 1..10, a negative remuneration, an enum out
 * of range), RULES_ETOOMANY past the caps; o is then undefined. Thread-safe, allocates
 * nothing, reads no clock: the outcome depends on p and c alone. */
enum rules_err	rules_eval(const struct rules_params *p, const struct rules_case *c,
		    struct rules_outcome *o);
/* The date a person born on dob attains `years` of age: the day before the anniversary
 * (an anniversary of 29 February falls on 1 March in a common year). */
int32_t		rules_attains_age(int32_t dob, int years);
/* The last day of the one-year period starting on `from` (29 February -> 28 February). */
int32_t		rules_year_end(int32_t from);
/* Additional remuneration: entry_pay x percent %, to the nearest unit, half up. */
int64_t		rules_round_additional(int64_t entry_pay, int percent, int unit);
/* Stable names: "eligible"; "not_in_service"; "dob" (the API's field names). */
const char	*rules_verdict_name(enum rules_verdict v);
const char	*rules_reason_name(enum rules_reason r);
const char	*rules_field_name(enum rules_field f);

/* Parameters (rules_params.c). The file format is documented by rules_format's output
 * itself: `name = value` lines, `#` comments, blank lines ignored. */

/* The compiled-in defaults of RULES.md. */
void		rules_defaults(struct rules_params *p);
/* Reads a parameter file over the defaults into *p. On failure *p is untouched and err
 * (errlen bytes) names the file, the line number and the fault: RULES_EIO when it cannot be
 * read, RULES_EPARSE for an unknown name, a bad or out-of-range value, a duplicate, or
 * parameters that do not fit together (band edges). */
enum rules_err	rules_load(const char *path, struct rules_params *p, char *err, size_t errlen);
/* The same over text in memory (len bytes, no NUL needed); `name` labels messages. */
enum rules_err	rules_parse(const char *text, size_t len, const char *name,
		    struct rules_params *p, char *err, size_t errlen);
/* Writes the complete effective parameter file, with its format documented in comments,
 * such that rules_parse of the result gives back *p. 0 ok, -1 when b's ceiling is hit. */
int		rules_format(const struct rules_params *p, struct buf *b);
/* "registration", "verification", "posts", "approval". */
const char	*rules_stage_name(enum rules_stage s);

#endif
