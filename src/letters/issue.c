/* Render and sign in one call: what approval needs when the portal signs (its seal, or a
 * HoD key it holds by policy, both in the signer process's token). */
#include "letters/letter.h"

#include <malloc.h>
#include <stdio.h>

#include "letters/sign.h"

int
letter_issue_key(const struct letter_config *cfg, const struct letter_facts *f,
    const struct sig_key *key, struct buf *pdf)
{
	struct letter_layout lay;
	struct sig_request req;
	char reason[160];
	int rc, n;

	if ((rc = letter_render(cfg, f, pdf, &lay)) != LETTER_OK)
		return rc;
	n = snprintf(reason, sizeof(reason), "Offer letter %s issued by the Head of Department",
	    f->ref);
	if (n < 0 || (size_t)n >= sizeof(reason))
		return LETTER_ERR_FACTS;
	req.signer_name = f->hod_name;
	req.reason = reason;
	req.letter_ref = f->ref;
	req.signing_time = f->issued_at;
	if (sig_sign_key(pdf, &lay, &req, key) != SIG_OK) {
		buf_reset(pdf);
		return LETTER_ERR_SIGN;
	}
	return LETTER_OK;
}

int
letter_issue(const struct letter_config *cfg, const struct letter_facts *f,
    const struct pki_signer *signer, struct buf *pdf)
{
	struct sig_key key = { NULL, NULL, NULL, NULL, NULL, NULL, 0 };

	if (signer == NULL || signer->key == NULL || signer->cert == NULL)
		return LETTER_ERR_SIGN;
	key.cert = signer->cert;
	key.chain = signer->chain;
	key.fn = sig_fn_evp;
	key.ctx = signer->key;
	return letter_issue_key(cfg, f, &key, pdf);
}

void
letter_heap_tune(void)
{
	mallopt(M_MMAP_THRESHOLD, 4 * 1024 * 1024);
	mallopt(M_TRIM_THRESHOLD, 32 * 1024 * 1024);
}
