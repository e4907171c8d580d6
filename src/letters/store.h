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
	char	 signed_sha256[65];	/* "" on rows from before issue 9 */
	char	 cert_sha256[65];
};

/* Where letters are rendered from, and the portal's public address for the QR code. */
struct letter_env {
	const char	*data_dir;
	const char	*base_url;
	struct letter_config cfg;
	X509		*ca;		/* every letter is verified against it before issue */
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

/* For verify_pdf (a verify_lookup_fn): arg is a struct letter_lookup. Answers what the
 * portal recorded for ref; verify.c decides whether it is the letter at hand. */
struct letter_lookup {
	struct db	*db;
};
struct verify_issued;
int	letter_store_lookup(const char *ref, struct verify_issued *out, void *arg);

/* issue 10: for the sweeper of leftovers. Removes the files a letter issue cut short
 * left under <data>/letters (temp files, and signed PDFs whose row never committed),
 * only those untouched for min_age seconds. 0 ok (*removed set), -1 unreadable folder. */
int	letter_store_sweep(struct db *db, const char *data_dir, long min_age, unsigned *removed);

/* Releases the calling thread's cached HoD signers. */
void	letter_store_thread_release(void);

#endif
