/* Internals of the intake module shared between its files (and the fuzz harness).
 * Not for other modules: they use intake.h. */
#ifndef INTAKE_INTAKE_INT_H
#define INTAKE_INTAKE_INT_H

#include "intake/intake.h"

/* The accepted formats, for messages and the 415 reply. */
#define INTAKE_ACCEPTED "PDF, JPEG, PNG, or a ZIP of those"

/* Records a refusal (or acceptance) in res: code, its registry fields and a printf-style
 * technical detail for the log. Returns code. */
enum intake_code intake_fail(struct intake_result *res, enum intake_code code,
	    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* libmagic's MIME type for the bytes, mapped to an accepted type; NONE otherwise with the
 * MIME string copied into mime (for the log). -1 when libmagic cannot be used. */
int	intake_sniff(const void *data, size_t len, enum intake_type *type,
	    char *mime, size_t mimelen);

/* True when libmagic calls the bytes an archive or compressed container of any kind. */
int	intake_mime_is_archive(const char *mime);

/* The deep validators, each on a buffer already sniffed as its type. */
enum intake_code intake_pdf_check(const unsigned char *d, size_t len,
	    const struct intake_limits *lim, struct intake_result *res);
/* The strict image decoders, in the calling process (the fuzz harness calls them). A
 * decoder that runs out of memory refuses with INTAKE_IMAGE_TOO_COMPLEX. */
enum intake_code intake_jpeg_check(const unsigned char *d, size_t len,
	    const struct intake_limits *lim, struct intake_result *res);
enum intake_code intake_png_check(const unsigned char *d, size_t len,
	    const struct intake_limits *lim, struct intake_result *res);
/* The image check of type JPEG or PNG, in a limited child when its decoding memory is not
 * bounded by a small fixed budget (see struct intake_limits), in-process otherwise. fd as
 * for intake_check_isolated. */
enum intake_code intake_image_check(enum intake_type type, const unsigned char *d,
	    size_t len, int fd, const struct intake_limits *lim, struct intake_result *res);

/* The checks that can run in a limited child. */
enum intake_check_kind {
	INTAKE_CHECK_PDF,	/* intake_pdf_check; pdf_* limits; dies: pdf_too_complex */
	INTAKE_CHECK_JPEG,	/* intake_jpeg_check; image_* limits; dies: image_too_complex */
	INTAKE_CHECK_PNG,	/* intake_png_check; image_* limits; dies: image_too_complex */
	/* issue 10: the whole validation of one upload (libmagic, libarchive and the checks
	 * above, those in children of its own), so that no parser of upload bytes runs in
	 * the server; upload_* limits; dies: too_complex */
	INTAKE_CHECK_UPLOAD,
	INTAKE_CHECK__MAX
};

/* Runs the check of kind on the bytes in a forked child under that kind's memory and CPU
 * limits from lim (in-process when its memory limit is 0). A child stopped by a limit
 * before its verdict refuses the file with the kind's limit code. fd is -1, or a file
 * whose first len bytes are d: the child then maps the file itself, so the caller never
 * reads (and never holds in its RSS) more of the bytes than it already did; otherwise
 * they are copied to the child. Returns res->code. */
enum intake_code intake_check_isolated(enum intake_check_kind kind, const unsigned char *d,
	    size_t len, int fd, const struct intake_limits *lim, struct intake_result *res);
/* issue 10: intake_validate_bytes in a limited child (in-process when
 * upload_memory_max_bytes is 0). The child writes a ZIP's entry files into tmp_dir (NULL:
 * none); each comes back checked against its claimed size and hash. fd as for
 * intake_check_isolated. Returns res->code, with res->type, entry and entries set. */
enum intake_code intake_check_upload_isolated(const unsigned char *d, size_t len, int fd,
	    const struct intake_limits *lim, const char *tmp_dir, struct intake_result *res);
/* The whole validation of the bytes of one upload in the calling process: size, libmagic,
 * then the ZIP or document checks. tmp_dir as for intake_zip_check. */
enum intake_code intake_validate_bytes(const unsigned char *d, size_t len,
	    const struct intake_limits *lim, const char *tmp_dir, struct intake_result *res);
/* Loads this thread's libmagic cookie now (the helper, before it forks children). */
void	intake_sniff_warm(void);

/* tmp_dir NULL: validate only (entries listed without temp files). Otherwise, once all
 * entries passed, write each to a temp file in tmp_dir. */
enum intake_code intake_zip_check(const unsigned char *d, size_t len,
	    const struct intake_limits *lim, const char *tmp_dir, struct intake_result *res);

/* True when the bytes end with a ZIP end-of-central-directory record that reaches exactly
 * to the end (so any ZIP reader would open the file as an archive). */
int	intake_ends_as_zip(const unsigned char *d, size_t len);

/* Validation of one single document (not a ZIP) from memory; sets res->type. */
enum intake_code intake_check_document(const unsigned char *d, size_t len,
	    const struct intake_limits *lim, struct intake_result *res);

/* issue 10: names (names.c). The length of the valid UTF-8 sequence at s (at most len
 * bytes) with its code point in *cp, or 0. */
size_t	intake_utf8_decode(const unsigned char *s, size_t len, uint32_t *cp);
/* True for C0, DEL, C1, non-characters and the invisible or bidi format characters. */
int	intake_char_invisible(uint32_t c);
/* The characters of a raw name (len bytes, NUL included if present): INTAKE_OK or
 * INTAKE_NAME_NOT_ALLOWED with *why. */
enum intake_code intake_name_chars(const unsigned char *s, size_t len, const char **why);
/* INTAKE_NAME_EXECUTABLE when a part of the name after a dot is a program or script
 * type (the last part: any of them; an inner part: types web servers run). */
enum intake_code intake_name_type(const char *name, const char **why);

/* issue 10: markup and script hidden in a document (markup.c). 1 when found, with a
 * description in what; sniff_window: also the patterns browsers look for only in a
 * file's first bytes (for the raw bytes of a file, not for texts inside it). */
int	intake_markup_find(const unsigned char *d, size_t len, int sniff_window, char *what,
	    size_t whatlen);
/* INTAKE_HIDDEN_MARKUP (set in res) or INTAKE_OK. */
enum intake_code intake_markup_check(const unsigned char *d, size_t len, int sniff_window,
	    struct intake_result *res);

#endif
