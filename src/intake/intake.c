/* Entry points of intake: the first gate (size, emptiness, libmagic), dispatch to the
 * deep validator of the type, and the hashing temp-file writer for the upload body. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "intake/intake_int.h"
#include "util/crypt.h"

static void
result_reset(struct intake_result *res)
{
	memset(res, 0, sizeof(*res));
	intake_fail(res, INTAKE_OK, "%s", "");
}

/* A refused PDF whose header sits later than offset 0 is named for what it is (libmagic
 * itself looks for %PDF- only at the start). */
static int
pdf_header_later(const unsigned char *d, size_t len)
{
	size_t i, end = len < 1024 ? len : 1024;

	for (i = 1; i + 5 <= end; i++)
		if (memcmp(d + i, "%PDF-", 5) == 0)
			return 1;
	return 0;
}

/* The deep validation of bytes libmagic already named (type, mime). fd: -1, or the file
 * the bytes are mapped from, which a child checker maps itself (see intake_int.h). */
static enum intake_code
check_sniffed(const unsigned char *d, size_t len, int fd, enum intake_type type,
    const char *mime, const struct intake_limits *lim, struct intake_result *res)
{
	enum intake_code code = INTAKE_TYPE_NOT_ACCEPTED;

	res->type = type;
	switch (type) {
	case INTAKE_TYPE_PDF:
		code = intake_check_isolated(INTAKE_CHECK_PDF, d, len, fd, lim, res);
		break;
	case INTAKE_TYPE_JPEG:
	case INTAKE_TYPE_PNG:
		code = intake_image_check(type, d, len, fd, lim, res);
		break;
	default:
		break;
	}
	/* A well-formed document may still carry markup in its raw bytes, as a sniffing
	 * browser or a script interpreter reads them (after the structure checks, so that
	 * a file that is also a ZIP or has data after its end is named for that). */
	if (type != INTAKE_TYPE_NONE)
		return code != INTAKE_OK ? code : intake_markup_check(d, len, 1, res);
	if (pdf_header_later(d, len))
		return intake_fail(res, INTAKE_JUNK_BEFORE_HEADER, "%%PDF- after offset 0 (%s)",
		    mime);
	return intake_fail(res, INTAKE_TYPE_NOT_ACCEPTED, "%s", mime);
}

enum intake_code
intake_check_document(const unsigned char *d, size_t len, const struct intake_limits *lim,
    struct intake_result *res)
{
	enum intake_type type;
	char mime[96];

	if (len == 0)
		return intake_fail(res, INTAKE_EMPTY_FILE, "0 bytes");
	if (len > lim->file_max_bytes)
		return intake_fail(res, INTAKE_FILE_TOO_LARGE, "%zu bytes", len);
	if (intake_sniff(d, len, &type, mime, sizeof(mime)) != 0)
		return intake_fail(res, INTAKE_INTERNAL, "libmagic unavailable");
	if (type == INTAKE_TYPE_ZIP)	/* only reached for ZIP entries: no nesting */
		return intake_fail(res, INTAKE_ZIP_NESTED, "%s", mime);
	return check_sniffed(d, len, -1, type, mime, lim, res);
}

static enum intake_code
validate(const unsigned char *d, size_t len, int fd, const struct intake_limits *lim,
    const char *tmp_dir, struct intake_result *res)
{
	enum intake_type type;
	char mime[96];

	if (len == 0)
		intake_fail(res, INTAKE_EMPTY_FILE, "0 bytes");
	else if (len > lim->file_max_bytes)
		intake_fail(res, INTAKE_FILE_TOO_LARGE, "%zu bytes", len);
	else if (intake_sniff(d, len, &type, mime, sizeof(mime)) != 0)
		intake_fail(res, INTAKE_INTERNAL, "libmagic unavailable");
	else if (type == INTAKE_TYPE_ZIP)
		intake_zip_check(d, len, lim, tmp_dir, res);
	else
		check_sniffed(d, len, fd, type, mime, lim, res);
	res->mime = intake_type_mime(res->type);
	return res->code;
}

enum intake_code
intake_validate_bytes(const unsigned char *d, size_t len, const struct intake_limits *lim,
    const char *tmp_dir, struct intake_result *res)
{
	return validate(d, len, -1, lim, tmp_dir, res);
}

enum intake_code
intake_validate_buffer(const void *data, size_t len, const struct intake_limits *lim,
    struct intake_result *res)
{
	result_reset(res);
	return validate(data, len, -1, lim, NULL, res);
}

/* Malware scan of what validation accepted: the upload itself (clamd also looks inside a
 * ZIP), then every entry file that will become a blob, so that each stored blob was
 * scanned as it is. */
static enum intake_code
scan_accepted(int fd, const struct intake_limits *lim, struct intake_result *res)
{
	size_t i;

	if (intake_clamd_scan_fd(lim->clamd_socket, lim->clamd_timeout_ms, fd, res) !=
	    INTAKE_OK)
		return res->code;
	for (i = 0; i < res->n_entries; i++) {
		if (res->entries[i].tmp_path[0] == '\0')
			continue;
		if (intake_clamd_scan_path(lim->clamd_socket, lim->clamd_timeout_ms,
		    res->entries[i].tmp_path, res) != INTAKE_OK) {
			snprintf(res->entry, sizeof(res->entry), "%s", res->entries[i].name);
			return res->code;
		}
	}
	return INTAKE_OK;
}

