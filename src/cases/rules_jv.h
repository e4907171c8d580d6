/* Internal to the rules JSON code: the meaning of a case's fields, shared by the two
 * readers of a case, the jansson walker (rules_case_from_jansson, for an already parsed
 * request body) and the fast strict scanner (rules_case_from_json, for text), so both accept
 * exactly the same cases and say the same about a bad field. The readers only turn
 * syntax into rules_jv values and walk the two arrays. */
#ifndef CASES_RULES_JV_H
#define CASES_RULES_JV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cases/rules.h"

enum rules_jkind {
	RULES_J_NULL, RULES_J_FALSE, RULES_J_TRUE, RULES_J_INT, RULES_J_REAL, RULES_J_STRING,
	RULES_J_OBJECT, RULES_J_ARRAY
};

/* One JSON value as the field checks see it. For a string, s is NUL-terminated and holds
 * the first bytes of it; len is its whole decoded length (s may be cut when len is large:
 * every check that reads s first bounds len). Objects and arrays carry only their kind. */
struct rules_jv {
	enum rules_jkind	 kind;
	const char		*s;
	size_t			 len;
	int64_t			 i;
};

/* Top-level keys; RULES_JK_SPELLS and RULES_JK_UNPAID are arrays the readers walk. */
enum rules_jkey {
	RULES_JK_DOB, RULES_JK_ENGAGEMENT_MODE, RULES_JK_MONTHLY_REMUNERATION,
	RULES_JK_CENTRALLY_SPONSORED, RULES_JK_PART_TIME, RULES_JK_MARRIAGE_CLAUSE,
	RULES_JK_MARRIAGE_EXEMPTION, RULES_JK_PAY_LEVEL, RULES_JK_SPELLS, RULES_JK_UNPAID,
	RULES_JK__MAX
};
enum rules_jspell { RULES_JS_FROM, RULES_JS_TO, RULES_JS_KIND, RULES_JS_ORGANISATION,
	RULES_JS_POST, RULES_JS__MAX };
enum rules_junpaid { RULES_JU_FROM, RULES_JU_TO, RULES_JU__MAX };

enum rules_err	rules_jv_fail(char *err, size_t errlen, enum rules_err rc, const char *fmt, ...)
		    __attribute__((format(printf, 4, 5)));
const char	*rules_jv_type_name(enum rules_jkind k);

/* Clears what a reader fills: presence, counts, the optional exemption. */
void		rules_jv_begin(struct rules_case *c);
/* Key lookups: the index, or -1 for an unknown key (key: len bytes, no NUL needed). */
int		rules_jv_top_key(const char *key, size_t len);
int		rules_jv_spell_key(const char *key, size_t len);
int		rules_jv_unpaid_key(const char *key, size_t len);
const char	*rules_jv_top_name(int k);
const char	*rules_jv_spell_name(int k);
const char	*rules_jv_unpaid_name(int k);
/* A top-level field that is not an array being walked: null leaves it missing; spells
 * or unpaid given as anything but an array or null is a fault. */
enum rules_err	rules_jv_set_top(struct rules_case *c, int k, const struct rules_jv *v,
		    char *err, size_t errlen);
/* The readers call start before the first element (n: elements so far, to check the cap),
 * then set for each key of element idx, then end with the keys seen (bit per key). */
enum rules_err	rules_jv_spell_start(size_t idx, const struct rules_jv *elem, char *err,
		    size_t errlen);
enum rules_err	rules_jv_set_spell(struct rules_spell *sp, size_t idx, int k,
		    const struct rules_jv *v, char *err, size_t errlen);
enum rules_err	rules_jv_end_spell(struct rules_spell *sp, size_t idx, unsigned seen,
		    char *err, size_t errlen);
enum rules_err	rules_jv_unpaid_start(size_t idx, const struct rules_jv *elem, char *err,
		    size_t errlen);
enum rules_err	rules_jv_set_unpaid(struct rules_interval *iv, size_t idx, int k,
		    const struct rules_jv *v, char *err, size_t errlen);
enum rules_err	rules_jv_end_unpaid(struct rules_interval *iv, size_t idx, unsigned seen,
		    char *err, size_t errlen);

/* The reference reader for text: json_loadb with JSON_REJECT_DUPLICATES, then the
 * jansson walker. Slower; the unit tests hold rules_case_from_json to its verdicts. */
enum rules_err	rules_case_from_json_jansson(const char *text, size_t len,
		    struct rules_case *c, char *err, size_t errlen);

#endif
