/* The HKCL export (RULES.md §5: verified data is exported to HKCL): the cases with a
 * DDO-verified record as CSV, a manifest of SHA-256 sums in sha256sum's format, and a
 * detached CMS signature (DER) of the manifest, so the receiver can prove what was sent:
 *   sha256sum -c MANIFEST.sha256
 *   openssl cms -verify -in manifest.p7s -inform DER -content MANIFEST.sha256 \
 *       -CAfile ca.pem -binary
 * The signer is a certificate the portal CA issues for the export at that moment (a CA
 * certificate itself is not fit for S/MIME signing, so OpenSSL would refuse it). */
#ifndef CASES_EXPORT_H
#define CASES_EXPORT_H

#include <stddef.h>
#include <stdint.h>

struct db;
struct actor;

#define EXPORT_CSV	"hkcl_cases.csv"
#define EXPORT_AUDIT_HEAD	"audit_head.txt"	/* issue 11: the audit checkpoint */
#define EXPORT_MANIFEST	"MANIFEST.sha256"
#define EXPORT_SIG	"manifest.p7s"
/* issue 14: employees who cannot log in, waiting past stuck_overdue_days for their
 * office's certification (in the manifest too) */
#define EXPORT_STUCK_CSV	"hkcl_stuck_overdue.csv"

struct export_result {
	long	 cases;
	char	 csv_sha256[65];
	long	 stuck_overdue;		/* issue 14 */
};

/* Writes the files into out_dir (created when absent; existing files of those names
 * are replaced) from one consistent read, audited as "export.hkcl". keys_dir holds ca.pem
 * and ca.key; stuck_overdue_days is the setting of that name. 0 ok, -1 with a sentence in
 * err. */
int	export_hkcl(struct db *db, const char *keys_dir, const char *out_dir,
	    const struct actor *a, int64_t stuck_overdue_days, struct export_result *res,
	    char *err, size_t errlen);

#endif
