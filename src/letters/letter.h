/* Offer letters (RULES.md §8): render the letter from templates/letter.txt with libharu and
 * sign it (PAdES, SIGNING.md). Pure functions: no database, no HTTP. The caller (approval)
 * supplies the facts, the reference number and the signer, and stores the bytes. */
#ifndef LETTERS_LETTER_H
#define LETTERS_LETTER_H

#include <stddef.h>
#include <stdint.h>

#include "letters/pki.h"
#include "util/buf.h"

/* The facts printed on a letter. Strings are UTF-8 and must be printable in the letter's
 * font (printable ASCII plus typographic quotes, dashes, bullet and no-break space; see
 * fonts/README); anything else is refused with LETTER_ERR_FACTS rather than printed
 * wrongly. All are required unless noted. */
struct letter_facts {
	const char	*ref;			/* "HR/SOS/<dept>/<year>/<seq>", from the caller */
	int64_t		 issued_at;		/* Unix seconds: the date (IST) and signing time */
	const char	*employee_name;
	const char	*employee_id;
	const char	*family_id;
	const char	*department;		/* department name, e.g. "Health" */
	const char	*office;		/* office name */
	const char	*district;		/* may be NULL or "" */
	const char	*designation;		/* of the supernumerary post */
	int		 pay_level;		/* 1..10 */
	int32_t		 effective_date;	/* days since 1970-01-01 */
	int		 entry_pay;		/* rupees a month */
	int		 band_percent;		/* 5, 10 or 15 */
	int		 qualifying_years;
	int		 additional_remuneration;
	int		 consolidated;		/* must equal entry_pay + additional_remuneration */
	const char	*hod_name;		/* signs the letter; also the /Name of the signature */
	const char	*hod_designation;	/* e.g. "Director General of Health Services" */
	const char	*verify_base_url;	/* "https://sos.example"; the QR is <base>/verify/<ref> */
};

/* Where the wording and the fonts are; NULL fields mean "templates/letter.txt" and
 * "fonts" relative to the working directory. */
struct letter_config {
	const char	*template_path;
	const char	*fonts_dir;
};

enum letter_err {
	LETTER_OK = 0,
	LETTER_ERR_FACTS,	/* a fact is missing, out of range or not printable */
	LETTER_ERR_TEMPLATE,	/* template unreadable, a section missing, unknown {{name}} */
	LETTER_ERR_FONT,	/* font files missing or unusable */
	LETTER_ERR_OVERFLOW,	/* the wording does not fit on one A4 page */
	LETTER_ERR_PDF,		/* libharu failed */
	LETTER_ERR_SIGN,	/* signing failed (see sig_sign) */
	LETTER_ERR_NOMEM,
	LETTER_ERR__MAX
};

const char	*letter_strerror(int err);

/* What the signer needs to know about an unsigned rendering: libharu's object numbers
 * (taken from libharu's own objects, cross-checked against the written trailer) and the
 * place of the visible signature block on the page (PDF points). */
struct letter_layout {
	unsigned	catalog_obj;
	unsigned	page_obj;
	unsigned	info_obj;
	unsigned	font_obj;	/* the font, used by the signature's appearance */
	size_t		base_xref;	/* libharu's own xref table (where page and catalog are) */
	unsigned	base_size;	/* its /Size */
	unsigned	size;		/* /Size of the latest revision: the next free number */
	size_t		startxref;	/* the latest xref section, the /Prev of the next one */
	float		sig_rect[4];	/* x1 y1 x2 y2 */
	float		sig_name_pt;	/* size that fits hod_name in the block; 0 unknown */
};

/* Renders the unsigned letter into pdf, which must be empty (its ceiling applies): libharu's
 * output plus one incremental update embedding the font program. The libharu document,
 * its font and the compressed font program are cached per thread, so the first letter of
 * a thread costs the font loading (~1 ms) and the others do not. */
int	letter_render(const struct letter_config *cfg, const struct letter_facts *f,
	    struct buf *pdf, struct letter_layout *layout);

/* Render and sign in one go with a key in memory (tests, the bench, offline tools). On
 * success pdf holds the signed letter (strict PAdES B-B). */
int	letter_issue(const struct letter_config *cfg, const struct letter_facts *f,
	    const struct pki_signer *signer, struct buf *pdf);
/* The same with any signer (struct sig_key in letters/sign.h: the signer process's key in
 * the token, for the server). */
struct sig_key;
int	letter_issue_key(const struct letter_config *cfg, const struct letter_facts *f,
	    const struct sig_key *key, struct buf *pdf);

/* Letters allocate and free a few MB each (libharu, the font subset, the CMS): glibc's
 * defaults give that memory back to the kernel after every letter and fault it in again
 * for the next, measured (make bench) at a third of render+sign time spent in the kernel.
 * This keeps up to 32 MiB of freed heap per arena and serves allocations below 4 MiB from
 * the heap. Call once at start-up, before threads (serve, the bench). */
void	letter_heap_tune(void);

/* The text of the visible signature block, shared by the renderer (which must put every
 * glyph of it into the embedded font subset) and the signer (which draws it). */
#define LETTER_SIG_LINE 128
void	letter_sig_lines(const char *signer_name, int64_t t, char l1[LETTER_SIG_LINE],
	    char l2[LETTER_SIG_LINE], char l3[LETTER_SIG_LINE]);

/* Frees the calling thread's cached libharu document now (it is also freed at thread
 * exit). */
void	letter_render_release(void);

#endif
