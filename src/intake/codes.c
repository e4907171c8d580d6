/* The registry of intake outcomes: one table, used by every refusal (STYLE.md, Errors). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "intake/intake_int.h"

static const struct intake_code_info codes[INTAKE__MAX] = {
	[INTAKE_OK] = { "ok", 0, "The document was accepted." },
	[INTAKE_TYPE_NOT_ACCEPTED] = { "type_not_accepted", 415,
	    "This kind of file is not accepted; upload a PDF, JPEG or PNG file, or a ZIP "
	    "of those." },
	[INTAKE_EMPTY_FILE] = { "empty_file", 422,
	    "The file is empty; choose the document again and upload it." },
	[INTAKE_FILE_TOO_LARGE] = { "file_too_large", 413,
	    "The file is too large; reduce it (for example scan at 150-300 dpi) and upload "
	    "it again." },
	[INTAKE_JUNK_BEFORE_HEADER] = { "junk_before_header", 422,
	    "The file has unexpected data before the start of the document; save or export "
	    "it again as PDF and upload the new file." },
	[INTAKE_TRAILING_DATA] = { "trailing_data", 422,
	    "The file has unexpected data after the end of the document; save or export it "
	    "again and upload the new file." },
	[INTAKE_POLYGLOT] = { "polyglot", 422,
	    "The file is at the same time a document and an archive; save or export the "
	    "document again and upload the new file." },
	[INTAKE_PDF_UNPARSEABLE] = { "pdf_unparseable", 422,
	    "The PDF is damaged or incomplete; open it, save or print it to a new PDF, and "
	    "upload that file." },
	[INTAKE_PDF_ENCRYPTED] = { "pdf_encrypted", 422,
	    "The PDF is password-protected or encrypted; save a copy without a password "
	    "and upload that file." },
	[INTAKE_PDF_ACTIVE_CONTENT] = { "pdf_active_content", 422,
	    "The PDF contains scripts, actions, forms or attached files, which are not "
	    "allowed; print it to a new PDF (\"Microsoft Print to PDF\" or \"Save as PDF\") "
	    "and upload that file." },
	[INTAKE_PDF_TOO_COMPLEX] = { "pdf_too_complex", 422,
	    "The PDF is too complex to check (too many objects or too much packed data); "
	    "print it to a new PDF and upload that file." },
	[INTAKE_IMAGE_TOO_LARGE] = { "image_too_large", 422,
	    "The image has too many pixels; reduce its resolution (fewer megapixels) "
	    "and upload it again." },
	[INTAKE_IMAGE_CORRUPT] = { "image_corrupt", 422,
	    "The image is damaged or incomplete; open it, save it again as JPEG or PNG, "
	    "and upload the new file." },
	[INTAKE_IMAGE_TOO_COMPLEX] = { "image_too_complex", 422,
	    "The image needs too much memory to check (very high resolution, progressive "
	    "or with large embedded text); save it again as a standard JPEG or PNG at a "
	    "lower resolution and upload the new file." },
	[INTAKE_ZIP_CORRUPT] = { "zip_corrupt", 422,
	    "The ZIP file is damaged; create the ZIP again and upload it." },
	[INTAKE_ZIP_EMPTY] = { "zip_empty", 422,
	    "The ZIP file holds no documents; put your PDF, JPEG or PNG files in it and "
	    "upload it again." },
	[INTAKE_ZIP_PATH_TRAVERSAL] = { "zip_path_traversal", 422,
	    "A name inside the ZIP points outside it (\"..\"); rename the file and create "
	    "the ZIP again." },
	[INTAKE_ZIP_ABSOLUTE_PATH] = { "zip_absolute_path", 422,
	    "A name inside the ZIP is an absolute path; create the ZIP again from the "
	    "folder holding your documents." },
	[INTAKE_ZIP_BAD_NAME] = { "zip_bad_name", 422,
	    "A name inside the ZIP has characters that are not allowed (backslash, control "
	    "characters, or it is too long); rename the file and create the ZIP again." },
	[INTAKE_ZIP_DUPLICATE_NAME] = { "zip_duplicate_name", 422,
	    "Two files inside the ZIP have the same name; rename one and create the ZIP "
	    "again." },
	[INTAKE_ZIP_SYMLINK] = { "zip_symlink", 422,
	    "The ZIP contains a link instead of a file; put the real document in the ZIP "
	    "and create it again." },
	[INTAKE_ZIP_NOT_REGULAR] = { "zip_not_regular", 422,
	    "The ZIP contains an entry that is not an ordinary file; put only your "
	    "documents in the ZIP and create it again." },
	[INTAKE_ZIP_ENCRYPTED] = { "zip_encrypted", 422,
	    "A file in the ZIP is password-protected; create the ZIP again without a "
	    "password." },
	[INTAKE_ZIP_NESTED] = { "zip_nested", 422,
	    "The ZIP contains another archive; put the documents themselves in one ZIP "
	    "and upload it again." },
	[INTAKE_ZIP_TOO_MANY_ENTRIES] = { "zip_too_many_entries", 422,
	    "The ZIP contains too many files; split the documents over several "
	    "uploads." },
	[INTAKE_ZIP_ENTRY_TOO_LARGE] = { "zip_entry_too_large", 422,
	    "A file in the ZIP is too large; reduce it and create the ZIP again." },
	[INTAKE_ZIP_TOO_LARGE] = { "zip_too_large", 422,
	    "The files in the ZIP are too large together; split them over several "
	    "uploads." },
	[INTAKE_ZIP_BOMB] = { "zip_bomb", 422,
	    "The ZIP unpacks to far more data than its size suggests and was refused; "
	    "create the ZIP again from your documents." },
	/* issue 10 */
	[INTAKE_NAME_NOT_ALLOWED] = { "file_name_not_allowed", 422,
	    "The file name has control, invisible or direction-changing characters, or is "
	    "not valid text; rename the file with plain letters, digits, spaces, dots and "
	    "dashes, and upload it again." },
	[INTAKE_NAME_EXECUTABLE] = { "file_name_executable", 422,
	    "The file name contains a program or script type (such as .exe, .js or .php); "
	    "rename the file so that it ends in .pdf, .jpg, .png or .zip with no other such "
	    "part, and upload it again." },
	[INTAKE_PDF_EXTERNAL_LINK] = { "pdf_external_link", 422,
	    "The PDF has a link that opens a file, a network share or a program instead of "
	    "a web page; print it to a new PDF (\"Microsoft Print to PDF\" or \"Save as "
	    "PDF\") and upload that file." },
	[INTAKE_HIDDEN_MARKUP] = { "hidden_markup", 422,
	    "The file carries web page or script code hidden inside it, which is not "
	    "allowed; open the document, save or print it again as a new PDF, JPEG or PNG, "
	    "and upload that file." },
	[INTAKE_MALWARE] = { "malware_detected", 422,
	    "The virus scanner found malicious content in the file, so it was not stored; "
	    "check your computer for viruses and upload a clean copy of the document." },
	[INTAKE_SCANNER_UNAVAILABLE] = { "scanner_unavailable", 503,
	    "The virus scanner is not available right now, so nothing was stored; please "
	    "upload the document again in a few minutes." },
	[INTAKE_TOO_COMPLEX] = { "too_complex", 422,
	    "The file needs too much memory or time to check; save or export the documents "
	    "again as ordinary PDF, JPEG or PNG files (a smaller ZIP if you use one) and "
	    "upload them again." },
	[INTAKE_INTERNAL] = { "internal_error", 500,
	    "The document could not be checked because of a problem on our side; please "
	    "try again later." },
};

