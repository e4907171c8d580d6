/* The approval hook: a case's facts made into its offer letter, issued and stored inside
 * the approval transaction (case_approve's case_letter_fn). */
#ifndef LETTERS_CASE_LETTER_H
#define LETTERS_CASE_LETTER_H

#include "cases/case.h"
#include "letters/store.h"
#include "util/buf.h"

struct letter_case_arg {
	const struct letter_env	*env;
	const struct actor	*actor;		/* the approving HoD, for the audit record */
	char			 msg[256];	/* why issuing failed, when it did */
};

/* A case_letter_fn; arg is a struct letter_case_arg. 0 ok. */
int	letter_for_case(struct db *db, const struct case_view *cv, char ref_out[64], void *arg);

/* The HoD's preview before signing: the same facts and layout, unsigned, with no reference
 * allocated and nothing stored. */
struct letter_preview_arg {
	const struct letter_env	*env;
	struct buf		 pdf;		/* the caller's: buf_init before, buf_free after */
	char			 msg[256];
};
/* A case_letter_fn for case_letter_preview; arg is a struct letter_preview_arg. */
int	letter_preview_for_case(struct db *db, const struct case_view *cv, char ref_out[64],
	    void *arg);

#endif
