/* ZIP bundles: libarchive's seekable ZIP reader only, entries read into memory one at a
 * time and never extracted. Every entry must be a clean, unique, unencrypted regular file
 * that is not an archive and passes the same validation as a single upload; caps count the
 * real decompressed bytes. All or nothing: only when every entry passed are the entries
 * written (second pass) to temp files for the blob store.
 *
 * Why the seekable reader: it lists entries from the central directory, which is what
 * every desktop tool shows and extracts, and it cross-checks each local header against
 * it. The streaming reader trusts local headers in file order, so a crafted file can show
 * the validator one set of entries and a person opening the stored ZIP another. Before
 * libarchive sees the bytes, the end record is checked here: the file must start with a
 * local header and end exactly at the end record, its central directory must sit right
 * before it, and its entry count must be within the cap (libarchive reads the whole
 * directory into memory on the first header). */
#include <locale.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>

#include <archive.h>
#include <archive_entry.h>

#include "intake/intake_int.h"
#include "util/crypt.h"

/* Below this many decompressed bytes the expansion ratio is not judged: a tiny ZIP of a
 * few highly compressible pages has a high ratio and no danger. */
#define ZIP_RATIO_FLOOR (1024u * 1024)
#define ZIP_READ_CHUNK (64u * 1024)

struct eocd {
	size_t		pos;
	uint32_t	cd_off, cd_size;
	uint16_t	disk, cd_disk, n_disk, n_total, clen;
};

