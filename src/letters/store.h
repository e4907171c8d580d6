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

/* reconcile.c (issue 11): every issued letter also leaves a journal entry beside its PDF,
 * <data>/letters/<sha>.json (ref, employee, department, sha256, size, issued_at, issued_by),
 * written durably before the row commits. A restored database may not know letters issued
 * after its snapshot. letter_reconcile() raises every department's sequence above every
 * reference ever journalled, so no reference is given twice, and counts the letters the
 * database does not know. With restore set (suraksha restore) it also registers each such
 * letter that the backup listed as committed after its snapshot (LETTER_AFTER_SNAPSHOT)
 * and whose reference is free, moving its case to approved (audited), and quarantines the
 * others under letters/quarantine/ (audited): an approval that never committed leaves the
 * same traces, and must not become an issued letter. */
#define LETTER_AFTER_SNAPSHOT	"after-snapshot.list"
int	letter_journal_write(const char *data_dir, const char *ref, const char *employee_id,
	    const char *department_code, const char *sha, int64_t size, int64_t issued_at,
	    const char *issued_by);
struct letter_reconcile_report {
	long	 known;		/* journalled and in the database, same bytes */
	long	 registered;	/* journalled, not in the database: registered now */
	long	 quarantined;	/* journalled, clashing with the database: moved aside */
	long	 unknown;	/* journalled, not in the database, left (start-up) */
	long	 unjournalled;	/* PDFs in neither the journal nor the database */
	long	 sequences_raised;
};
/* In one transaction. Each registration and quarantine is logged and audited. 0 ok. */
int	letter_reconcile(struct db *db, const char *data_dir, int restore,
	    struct letter_reconcile_report *r);

/* suraksha backup, after copying letters/ into dest_dir: lists in dest_dir/letters/
 * LETTER_AFTER_SNAPSHOT the journalled letters the snapshot does not hold that the live
 * database has committed by now. 0 ok. */
int	letter_backup_mark(const char *dest_dir, struct db *snapshot, struct db *live,
	    long *marked);

/* Releases the calling thread's cached HoD signers. */
void	letter_store_thread_release(void);

#endif
