/* The windows of RULES.md §4. Each stage closes at the minute the rules file gives (IST);
 * that minute is still open. An administrator may extend (or reopen, or shorten) a window
 * for all departments or for named ones: the latest extension that names a department, or
 * names all, wins over the rules file for that department. Every extension is audited and
 * moves the due time of the cases waiting in that stage. */
#ifndef CASES_DEADLINE_H
#define CASES_DEADLINE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "cases/rules.h"
#include "errors.h"

struct db;
struct actor;

/* The last open minute (Unix seconds of its start) of stage for a department; -1 on a
 * database error. *extended is set when an extension decides it (may be NULL). */
int64_t	deadline_get(struct db *db, const struct rules_params *rules, enum rules_stage stage,
	    const char *department, int *extended);
/* ERR_OK while open at now; ERR_WINDOW_CLOSED with a sentence naming the deadline in IST
 * in msg; ERR_INTERNAL on a database error. */
enum err deadline_check(struct db *db, const struct rules_params *rules,
	    enum rules_stage stage, const char *department, int64_t now, char *msg,
	    size_t msglen);
/* "2026-01-31 23:59 IST" (out: 24 bytes) */
void	deadline_format(int64_t minute, char out[24]);

/* Extends stage to close at the minute closes_at (Unix seconds, IST minute as above) for
 * the ndept departments named (all when ndept is 0), with a reason. Checks the departments
 * exist (ERR_INVALID_FIELD naming the unknown one). One transaction, audited. */
enum err deadline_extend(struct db *db, const struct rules_params *rules,
	    const struct actor *a, enum rules_stage stage, const char *const *depts,
	    size_t ndept, int64_t closes_at, const char *reason, char *msg, size_t msglen);

/* Sets the due time of every case waiting in a stage from the effective deadlines (after
 * the rules file changed). Runs inside the caller's transaction. 0 ok. */
int	deadline_sync_cases(struct db *db, const struct rules_params *rules);

/* {"stages": [{"stage", "default", "departments": {code: {"closes", "open"}}}],
 *  "extensions": [...]}: the effective windows of every department at now. */
json_t	*deadline_json(struct db *db, const struct rules_params *rules, int64_t now);
/* The four windows for one department: [{"stage", "closes", "open", "extended"}]. */
json_t	*deadline_json_department(struct db *db, const struct rules_params *rules,
	    const char *department, int64_t now);

#endif
