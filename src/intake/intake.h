/* Document intake: decides by content alone whether an upload is a document the portal
 * accepts (PDF, JPEG, PNG, or a ZIP bundle of those), and why not when it is refused.
 * Pure: no HTTP, no database. The HTTP upload handler streams the body into a temp file
 * with intake_tmp_*, calls intake_validate_file, replies with the result's status, code
 * and message, and on acceptance moves the file (or each ZIP entry) into the blob store
 * (blob.h). The client's Content-Type and filename are never consulted here.
 *
 * Thread safety: after intake_init() (called once at start-up, single-threaded), every
 * function may be called from any thread at the same time; each thread lazily opens its
 * own libmagic cookie (released when the thread exits). PDFs, PNGs and multi-scan
 * (progressive) JPEGs are checked in short-lived child processes under memory and CPU
 * limits (see intake_init), so the server's own memory stays bounded whatever the upload. */
#ifndef INTAKE_INTAKE_H
#define INTAKE_INTAKE_H

#include <stddef.h>
#include <stdint.h>

#include <linux/limits.h>

/* The one registry of intake outcomes. Each has a stable code string, an HTTP status and a
 * sentence for the person who uploaded (intake_code_info). 0 means accepted. */
enum intake_code {
	INTAKE_OK = 0,
	INTAKE_TYPE_NOT_ACCEPTED,	/* 415 */
	INTAKE_EMPTY_FILE,
	INTAKE_FILE_TOO_LARGE,		/* 413 */
	INTAKE_JUNK_BEFORE_HEADER,
	INTAKE_TRAILING_DATA,
	INTAKE_POLYGLOT,
	INTAKE_PDF_UNPARSEABLE,
	INTAKE_PDF_ENCRYPTED,
	INTAKE_PDF_ACTIVE_CONTENT,
	INTAKE_PDF_TOO_COMPLEX,
	INTAKE_IMAGE_TOO_LARGE,
	INTAKE_IMAGE_CORRUPT,
	INTAKE_IMAGE_TOO_COMPLEX,	/* its decoder hit image_memory_max_bytes or the CPU cap */
	INTAKE_ZIP_CORRUPT,
	INTAKE_ZIP_EMPTY,
	INTAKE_ZIP_PATH_TRAVERSAL,
	INTAKE_ZIP_ABSOLUTE_PATH,
	INTAKE_ZIP_BAD_NAME,
	INTAKE_ZIP_DUPLICATE_NAME,
	INTAKE_ZIP_SYMLINK,
	INTAKE_ZIP_NOT_REGULAR,
	INTAKE_ZIP_ENCRYPTED,
	INTAKE_ZIP_NESTED,
	INTAKE_ZIP_TOO_MANY_ENTRIES,
	INTAKE_ZIP_ENTRY_TOO_LARGE,
	INTAKE_ZIP_TOO_LARGE,
	INTAKE_ZIP_BOMB,
	/* issue 10: hostile names, links, hidden markup, malware */
	INTAKE_NAME_NOT_ALLOWED,	/* control, invisible or bidi characters; not UTF-8 */
	INTAKE_NAME_EXECUTABLE,		/* "x.pdf.exe", "x.php.jpg" */
	INTAKE_PDF_EXTERNAL_LINK,	/* /URI whose scheme is not http, https or mailto */
	INTAKE_HIDDEN_MARKUP,		/* HTML, script or server code inside the file */
	INTAKE_MALWARE,			/* clamd found a signature */
	INTAKE_SCANNER_UNAVAILABLE,	/* 503: clamd down or too slow; nothing stored */
	INTAKE_TOO_COMPLEX,		/* the upload's checker hit upload_memory_max_bytes or
					 * a time limit */
	INTAKE_INTERNAL,		/* 500: our fault, logged, never the client's */
	INTAKE__MAX
};

struct intake_code_info {
	const char	*code;		/* stable, e.g. "pdf_active_content" */
	int		 status;	/* HTTP status: 0 (accepted), 413, 415, 422, 500, 503 */
	const char	*message;	/* one sentence telling a person what to do */
};

/* Never NULL: an out-of-range code yields the INTAKE_INTERNAL entry. Static storage. */
const struct intake_code_info *intake_code_info(enum intake_code code);