static uint16_t
le16(const unsigned char *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t
le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

/* 0 when an end-of-central-directory record ends exactly at the end of the bytes. */
static int
find_eocd(const unsigned char *d, size_t len, struct eocd *e)
{
	size_t pos, lo;

	if (len < 22)
		return -1;
	lo = len - 22 > 65535 ? len - 22 - 65535 : 0;
	for (pos = len - 22;; pos--) {
		if (memcmp(d + pos, "PK\005\006", 4) == 0 && pos + 22 + le16(d + pos + 20) == len) {
			e->pos = pos;
			e->disk = le16(d + pos + 4);
			e->cd_disk = le16(d + pos + 6);
			e->n_disk = le16(d + pos + 8);
			e->n_total = le16(d + pos + 10);
			e->cd_size = le32(d + pos + 12);
			e->cd_off = le32(d + pos + 16);
			e->clen = le16(d + pos + 20);
			return 0;
		}
		if (pos == lo)
			return -1;
	}
}

int
intake_ends_as_zip(const unsigned char *d, size_t len)
{
	struct eocd e;

	return find_eocd(d, len, &e) == 0;
}

static void set_entry_name(struct intake_result *res, const char *name);

/* The name bytes as stored, before libarchive rewrites them (it turns backslashes into
 * slashes for some creators): a backslash is refused here, and the local header must carry
 * the same name as the central directory, so that no reader can see another name. */
static enum intake_code
check_raw_name(const unsigned char *d, size_t len, size_t p, size_t cd_end,
    struct intake_result *res)
{
	char name[INTAKE_NAME_MAX];
	size_t nlen = le16(d + p + 28), lh = le32(d + p + 42);
	const char *why = "";

	if (p + 46 + nlen > cd_end)
		return intake_fail(res, INTAKE_ZIP_CORRUPT, "central directory cut short");
	snprintf(name, sizeof(name), "%.*s", (int)(nlen < sizeof(name) ? nlen : sizeof(name) - 1),
	    (const char *)d + p + 46);
	if (memchr(d + p + 46, '\\', nlen) != NULL) {
		set_entry_name(res, name);
		return intake_fail(res, INTAKE_ZIP_BAD_NAME, "backslash");
	}
	/* libarchive hands back the name cut at a NUL ("invoice.pdf\0.exe" would be judged
	 * as "invoice.pdf"), so the raw bytes are judged here, every one of them. */
	if (intake_name_chars(d + p + 46, nlen, &why) != INTAKE_OK) {
		set_entry_name(res, name);
		return intake_fail(res, INTAKE_ZIP_BAD_NAME, "raw name: %s", why);
	}
	if (lh > len || len - lh < 30 + nlen || memcmp(d + lh, "PK\003\004", 4) != 0 ||
	    le16(d + lh + 26) != nlen || memcmp(d + lh + 30, d + p + 46, nlen) != 0) {
		set_entry_name(res, name);
		return intake_fail(res, INTAKE_ZIP_CORRUPT, "local header differs");
	}
	return INTAKE_OK;
}

/* The layout checks described at the top. */
static enum intake_code
check_layout(const unsigned char *d, size_t len, const struct intake_limits *lim,
    struct intake_result *res)
{
	enum intake_code code;
	struct eocd e;
	size_t p, n = 0;

	if (find_eocd(d, len, &e) != 0)
		return intake_fail(res, INTAKE_ZIP_CORRUPT, "no end record at the end");
	if (e.pos == 0)
		return intake_fail(res, INTAKE_ZIP_EMPTY, "no entries");
	if (len < 4 || memcmp(d, "PK\003\004", 4) != 0)
		return intake_fail(res, INTAKE_ZIP_CORRUPT, "data before the first entry");
	if (e.disk != 0 || e.cd_disk != 0 || e.n_disk != e.n_total)
		return intake_fail(res, INTAKE_ZIP_CORRUPT, "multi-disk archive");
	if (e.n_total == 0xffff || e.cd_off == 0xffffffffu || e.cd_size == 0xffffffffu)
		return intake_fail(res, INTAKE_ZIP_CORRUPT, "zip64 archive");
	if ((uint64_t)e.cd_off + e.cd_size != e.pos)
		return intake_fail(res, INTAKE_ZIP_CORRUPT, "central directory not before end");
	if (e.n_total > lim->zip_max_entries)
		return intake_fail(res, INTAKE_ZIP_TOO_MANY_ENTRIES, "%u entries", e.n_total);
	/* Count the records themselves: the count field is only a claim. */
	for (p = e.cd_off; p < e.pos; n++) {
		if (e.pos - p < 46 || memcmp(d + p, "PK\001\002", 4) != 0)
			return intake_fail(res, INTAKE_ZIP_CORRUPT, "bad central directory");
		if (n >= lim->zip_max_entries)
			return intake_fail(res, INTAKE_ZIP_TOO_MANY_ENTRIES, "over %u entries",
			    lim->zip_max_entries);
		if ((code = check_raw_name(d, len, p, e.pos, res)) != INTAKE_OK)
			return code;
		p += 46 + (size_t)le16(d + p + 28) + le16(d + p + 30) + le16(d + p + 32);
	}
	if (p != e.pos || n != e.n_total)
		return intake_fail(res, INTAKE_ZIP_CORRUPT, "central directory count mismatch");
	return INTAKE_OK;
}

/* Names are display text and a key in the bundle, never a path we write to; still, a name
 * another tool could turn into a path outside its folder is refused outright. */
static enum intake_code
check_name(const char *name, int is_dir, struct intake_result *res)
{
	const unsigned char *s = (const unsigned char *)name;
	size_t len = strlen(name), i, comp;
	const char *why = "";

	if (is_dir && len > 0 && name[len - 1] == '/')
		len--;
	if (len == 0 || len >= INTAKE_NAME_MAX)
		return intake_fail(res, INTAKE_ZIP_BAD_NAME, "name length %zu", len);
	if (name[0] == '/' || (len >= 2 && name[1] == ':' &&
	    ((name[0] | 0x20) >= 'a' && (name[0] | 0x20) <= 'z')))
		return intake_fail(res, INTAKE_ZIP_ABSOLUTE_PATH, "absolute name");
	if (memchr(name, '\\', len) != NULL)
		return intake_fail(res, INTAKE_ZIP_BAD_NAME, "backslash");
	if (intake_name_chars(s, len, &why) != INTAKE_OK)
		return intake_fail(res, INTAKE_ZIP_BAD_NAME, "%s", why);
	for (i = 0; i <= len; i = comp + 1) {
		for (comp = i; comp < len && name[comp] != '/'; comp++)
			;
		if (comp - i == 2 && name[i] == '.' && name[i + 1] == '.')
			return intake_fail(res, INTAKE_ZIP_PATH_TRAVERSAL, "\"..\" component");
		if (comp == i || (comp - i == 1 && name[i] == '.'))
			return intake_fail(res, INTAKE_ZIP_BAD_NAME, "empty or \".\" component");
	}
	return INTAKE_OK;
}

/* The entry name as shown in a refusal (and sent to the client in JSON): bounded, valid
 * UTF-8, control and invisible characters and bytes of broken sequences as '?'. */
static void
set_entry_name(struct intake_result *res, const char *name)
{
	unsigned char *s = (unsigned char *)res->entry;
	size_t i, k, n;
	uint32_t c;

	snprintf(res->entry, sizeof(res->entry), "%s", name ? name : "");
	n = strlen(res->entry);
	for (i = 0; i < n; i += k) {
		k = intake_utf8_decode(s + i, n - i, &c);
		if (k == 0 || intake_char_invisible(c)) {
			s[i] = '?';
			k = 1;
		}
	}
}

struct zctx {
	const unsigned char		*d;
	size_t				 len;
	const struct intake_limits	*lim;
	struct intake_result		*res;
	struct archive			*a;
	unsigned char			*buf;
	size_t				 cap, n;
	uint64_t			 total;
};

static struct archive *
zip_open(const unsigned char *d, size_t len)
{
	struct archive *a = archive_read_new();

	if (a == NULL)
		return NULL;
	if (archive_read_support_format_zip_seekable(a) != ARCHIVE_OK ||
	    archive_read_open_memory(a, d, len) != ARCHIVE_OK) {
		archive_read_free(a);
		return NULL;
	}
	return a;
}

/* Reads the current entry's data into z->buf, counting real bytes against the caps. */
static enum intake_code
read_entry(struct zctx *z)
{
	const struct intake_limits *lim = z->lim;
	unsigned char *nb;
	size_t want, nc;
	la_ssize_t r;

	z->n = 0;
	for (;;) {
		if (z->cap - z->n < ZIP_READ_CHUNK) {
			nc = z->cap ? z->cap * 2 : 4 * ZIP_READ_CHUNK;
			if (nc > lim->zip_entry_max_bytes + ZIP_READ_CHUNK)
				nc = lim->zip_entry_max_bytes + ZIP_READ_CHUNK;
			if (nc <= z->cap || (nb = realloc(z->buf, nc)) == NULL)
				return intake_fail(z->res, INTAKE_INTERNAL, "out of memory");
			z->buf = nb;
			z->cap = nc;
		}
		want = z->cap - z->n < ZIP_READ_CHUNK ? z->cap - z->n : ZIP_READ_CHUNK;
		r = archive_read_data(z->a, z->buf + z->n, want);
		if (r == 0)
			return INTAKE_OK;
		if (r < 0)
			return intake_fail(z->res, INTAKE_ZIP_CORRUPT, "data: %.200s",
			    archive_error_string(z->a) ? archive_error_string(z->a) : "?");
		z->n += (size_t)r;
		z->total += (uint64_t)r;
		if (z->total > ZIP_RATIO_FLOOR &&
		    z->total > (uint64_t)lim->zip_max_ratio * z->len)
			return intake_fail(z->res, INTAKE_ZIP_BOMB, "over %u:1",
			    lim->zip_max_ratio);
		if (z->n > lim->zip_entry_max_bytes)
			return intake_fail(z->res, INTAKE_ZIP_ENTRY_TOO_LARGE, "over %llu bytes",
			    (unsigned long long)lim->zip_entry_max_bytes);
		if (z->total > lim->zip_total_max_bytes)
			return intake_fail(z->res, INTAKE_ZIP_TOO_LARGE, "over %llu bytes",
			    (unsigned long long)lim->zip_total_max_bytes);
	}
}

/* Next header: 1 entry, 0 end, or the refusal code negated (never INTAKE_OK). */
static int
next_header(struct zctx *z, struct archive_entry **ae)
{
	const char *err;
	int r = archive_read_next_header(z->a, ae);

	if (r == ARCHIVE_EOF)
		return 0;
	if (r == ARCHIVE_OK)
		return 1;
	err = archive_error_string(z->a) ? archive_error_string(z->a) : "?";
	if (r == ARCHIVE_WARN && *ae != NULL)
		set_entry_name(z->res, archive_entry_pathname(*ae));
	/* libarchive warns when a name is not in the expected character set. */
	if (r == ARCHIVE_WARN && strstr(err, "athname") != NULL)
		return -(int)intake_fail(z->res, INTAKE_ZIP_BAD_NAME, "%.200s", err);
	return -(int)intake_fail(z->res, INTAKE_ZIP_CORRUPT, "header: %.200s", err);
}

/* Checks the current entry's metadata. 1 = directory (skip), 0 = regular file to read,
 * negative = refusal code negated. */
static int
check_header(struct zctx *z, struct archive_entry *ae, char **names, size_t n_names)
{
	const char *name = archive_entry_pathname_utf8(ae);
	mode_t ft = archive_entry_filetype(ae);
	int is_dir = ft == AE_IFDIR;
	size_t i;

	if (name == NULL)
		name = archive_entry_pathname(ae);
	set_entry_name(z->res, name);
	if (name == NULL)
		return -(int)intake_fail(z->res, INTAKE_ZIP_BAD_NAME, "no name");
	if (check_name(name, is_dir, z->res) != INTAKE_OK)
		return -(int)z->res->code;
	if (ft == AE_IFLNK || archive_entry_hardlink(ae) != NULL)
		return -(int)intake_fail(z->res, INTAKE_ZIP_SYMLINK, "link entry");
	if (archive_entry_is_encrypted(ae))
		return -(int)intake_fail(z->res, INTAKE_ZIP_ENCRYPTED, "encrypted entry");
	if (is_dir)
		return 1;
	if (ft != AE_IFREG)
		return -(int)intake_fail(z->res, INTAKE_ZIP_NOT_REGULAR, "file type %o",
		    (unsigned)ft);
	/* Case-insensitive: Windows and macOS would put both in one file on extraction. */
	for (i = 0; i < n_names; i++)
		if (strcasecmp(names[i], name) == 0)
			return -(int)intake_fail(z->res, INTAKE_ZIP_DUPLICATE_NAME, "duplicate");
	return 0;
}

/* Validates the bytes of the current entry as a single upload. */
static enum intake_code
check_entry_content(struct zctx *z, enum intake_type *type)
{
	struct intake_result sub;
	char mime[96];

	if (z->n == 0)
		return intake_fail(z->res, INTAKE_EMPTY_FILE, "empty entry");
	if (intake_sniff(z->buf, z->n, type, mime, sizeof(mime)) != 0)
		return intake_fail(z->res, INTAKE_INTERNAL, "libmagic unavailable");
	if (*type == INTAKE_TYPE_ZIP || (*type == INTAKE_TYPE_NONE && intake_mime_is_archive(mime)))
		return intake_fail(z->res, INTAKE_ZIP_NESTED, "entry is %s", mime);
	if (*type == INTAKE_TYPE_NONE)
		return intake_fail(z->res, INTAKE_TYPE_NOT_ACCEPTED, "entry is %s", mime);
	memset(&sub, 0, sizeof(sub));
	if (intake_check_document(z->buf, z->n, z->lim, &sub) != INTAKE_OK)
		return intake_fail(z->res, sub.code, "%s", sub.detail);
	return INTAKE_OK;
}

/* "x.pdf.exe", "x.php.jpg": judged after the content, so that an entry that is no
 * document at all is named for that. */
static enum intake_code
check_entry_type_name(struct zctx *z)
{
	const char *why = "";

	if (intake_name_type(z->res->entry, &why) != INTAKE_OK)
		return intake_fail(z->res, INTAKE_NAME_EXECUTABLE, "%s", why);
	return INTAKE_OK;
}

static enum intake_code
add_entry(struct zctx *z, const char *name, enum intake_type type)
{
	struct intake_result *res = z->res;
	struct intake_entry *e, *ne;

	ne = realloc(res->entries, (res->n_entries + 1) * sizeof(*ne));
	if (ne == NULL)
		return intake_fail(res, INTAKE_INTERNAL, "out of memory");
	res->entries = ne;
	e = &ne[res->n_entries++];
	memset(e, 0, sizeof(*e));
	snprintf(e->name, sizeof(e->name), "%s", name);
	e->type = type;
	e->size = z->n;
	crypt_sha256_hex(z->buf, z->n, e->sha256);
	return INTAKE_OK;
}

/* First pass: every check, nothing written. */
static enum intake_code
validate_all(struct zctx *z)
{
	struct archive_entry *ae;
	enum intake_type type;
	char **names;
	size_t n_names = 0, i;
	uint32_t count = 0;
	enum intake_code code = INTAKE_OK;
	int r;

	if ((names = calloc((size_t)z->lim->zip_max_entries + 1, sizeof(*names))) == NULL)
		return intake_fail(z->res, INTAKE_INTERNAL, "out of memory");
	while (code == INTAKE_OK && (r = next_header(z, &ae)) != 0) {
		if (r < 0 || (r = check_header(z, ae, names, n_names)) < 0) {
			code = (enum intake_code)-r;
			break;
		}
		if (++count > z->lim->zip_max_entries) {
			code = intake_fail(z->res, INTAKE_ZIP_TOO_MANY_ENTRIES, "over %u entries",
			    count - 1);
			break;
		}
		if (r == 1)
			continue;
		if ((code = read_entry(z)) != INTAKE_OK ||
		    (code = check_entry_content(z, &type)) != INTAKE_OK ||
		    (code = check_entry_type_name(z)) != INTAKE_OK ||
		    (code = add_entry(z, z->res->entry, type)) != INTAKE_OK)
			break;
		if ((names[n_names] = strdup(z->res->entry)) == NULL) {
			code = intake_fail(z->res, INTAKE_INTERNAL, "out of memory");
			break;
		}
		n_names++;
	}
	for (i = 0; i < n_names; i++)
		free(names[i]);
	free(names);
	if (code == INTAKE_OK && z->res->n_entries == 0)
		code = intake_fail(z->res, INTAKE_ZIP_EMPTY, "no regular entries");
	return code;
}

static int
write_all(int fd, const unsigned char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		w = write(fd, p, n);
		if (w < 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Second pass, after every entry passed: each regular entry to its own temp file, its
 * bytes checked against the hash taken in the first pass. */
static enum intake_code
store_all(struct zctx *z, const char *tmp_dir)
{
	struct intake_result *res = z->res;
	struct archive_entry *ae;
	struct intake_entry *e;
	char sha[SHA256_HEX];
	size_t k = 0;
	int r, fd;

	while ((r = next_header(z, &ae)) != 0) {
		if (r < 0)
			return intake_fail(res, INTAKE_INTERNAL, "second pass differs");
		if (archive_entry_filetype(ae) == AE_IFDIR)
			continue;
		if (k >= res->n_entries || read_entry(z) != INTAKE_OK)
			return intake_fail(res, INTAKE_INTERNAL, "second pass differs");
		e = &res->entries[k++];
		crypt_sha256_hex(z->buf, z->n, sha);
		if (z->n != e->size || strcmp(sha, e->sha256) != 0)
			return intake_fail(res, INTAKE_INTERNAL, "second pass differs");
		if (snprintf(e->tmp_path, sizeof(e->tmp_path), "%s/entry-XXXXXX", tmp_dir) >=
		    (int)sizeof(e->tmp_path)) {
			e->tmp_path[0] = '\0';
			return intake_fail(res, INTAKE_INTERNAL, "tmp path too long");
		}
		if ((fd = mkostemp(e->tmp_path, O_CLOEXEC)) < 0) {
			e->tmp_path[0] = '\0';
			return intake_fail(res, INTAKE_INTERNAL, "mkstemp in %s", tmp_dir);
		}
		if (write_all(fd, z->buf, z->n) != 0 || fsync(fd) != 0) {
			close(fd);
			return intake_fail(res, INTAKE_INTERNAL, "write %s", e->tmp_path);
		}
		if (close(fd) != 0)
			return intake_fail(res, INTAKE_INTERNAL, "close %s", e->tmp_path);
	}
	if (k != res->n_entries)
		return intake_fail(res, INTAKE_INTERNAL, "second pass differs");
	return INTAKE_OK;
}

static locale_t	utf8_locale;
static pthread_once_t utf8_once = PTHREAD_ONCE_INIT;

static void
utf8_init(void)
{
	utf8_locale = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
}

enum intake_code
intake_zip_check(const unsigned char *d, size_t len, const struct intake_limits *lim,
    const char *tmp_dir, struct intake_result *res)
{
	struct zctx z;
	locale_t old = (locale_t)0;
	enum intake_code code;
	size_t i;

	memset(&z, 0, sizeof(z));
	z.d = d;
	z.len = len;
	z.lim = lim;
	z.res = res;
	res->type = INTAKE_TYPE_ZIP;
	if ((code = check_layout(d, len, lim, res)) != INTAKE_OK)
		return code;
	/* Names are UTF-8 on the wire; libarchive converts them to the thread's locale and
	 * warns when it cannot, so this thread reads them under a UTF-8 locale. */
	pthread_once(&utf8_once, utf8_init);
	if (utf8_locale != (locale_t)0)
		old = uselocale(utf8_locale);
	if ((z.a = zip_open(d, len)) == NULL) {
		code = intake_fail(res, INTAKE_INTERNAL, "archive_read_open_memory");
		goto out;
	}
	if ((code = validate_all(&z)) != INTAKE_OK || tmp_dir == NULL)
		goto out;
	res->entry[0] = '\0';
	archive_read_free(z.a);
	z.total = 0;
	if ((z.a = zip_open(d, len)) == NULL) {
		code = intake_fail(res, INTAKE_INTERNAL, "archive_read_open_memory");
		goto out;
	}
	code = store_all(&z, tmp_dir);
	if (code != INTAKE_OK)
		for (i = 0; i < res->n_entries; i++)
			if (res->entries[i].tmp_path[0] != '\0') {
				unlink(res->entries[i].tmp_path);
				res->entries[i].tmp_path[0] = '\0';
			}
out:
	if (code == INTAKE_OK)
		res->entry[0] = '\0';
	if (z.a != NULL)
		archive_read_free(z.a);
	free(z.buf);
	if (old != (locale_t)0)
		uselocale(old);
	return code;
}