enum intake_code
intake_validate_file(const char *path, const struct intake_limits *lim,
    const char *entry_tmp_dir, struct intake_result *res)
{
	struct stat st;
	void *map = MAP_FAILED;
	int fd = -1;

	result_reset(res);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0 || fstat(fd, &st) != 0 ||
	    !S_ISREG(st.st_mode)) {
		intake_fail(res, INTAKE_INTERNAL, "open %s: %s", path, strerror(errno));
		goto out;
	}
	if (st.st_size == 0) {
		intake_fail(res, INTAKE_EMPTY_FILE, "0 bytes");
		goto out;
	}
	if ((uint64_t)st.st_size > lim->file_max_bytes) {
		intake_fail(res, INTAKE_FILE_TOO_LARGE, "%lld bytes", (long long)st.st_size);
		goto out;
	}
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (map == MAP_FAILED) {
		intake_fail(res, INTAKE_INTERNAL, "mmap %s: %s", path, strerror(errno));
		goto out;
	}
	/* No parser of the upload's bytes runs in this process (it holds sessions and keys):
	 * the whole check runs in a limited child unless the caller turned that off. */
	if (lim->upload_memory_max_bytes == 0)
		validate(map, (size_t)st.st_size, fd, lim, entry_tmp_dir, res);
	else
		intake_check_upload_isolated(map, (size_t)st.st_size, fd, lim, entry_tmp_dir,
		    res);
	res->mime = intake_type_mime(res->type);
	if (res->code == INTAKE_OK && lim->clamd_socket != NULL && lim->clamd_socket[0] != '\0')
		scan_accepted(fd, lim, res);
out:
	if (map != MAP_FAILED)
		munmap(map, (size_t)st.st_size);
	if (fd >= 0)
		close(fd);
	if (res->code != INTAKE_OK)
		intake_result_free(res);
	return res->code;
}

void
intake_result_free(struct intake_result *res)
{
	size_t i;

	for (i = 0; i < res->n_entries; i++)
		if (res->entries[i].tmp_path[0] != '\0')
			unlink(res->entries[i].tmp_path);
	free(res->entries);
	res->entries = NULL;
	res->n_entries = 0;
}

enum intake_code
intake_tmp_open(struct intake_tmp *t, const char *tmp_dir, uint64_t max_bytes)
{
	memset(t, 0, sizeof(*t));
	t->fd = -1;
	t->max = max_bytes;
	if (snprintf(t->path, sizeof(t->path), "%s/upload-XXXXXX", tmp_dir) >=
	    (int)sizeof(t->path))
		goto fail;
	if ((t->md = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(t->md, EVP_sha256(), NULL) != 1)
		goto fail;
	if ((t->fd = mkostemp(t->path, O_CLOEXEC)) < 0)
		goto fail;
	return INTAKE_OK;
fail:
	t->path[0] = '\0';
	intake_tmp_abort(t);
	return INTAKE_INTERNAL;
}

enum intake_code
intake_tmp_write(struct intake_tmp *t, const void *data, size_t len)
{
	const char *p = data;
	ssize_t w;

	if (t->fd < 0)
		return INTAKE_INTERNAL;
	if (len > t->max - t->len)
		return INTAKE_FILE_TOO_LARGE;
	if (EVP_DigestUpdate(t->md, data, len) != 1)
		return INTAKE_INTERNAL;
	t->len += len;
	while (len > 0) {
		w = write(t->fd, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return INTAKE_INTERNAL;
		p += w;
		len -= (size_t)w;
	}
	return INTAKE_OK;
}

enum intake_code
intake_tmp_finish(struct intake_tmp *t, char sha_hex[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	int fd = t->fd;

	if (fd < 0)
		return INTAKE_INTERNAL;
	if (t->len == 0) {
		intake_tmp_abort(t);
		return INTAKE_EMPTY_FILE;
	}
	t->fd = -1;
	if (EVP_DigestFinal_ex(t->md, md, &mdlen) != 1 || mdlen != SHA256_LEN ||
	    fsync(fd) != 0) {
		close(fd);
		intake_tmp_abort(t);
		return INTAKE_INTERNAL;
	}
	if (close(fd) != 0) {
		intake_tmp_abort(t);
		return INTAKE_INTERNAL;
	}
	EVP_MD_CTX_free(t->md);
	t->md = NULL;
	crypt_hex(md, SHA256_LEN, sha_hex);
	return INTAKE_OK;
}

void
intake_tmp_abort(struct intake_tmp *t)
{
	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
	if (t->path[0] != '\0')
		unlink(t->path);
	t->path[0] = '\0';
	EVP_MD_CTX_free(t->md);
	t->md = NULL;
}