/* Every limit is a named setting; the caller maps them to configuration. */
struct intake_limits {
	uint64_t	file_max_bytes;		/* one upload (or one PDF/image inside a ZIP) */
	uint64_t	image_max_pixels;	/* width * height, checked before decoding */
	uint32_t	zip_max_entries;	/* every entry counts, directories too */
	uint64_t	zip_entry_max_bytes;	/* real decompressed bytes of one entry */
	uint64_t	zip_total_max_bytes;	/* real decompressed bytes of all entries */
	uint32_t	zip_max_ratio;		/* decompressed total / ZIP size, e.g. 100 */
	uint32_t	pdf_max_objects;	/* trailer /Size above this is refused */
	/* qpdf inflates object and xref streams whole in memory, and a 300 KB file can ask
	 * for gigabytes; so PDFs are parsed in a forked child with these address-space and
	 * CPU limits. 0 memory = parse in-process without limits (fuzzing, tools). */
	uint64_t	pdf_memory_max_bytes;
	uint32_t	pdf_cpu_seconds;
	/* Images whose decoding memory is not bounded by a small fixed budget (every PNG:
	 * rows as wide as the pixel cap allows and inflated text chunks; a JPEG with several
	 * scans: libjpeg keeps all its coefficients, 2 bytes per pixel per component) are
	 * decoded in a forked child with these limits. 0 memory = decode in-process. */
	uint64_t	image_memory_max_bytes;
	uint32_t	image_cpu_seconds;
	/* issue 10: clamd's local socket (NULL or "": no malware scan) and the time one scan
	 * may take before the upload is refused as scanner_unavailable. Not owned. */
	const char	*clamd_socket;
	uint32_t	clamd_timeout_ms;
	/* issue 10: the whole check of one upload (libmagic, libarchive, the JPEGs decoded
	 * in-process) runs in a child within this address space over its inherited size and
	 * these CPU and wall-clock seconds (a ZIP's PDFs and large images get children of
	 * their own under the limits above). 0 memory = in the calling process. */
	uint64_t	upload_memory_max_bytes;
	uint32_t	upload_cpu_seconds;
	uint32_t	upload_wall_seconds;
};

/* 20 MB per file, 40 megapixels, ZIP 100 entries / 20 MB each / 100 MB total / 100:1,
 * PDF 200,000 objects parsed in a child within 512 MB and 10 s of CPU, images decoded in a
 * child within 384 MB (a 40 Mpx progressive CMYK JPEG needs 320 MB) and 10 s of CPU. */
void	intake_limits_default(struct intake_limits *lim);

enum intake_type {
	INTAKE_TYPE_NONE = 0,
	INTAKE_TYPE_PDF,
	INTAKE_TYPE_JPEG,
	INTAKE_TYPE_PNG,
	INTAKE_TYPE_ZIP,
	INTAKE_TYPE__MAX
};

/* "application/pdf", "image/jpeg", "image/png", "application/zip"; NULL for NONE. */
const char *intake_type_mime(enum intake_type type);

#define INTAKE_NAME_MAX 256	/* entry names longer than 255 bytes are refused */

/* One accepted ZIP entry. tmp_path is a file (mode 0600) in the tmp folder given to
 * intake_validate_file holding exactly the validated bytes; hand it to blob_put, which
 * consumes it. sha256 is lower-case hex of those bytes. */
struct intake_entry {
	char			 name[INTAKE_NAME_MAX];	/* clean, valid UTF-8; display only */
	enum intake_type	 type;
	uint64_t		 size;
	char			 sha256[65];
	char			 tmp_path[PATH_MAX];
};

struct intake_result {
	enum intake_code	 code;		/* INTAKE_OK when accepted */
	int			 status;	/* from the registry: 0 when accepted */
	const char		*code_str;	/* from the registry (static) */
	const char		*message;	/* from the registry (static) */
	enum intake_type	 type;		/* what the content is (for a refused ZIP: ZIP) */
	const char		*mime;		/* intake_type_mime(type); NULL when unknown */
	char			 entry[INTAKE_NAME_MAX];	/* refused ZIP entry, "" otherwise;
							 * valid UTF-8, control bytes
							 * as '?' */
	char			 detail[256];	/* technical reason for the log, not the client */
	char			 signature[128];	/* INTAKE_MALWARE: clamd's signature name */
	size_t			 n_entries;	/* accepted ZIP: entries stored (directories
						 * are skipped) */
	struct intake_entry	*entries;	/* owned; intake_result_free */
};

