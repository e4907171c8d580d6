/* File names a person sees: the upload's own name and every ZIP entry name. A name is
 * display text and never a path we write to, but it is shown to the DDO and used when a
 * document is saved on a desktop, so it must say what it is: no control characters (C0,
 * DEL, C1, NUL anywhere in the raw bytes), no Unicode format characters (the bidi controls
 * that make "invoice<U+202E>fdp.exe" show as "invoiceexe.pdf", zero-width and other
 * invisible characters), valid UTF-8, and no part that names a program or script
 * ("report.pdf.exe" runs on a click; "photo.php.jpg" runs as PHP on servers that map every
 * extension of a name). */
#include <string.h>
#include <strings.h>

#include "intake/intake_int.h"

size_t
intake_utf8_decode(const unsigned char *s, size_t len, uint32_t *cp)
{
	size_t n, i;
	uint32_t c;

	if (len == 0)
		return 0;
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
		c = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		c = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		c = s[0] & 0x07;
	} else
		return 0;
	if (n > len)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && c < 0x800) || (n == 4 && (c < 0x10000 || c > 0x10ffff)) ||
	    (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

/* Unicode general category Cf (format), plus the line and paragraph separators and the
 * interlinear annotation marks: everything that is invisible or changes how the
 * characters around it are shown. Unicode 15. */
static const struct { uint32_t lo, hi; } invisible[] = {
	{ 0x00ad, 0x00ad }, { 0x0600, 0x0605 }, { 0x061c, 0x061c }, { 0x06dd, 0x06dd },
	{ 0x070f, 0x070f }, { 0x0890, 0x0891 }, { 0x08e2, 0x08e2 }, { 0x180e, 0x180e },
	{ 0x200b, 0x200f }, { 0x2028, 0x202e }, { 0x2060, 0x2064 }, { 0x2066, 0x206f },
	{ 0xfeff, 0xfeff }, { 0xfff9, 0xfffb }, { 0x110bd, 0x110bd }, { 0x110cd, 0x110cd },
	{ 0x13430, 0x1343f }, { 0x1bca0, 0x1bca3 }, { 0x1d173, 0x1d17a }, { 0xe0001, 0xe0001 },
	{ 0xe0020, 0xe007f },
};

int
intake_char_invisible(uint32_t c)
{
	size_t i;

	if (c < 0x20 || (c >= 0x7f && c <= 0x9f))	/* C0, DEL, C1 */
		return 1;
	if ((c & 0xfffe) == 0xfffe || (c >= 0xfdd0 && c <= 0xfdef))	/* non-characters */
		return 1;
	for (i = 0; i < sizeof(invisible) / sizeof(invisible[0]); i++)
		if (c >= invisible[i].lo && c <= invisible[i].hi)
			return 1;
	return 0;
}

/* Types that run when opened on a desktop, or that a web server executes or serves as
 * active content: refused as the last part of a name ("report.pdf.exe"). */
static const char *const executable[] = {
	"exe", "com", "scr", "pif", "bat", "cmd", "msi", "msp", "mst", "cpl", "dll", "ocx",
	"vbs", "vbe", "js", "jse", "mjs", "wsf", "wsh", "wsc", "sct", "ps1", "psm1", "psd1",
	"ps1xml", "ps2", "msh", "hta", "lnk", "scf", "reg", "gadget", "appref-ms", "jar",
	"jnlp", "apk", "sh", "bash", "zsh", "csh", "ksh", "elf", "php", "php3", "php4",
	"php5", "php7", "php8", "phtml", "pht", "phar", "phps", "asp", "aspx", "asa", "asax",
	"ascx", "ashx", "asmx", "jsp", "jspx", "cfm", "cfml", "shtml", "shtm", "stm", "pl",
	"cgi", "py", "pyw", "rb", "htm", "html", "xhtml", "xht", "mht", "mhtml", "svg", "svgz",
	"xml", "xsl", "htaccess", "swf", "iso", "img", "vhd", "vhdx", "docm", "xlsm", "pptm",
	"dotm", "xlam", "ppam",
};

/* Types a web server runs whatever follows them ("photo.php.jpg" is PHP to Apache with
 * AddHandler): refused in any part of a name after the first. Words a person might put
 * between dots ("M.Com.pdf", "R.K.Sh.pdf") are not here. */
static const char *const server_script[] = {
	"exe", "scr", "bat", "cmd", "vbs", "hta", "ps1", "php", "php3", "php4", "php5",
	"php7", "php8", "phtml", "pht", "phar", "phps", "asp", "aspx", "asa", "ascx", "ashx",
	"asmx", "jsp", "jspx", "cfm", "cfml", "shtml", "shtm", "cgi", "htaccess", "html",
	"htm", "xhtml", "svg",
};

static int
in_list(const char *p, size_t n, const char *const *list, size_t count)
{
	size_t i;

	for (i = 0; i < count; i++)
		if (strlen(list[i]) == n && strncasecmp(p, list[i], n) == 0)
			return 1;
	return 0;
}

#define NEXEC (sizeof(executable) / sizeof(executable[0]))
#define NSCRIPT (sizeof(server_script) / sizeof(server_script[0]))

enum intake_code
intake_name_chars(const unsigned char *s, size_t len, const char **why)
{
	uint32_t c;
	size_t i, k;

	for (i = 0; i < len; i += k) {
		if ((k = intake_utf8_decode(s + i, len - i, &c)) == 0) {
			*why = s[i] == 0 ? "NUL byte" : "not UTF-8";
			return INTAKE_NAME_NOT_ALLOWED;
		}
		if (intake_char_invisible(c)) {
			*why = c < 0x20 || (c >= 0x7f && c <= 0x9f) ? "control character" :
			    "invisible or direction-changing character";
			return INTAKE_NAME_NOT_ALLOWED;
		}
	}
	return INTAKE_OK;
}

enum intake_code
intake_name_type(const char *name, const char **why)
{
	const char *base = name, *p, *dot, *rest;
	size_t n;
	int last;

	for (p = name; *p; p++)
		if (*p == '/' || *p == '\\')
			base = p + 1;
	/* Every part after a dot; a leading dot (".htaccess") starts a part too. */
	for (p = base; (dot = strchr(p, '.')) != NULL; p = dot + 1) {
		n = strcspn(dot + 1, ".");
		rest = dot + 1 + n;
		/* Windows drops trailing dots and spaces: "a.exe. " is "a.exe". */
		while (n > 0 && dot[n] == ' ')
			n--;
		last = rest[strspn(rest, ". ")] == '\0';
		if (n > 0 && (last ? in_list(dot + 1, n, executable, NEXEC) :
		    in_list(dot + 1, n, server_script, NSCRIPT))) {
			*why = "program or script type in the name";
			return INTAKE_NAME_EXECUTABLE;
		}
	}
	return INTAKE_OK;
}

enum intake_code
intake_name_check(const char *name, struct intake_result *res)
{
	const char *why = "";
	enum intake_code c;

	if (name == NULL || name[0] == '\0')
		return INTAKE_OK;	/* no name given: the portal names it "document" */
	if ((c = intake_name_chars((const unsigned char *)name, strlen(name), &why)) ==
	    INTAKE_OK)
		c = intake_name_type(name, &why);
	if (c != INTAKE_OK)
		return intake_fail(res, c, "file name: %s", why);
	return INTAKE_OK;
}