const struct intake_code_info *
intake_code_info(enum intake_code code)
{
	if ((unsigned)code >= INTAKE__MAX || codes[code].code == NULL)
		return &codes[INTAKE_INTERNAL];
	return &codes[code];
}

enum intake_code
intake_fail(struct intake_result *res, enum intake_code code, const char *fmt, ...)
{
	const struct intake_code_info *ci = intake_code_info(code);
	va_list ap;
	int n;

	res->code = code;
	res->status = ci->status;
	res->code_str = ci->code;
	res->message = ci->message;
	va_start(ap, fmt);
	n = vsnprintf(res->detail, sizeof(res->detail), fmt, ap);
	va_end(ap);
	/* A detail cut short is still useful for the log; only a hard failure clears it. */
	if (n < 0)
		res->detail[0] = '\0';
	return code;
}

void
intake_limits_default(struct intake_limits *lim)
{
	memset(lim, 0, sizeof(*lim));
	lim->file_max_bytes = 20u * 1024 * 1024;
	lim->image_max_pixels = 40u * 1000 * 1000;
	lim->zip_max_entries = 100;
	lim->zip_entry_max_bytes = 20u * 1024 * 1024;
	lim->zip_total_max_bytes = 100u * 1024 * 1024;
	lim->zip_max_ratio = 100;
	lim->pdf_max_objects = 200000;
	lim->pdf_memory_max_bytes = 512u * 1024 * 1024;
	lim->pdf_cpu_seconds = 10;
	lim->image_memory_max_bytes = 384u * 1024 * 1024;
	lim->image_cpu_seconds = 10;
	lim->upload_memory_max_bytes = 256u * 1024 * 1024;
	lim->upload_cpu_seconds = 10;
	lim->upload_wall_seconds = 120;
}

const char *
intake_type_mime(enum intake_type type)
{
	switch (type) {
	case INTAKE_TYPE_PDF:	return "application/pdf";
	case INTAKE_TYPE_JPEG:	return "image/jpeg";
	case INTAKE_TYPE_PNG:	return "image/png";
	case INTAKE_TYPE_ZIP:	return "application/zip";
	default:		return NULL;
	}
}
