/* Issued letters: reference numbers, the signed PDFs under <data>/letters/<sha256>.pdf,
 * their rows, revocation, and the lookup verification asks. */
#ifndef LETTERS_STORE_H
#define LETTERS_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "errors.h"
#include "letters/letter.h"

#include <openssl/x509.h>

struct db;
struct actor;

#define LETTER_REF_MAX	64

struct issued_letter {
	char	 ref[LETTER_REF_MAX];
	char	 employee_id[33];
	char	 department_code[33];
	char	 sha256[65];
	int64_t	 size;
	int64_t	 issued_at;
	char	 issued_by[65];
	int64_t	 revoked_at;		/* 0 when not revoked */
	char	 revoked_by[96];
	char	 revoke_reason[256];
};

/* Where letters are rendered from, and the portal's public address for the QR code. */
struct letter_env {
	const char	*data_dir;
	const char	*base_url;
	struct letter_config cfg;
	X509		*ca;		/* every letter is verified against it before issue */
	const char	*tsa_url;	/* B-T: the TSA (its tokens checked against ca); NULL: B-B */
	long		 tsa_timeout_ms;
};

/* Issues a letter inside the caller's transaction: allocates the next reference of the
 * department and year (IST), renders and signs with the HoD's key, writes the PDF durably
 * (before the row commits: a crash leaves an unreferenced file, swept later, never a row
 * without its file), inserts the row and its audit record. f's ref and issued_at are set
 * here. ref_out receives the reference. */
enum err letter_store_issue(struct db *db, const struct letter_env *env,
	    const struct actor *who, const char *hod_username, const char *department_code,
	    struct letter_facts *f, char ref_out[LETTER_REF_MAX], char *msg, size_t msglen);
int	letter_store_get(struct db *db, const char *ref, struct issued_letter *l);
/* Revokes with a reason (audited); ERR_WRONG_STATE when revoked already. In its own
 * transaction. */
enum err letter_store_revoke(struct db *db, const struct actor *who, const char *ref,
	    const char *reason);
/* <data>/letters/<sha>.pdf */
int	letter_store_path(const char *data_dir, const char *sha, char *out, size_t outlen);

/* For verify_pdf: arg is a struct letter_lookup. The letter counts as issued only when its
 * reference exists and the bytes are the ones the portal stored. */
struct letter_lookup {
	struct db	*db;
	char		 sha256[65];	/* of the file being verified */
};
int	letter_store_lookup(const char *ref, int *issued, int *revoked, void *arg);

/* Releases the calling thread's cached HoD signers. */
void	letter_store_thread_release(void);

#endif
