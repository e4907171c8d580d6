/* The first gate: libmagic names the type from the bytes. One cookie per thread, opened
 * on first use, because a magic_t must not be shared between threads. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <magic.h>

#include "intake/intake_int.h"
#include "util/log.h"

/* libmagic only needs the start of a file to name the type; a cap keeps its regex and
 * "search" rules from scanning megabytes of attacker bytes. */
#define SNIFF_BYTES_MAX	(256u * 1024)

static pthread_key_t	cookie_key;
static pthread_once_t	cookie_once = PTHREAD_ONCE_INIT;
static int		cookie_key_ok;

static void
cookie_close(void *p)
{
	if (p != NULL)
		magic_close((magic_t)p);
}

static void
cookie_key_init(void)
{
	cookie_key_ok = pthread_key_create(&cookie_key, cookie_close) == 0;
}

static magic_t
cookie_get(void)
{
	magic_t m = NULL;
	size_t bytes = SNIFF_BYTES_MAX;

	if (pthread_once(&cookie_once, cookie_key_init) != 0 || !cookie_key_ok)
		return NULL;
	m = pthread_getspecific(cookie_key);
	if (m != NULL)
		return m;
	m = magic_open(MAGIC_MIME_TYPE | MAGIC_NO_CHECK_COMPRESS | MAGIC_NO_CHECK_ELF |
	    MAGIC_ERROR);
	if (m == NULL)
		return NULL;
	if (magic_load(m, NULL) != 0 ||
	    magic_setparam(m, MAGIC_PARAM_BYTES_MAX, &bytes) != 0) {
		log_error("intake: libmagic: %s", magic_error(m) ? magic_error(m) : "?");
		magic_close(m);
		return NULL;
	}
	if (pthread_setspecific(cookie_key, m) != 0) {
		magic_close(m);
		return NULL;
	}
	return m;
}

void
intake_sniff_warm(void)
{
	(void)cookie_get();
}

void
intake_thread_cleanup(void)
{
	magic_t m;

	if (!cookie_key_ok)
		return;
	m = pthread_getspecific(cookie_key);
	if (m != NULL) {
		pthread_setspecific(cookie_key, NULL);
		magic_close(m);
	}
}

int
intake_sniff(const void *data, size_t len, enum intake_type *type, char *mime,
    size_t mimelen)
{
	static const struct { const char *mime; enum intake_type type; } map[] = {
		{ "application/pdf",	INTAKE_TYPE_PDF },
		{ "image/jpeg",		INTAKE_TYPE_JPEG },
		{ "image/png",		INTAKE_TYPE_PNG },
		{ "application/zip",	INTAKE_TYPE_ZIP },
	};
	magic_t m = cookie_get();
	const char *t;
	size_t i;

	*type = INTAKE_TYPE_NONE;
	if (mimelen > 0)
		mime[0] = '\0';
	if (m == NULL)
		return -1;
	t = magic_buffer(m, data, len);
	if (t == NULL && magic_errno(m) != 0) {
		log_error("intake: magic_buffer: %s", magic_error(m) ? magic_error(m) : "?");
		return -1;
	}
	/* libmagic also fails on some content (found by fuzzing: 8 bytes of broken UTF-32);
	 * content it cannot name is content we do not accept, not our failure. */
	if (t == NULL)
		t = "application/octet-stream";
	if (mimelen > 0)
		snprintf(mime, mimelen, "%s", t);
	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(t, map[i].mime) == 0)
			*type = map[i].type;
	return 0;
}

int
intake_mime_is_archive(const char *mime)
{
	static const char *const arch[] = {
		"application/zip", "application/x-zip", "application/java-archive",
		"application/gzip", "application/x-gzip", "application/x-bzip2",
		"application/x-xz", "application/x-lzma", "application/x-lzip",
		"application/zstd", "application/x-zstd", "application/x-compress",
		"application/x-tar", "application/x-gtar", "application/x-ustar",
		"application/x-7z-compressed", "application/x-rar", "application/vnd.rar",
		"application/x-rar-compressed", "application/x-archive", "application/x-cpio",
		"application/x-iso9660-image", "application/x-lha", "application/x-lharc",
		"application/x-arj", "application/vnd.ms-cab-compressed", "application/x-xar",
		"application/x-alz", "application/x-ace-compressed", "application/x-lz4",
		"application/x-apple-diskimage",
		"application/vnd.android.package-archive", "application/x-debian-package",
		"application/x-rpm", "application/epub+zip",
	};
	size_t i;

	for (i = 0; i < sizeof(arch) / sizeof(arch[0]); i++)
		if (strcmp(mime, arch[i]) == 0)
			return 1;
	/* OOXML and ODF documents are ZIPs under another name. */
	return strncmp(mime, "application/vnd.openxmlformats", 31) == 0 ||
	    strncmp(mime, "application/vnd.oasis.opendocument", 34) == 0;
}