/* Validates the bytes of one upload held in memory. Never writes anything; for a ZIP the
 * result lists the entries (names, types, sizes, hashes) with empty tmp_path.
 * Returns res->code. */
enum intake_code intake_validate_buffer(const void *data, size_t len,
	    const struct intake_limits *lim, struct intake_result *res);

/* Validates the file at path (mapped read-only; the caller must not change it meanwhile).
 * When it is an accepted ZIP and entry_tmp_dir is not NULL, every regular entry is then
 * written to its own temp file there, only after the whole bundle passed; memory stays
 * bounded by one entry. With lim->clamd_socket set, an accepted file and then each entry
 * file are scanned by clamd (INTAKE_MALWARE, INTAKE_SCANNER_UNAVAILABLE). Returns
 * res->code; on any refusal or failure no temp file is left. */
enum intake_code intake_validate_file(const char *path, const struct intake_limits *lim,
	    const char *entry_tmp_dir, struct intake_result *res);

/* Scans the file (or the open fd, read with pread from offset 0) through clamd's INSTREAM
 * at socket_path, all within timeout_ms: INTAKE_OK clean, INTAKE_MALWARE with
 * res->signature, INTAKE_SCANNER_UNAVAILABLE when clamd cannot be reached, is too slow
 * or answers with an error (fail closed). intake_validate_file calls these itself when
 * lim->clamd_socket is set: the upload and each ZIP entry file. */
enum intake_code intake_clamd_scan_fd(const char *socket_path, uint32_t timeout_ms, int fd,
	    struct intake_result *res);
enum intake_code intake_clamd_scan_path(const char *socket_path, uint32_t timeout_ms,
	    const char *path, struct intake_result *res);

/* The client's own name for an upload (multipart filename; NULL or "" when none): refused
 * with INTAKE_NAME_NOT_ALLOWED (control, invisible or bidi characters, not UTF-8) or
 * INTAKE_NAME_EXECUTABLE ("x.pdf.exe", "x.php.jpg"). Returns the code, set in res. */
enum intake_code intake_name_check(const char *name, struct intake_result *res);

/* Frees the entry list and removes any entry temp file still present (blob_put already
 * consumed those that were stored). Safe on a zeroed or already freed result. */
void	intake_result_free(struct intake_result *res);

/* Streaming writer for the upload body: a new temp file (0600, O_EXCL, random name) in
 * tmp_dir, SHA-256 computed while writing, bytes counted against max_bytes. */
struct intake_tmp {
	int	 fd;
	void	*md;		/* EVP_MD_CTX */
	uint64_t len;
	uint64_t max;
	char	 path[PATH_MAX];
};

/* 0 ok; INTAKE_INTERNAL when the file cannot be created. */
enum intake_code intake_tmp_open(struct intake_tmp *t, const char *tmp_dir, uint64_t max_bytes);
/* 0 ok; INTAKE_FILE_TOO_LARGE once the total passes max (nothing more is written);
 * INTAKE_INTERNAL on a write error. After an error call intake_tmp_abort. */
enum intake_code intake_tmp_write(struct intake_tmp *t, const void *data, size_t len);
/* fsyncs and closes; sha_hex gets the lower-case hex digest. The file stays at t->path.
 * INTAKE_EMPTY_FILE when nothing was written (the file is removed). */
enum intake_code intake_tmp_finish(struct intake_tmp *t, char sha_hex[65]);
/* Closes and removes the temp file; safe after finish (then it only removes) or twice. */
void	intake_tmp_abort(struct intake_tmp *t);

/* Starts the helper process that forks one limited child per PDF, PNG or multi-scan JPEG
 * check. Call once at
 * start-up while the process still has a single thread (before MHD starts its pool,
 * best before opening the database and sockets; the helper closes every inherited file
 * descriptor but 0-2 anyway, and ends when the server's end of its socket closes);
 * without it every such check forks the calling process, which is only safe in a
 * single-threaded program. 0 ok, INTAKE_INTERNAL when it cannot start. */
enum intake_code intake_init(void);
/* Stops the helper (at shutdown, after the worker threads are gone). */
void	intake_shutdown(void);

/* Closes this thread's libmagic cookie now (it is also closed at thread exit). */
void	intake_thread_cleanup(void);

#endif
