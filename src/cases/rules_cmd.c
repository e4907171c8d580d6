/* `suraksha rules eval|show` (API.md, "Command line"). */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cases/rules.h"
#include "cases/rules_json.h"
#include "cli.h"
#include "commands.h"
#include "util/fsx.h"

#define CASE_MAX	(1024 * 1024)	/* one case, file or batch line */
#define OUT_FLUSH	(256 * 1024)	/* batch output is written in chunks of this */
#define ARENA_SIZE	(1024 * 1024)	/* jansson's memory for one batch line */

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: suraksha rules eval [--batch] [--rules FILE] [--data DIR] FILE|-\n"
	    "       suraksha rules show [--rules FILE] [--data DIR]\n"
	    "\n"
	    "  eval FILE.json      evaluate one case (API.md) and print the outcome as JSON;\n"
	    "                      exit 0 for any outcome, 2 for a malformed case\n"
	    "  eval --batch FILE   one case a line (JSONL) in, one outcome a line out; a bad\n"
	    "                      line gives {\"error\": ...} naming it and exit 2 at the end\n"
	    "  show                print the effective rules parameter file\n"
	    "\n"
	    "  --rules FILE        parameters (default DIR/rules.conf if it exists, else the\n"
	    "                      built-in defaults of RULES.md)\n"
	    "  --data DIR          data folder (default ./storage)\n"
	    "  --config FILE       accepted for uniformity; not used by this command\n"
	    "  -                   read the case(s) from standard input\n");
}

static int
load_params(const char *rules, const char *data, struct rules_params *p)
{
	char path[4096], err[512];

	if (rules == NULL) {
		if (fsx_join(path, sizeof(path), data, "rules.conf") != 0) {
			fprintf(stderr, "suraksha rules: --data path too long\n");
			return -1;
		}
		if (access(path, F_OK) != 0) {
			rules_defaults(p);
			return 0;
		}
		rules = path;
	}
	if (rules_load(rules, p, err, sizeof(err)) != RULES_OK) {
		fprintf(stderr, "suraksha rules: %s\n", err);
		return -1;
	}
	return 0;
}

static int
read_all(const char *path, struct buf *b)
{
	char chunk[65536];
	size_t n;

	if (strcmp(path, "-") != 0)
		return fsx_read(path, b);
	while ((n = fread(chunk, 1, sizeof(chunk), stdin)) > 0)
		if (buf_append(b, chunk, n) != 0) {
			errno = EFBIG;
			return -1;
		}
	return ferror(stdin) ? -1 : 0;
}

static int
eval_one(const struct rules_params *p, const char *path)
{
	struct rules_case *c = NULL;
	struct rules_outcome *o = NULL;
	struct buf in, out;
	char err[512];
	int rc = EXIT_USAGE;

	buf_init(&in, CASE_MAX);
	buf_init(&out, CASE_MAX);
	if (read_all(path, &in) != 0) {
		fprintf(stderr, "suraksha rules eval: %s: %s\n", path,
		    errno == EFBIG ? "larger than 1 MiB" : strerror(errno));
		goto out;
	}
	if ((c = malloc(sizeof(*c))) == NULL || (o = malloc(sizeof(*o))) == NULL) {
		fprintf(stderr, "suraksha rules eval: out of memory\n");
		goto out;
	}
	if (rules_case_from_json(buf_str(&in), in.len, c, err, sizeof(err)) != RULES_OK) {
		fprintf(stderr, "suraksha rules eval: %s: %s\n", path, err);
		goto out;
	}
	if (rules_eval(p, c, o) != RULES_OK) {
		fprintf(stderr, "suraksha rules eval: %s: case out of shape\n", path);
		goto out;
	}
	if (rules_outcome_write(o, &out) != 0 || buf_puts(&out, "\n") != 0) {
		fprintf(stderr, "suraksha rules eval: output too large\n");
		goto out;
	}
	fwrite(out.data, 1, out.len, stdout);
	rc = fflush(stdout) == 0 ? EXIT_OK : EXIT_USAGE;
out:
	free(c);
	free(o);
	buf_free(&in);
	buf_free(&out);
	return rc;
}

/* A bump allocator for jansson in the batch command only. Parsing a line builds a tree of
 * small blocks that all die together when the line is done; malloc and free of each was
 * about an eighth of the batch time. json_set_alloc_funcs is process-global, so this is
 * installed by eval_batch alone (a separate process from the server, single-threaded) and
 * the previous functions are put back before it returns. Within the arena free does
 * nothing and arena_reset reclaims it all between lines; a line whose tree outgrows the
 * arena gets the rest from malloc, and free tells the two apart by address. */
struct arena {
	unsigned char	*base;
	size_t		 used;
	size_t		 cap;
};

static struct arena arena;

static void *
arena_malloc(size_t n)
{
	size_t align = _Alignof(max_align_t);
	size_t at = (arena.used + align - 1) & ~(align - 1);

	if (n == 0)
		n = 1;	/* a distinct block inside the arena, never its end address */
	if (at <= arena.cap && n <= arena.cap - at) {
		arena.used = at + n;
		return arena.base + at;
	}
	return malloc(n);
}

static void
arena_free(void *p)
{
	uintptr_t a = (uintptr_t)p, lo = (uintptr_t)arena.base;

	if (a >= lo && a < lo + arena.cap)
		return;	/* reclaimed by arena_reset */
	free(p);
}

/* Only when no jansson value made since the last reset is still alive. */
static void
arena_reset(void)
{
	arena.used = 0;
}

/* Installs the arena if jansson still uses malloc and free (so anything it already
 * allocated can be freed by arena_free). 0 when installed, -1 when left alone. */
static int
arena_install(void)
{
	json_malloc_t m;
	json_free_t f;

	json_get_alloc_funcs(&m, &f);
	if (m != malloc || f != free || (arena.base = malloc(ARENA_SIZE)) == NULL)
		return -1;
	arena.cap = ARENA_SIZE;
	arena.used = 0;
	json_set_alloc_funcs(arena_malloc, arena_free);
	return 0;
}

static void
arena_remove(void)
{
	json_set_alloc_funcs(malloc, free);
	free(arena.base);
	arena.base = NULL;
	arena.cap = arena.used = 0;
}

/* The error object of a bad batch line, also reported on stderr. Dumped into a local
 * buffer: a string from json_dumps could come from the arena, which free() must not see. */
static int
batch_error(struct buf *out, unsigned long lineno, const char *msg)
{
	char s[4096];	/* a message is < 512 bytes: < 6 output bytes each */
	json_t *e;
	size_t n;

	fprintf(stderr, "suraksha rules eval: line %lu: %s\n", lineno, msg);
	e = json_pack("{s:{s:s, s:I, s:s}}", "error", "code", "malformed", "line",
	    (json_int_t)lineno, "message", msg);
	if (e == NULL)
		return -1;
	n = json_dumpb(e, s, sizeof(s), JSON_COMPACT | JSON_ENSURE_ASCII);
	json_decref(e);
	if (n == 0 || n > sizeof(s))
		return -1;
	return buf_append(out, s, n);
}

/* A line reader with a ceiling: the input is read in chunks into one buffer and lines are
 * handed out in place; a line longer than CASE_MAX is skipped to its newline (reported,
 * never held), so memory stays bounded whatever the file holds. */
struct lines {
	FILE	*f;
	char	*buf;
	size_t	 cap;
	size_t	 start;	/* first unread byte */
	size_t	 end;	/* one past the last read byte */
	int	 eof;
	int	 error;
};

enum line_rc { LINE_OK, LINE_TOO_LONG, LINE_EOF };

static void
fill(struct lines *l)
{
	size_t n;

	if (l->start > 0) {
		memmove(l->buf, l->buf + l->start, l->end - l->start);
		l->end -= l->start;
		l->start = 0;
	}
	n = fread(l->buf + l->end, 1, l->cap - l->end, l->f);
	l->end += n;
	if (n == 0) {
		l->eof = 1;
		l->error = ferror(l->f);
	}
}

static enum line_rc
next_line(struct lines *l, char **line, size_t *len)
{
	char *nl;
	int skipping = 0;

	for (;;) {
		nl = memchr(l->buf + l->start, '\n', l->end - l->start);
		if (nl != NULL) {
			*line = l->buf + l->start;
			*len = (size_t)(nl - *line);
			l->start = (size_t)(nl - l->buf) + 1;
			if (skipping)
				return LINE_TOO_LONG;
			if (*len > 0 && (*line)[*len - 1] == '\r')
				(*len)--;
			return *len > CASE_MAX ? LINE_TOO_LONG : LINE_OK;
		}
		if (l->eof) {
			if (l->start == l->end && !skipping)
				return LINE_EOF;
			*line = l->buf + l->start;
			*len = l->end - l->start;
			l->start = l->end;
			if (*len > 0 && (*line)[*len - 1] == '\r')
				(*len)--;
			return skipping || *len > CASE_MAX ? LINE_TOO_LONG : LINE_OK;
		}
		if (l->end - l->start > CASE_MAX) {
			skipping = 1;	/* drop what is held, read on to the newline */
			l->start = l->end = 0;
		}
		fill(l);
	}
}

/* Evaluates one case a line; output gathered and written in chunks. */
static int
eval_batch(const struct rules_params *p, const char *path)
{
	struct rules_case *c = NULL;
	struct rules_outcome *o = NULL;
	struct lines in = { stdin, NULL, CASE_MAX + 2 + 65536, 0, 0, 0, 0 };
	struct buf out;
	char *line, err[512];
	size_t n;
	enum line_rc lr;
	unsigned long lineno = 0;
	int rc = EXIT_USAGE, bad = 0, arena_on;

	buf_init(&out, OUT_FLUSH * 4);
	arena_on = arena_install() == 0;
	if (strcmp(path, "-") != 0 && (in.f = fopen(path, "r")) == NULL) {
		fprintf(stderr, "suraksha rules eval: %s: %s\n", path, strerror(errno));
		goto out;
	}
	if ((c = malloc(sizeof(*c))) == NULL || (o = malloc(sizeof(*o))) == NULL ||
	    (in.buf = malloc(in.cap)) == NULL) {
		fprintf(stderr, "suraksha rules eval: out of memory\n");
		goto out;
	}
	while ((lr = next_line(&in, &line, &n)) != LINE_EOF) {
		lineno++;
		if (lr == LINE_TOO_LONG) {
			bad = 1;
			if (batch_error(&out, lineno, "line longer than 1 MiB") != 0)
				goto nomem;
		} else if (rules_case_from_json(line, n, c, err, sizeof(err)) != RULES_OK) {
			bad = 1;
			if (batch_error(&out, lineno, err) != 0)
				goto nomem;
		} else if (rules_eval(p, c, o) != RULES_OK) {
			bad = 1;
			if (batch_error(&out, lineno, "case out of shape") != 0)
				goto nomem;
		} else if (rules_outcome_write(o, &out) != 0) {
			goto nomem;
		}
		if (arena_on)
			arena_reset();	/* every value of the line has been released */
		if (buf_append(&out, "\n", 1) != 0)
			goto nomem;
		if (out.len >= OUT_FLUSH) {
			if (fwrite(out.data, 1, out.len, stdout) != out.len)
				goto wfail;
			buf_reset(&out);
		}
	}
	if (in.error) {
		fprintf(stderr, "suraksha rules eval: %s: read error\n", path);
		goto out;
	}
	if (out.len > 0 && fwrite(out.data, 1, out.len, stdout) != out.len)
		goto wfail;
	if (fflush(stdout) != 0)
		goto wfail;
	rc = bad ? EXIT_USAGE : EXIT_OK;
	goto out;
nomem:
	fprintf(stderr, "suraksha rules eval: line %lu: out of memory\n", lineno);
	goto out;
wfail:
	fprintf(stderr, "suraksha rules eval: write error: %s\n", strerror(errno));
out:
	if (in.f != NULL && in.f != stdin)
		fclose(in.f);
	free(in.buf);
	free(c);
	free(o);
	buf_free(&out);
	if (arena_on)
		arena_remove();
	return rc;
}

int
cmd_rules(int argc, char **argv)
{
	struct rules_params p;
	const char *data = "./storage", *rules = NULL, *file = NULL, *sub;
	int i, batch = 0;

	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	sub = argv[1];
	if (strcmp(sub, "--help") == 0 || strcmp(sub, "help") == 0) {
		usage(stdout);
		return EXIT_OK;
	}
	if (strcmp(sub, "eval") != 0 && strcmp(sub, "show") != 0) {
		fprintf(stderr, "suraksha rules: unknown subcommand '%s'\n", sub);
		usage(stderr);
		return EXIT_USAGE;
	}
	for (i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			return EXIT_OK;
		} else if (strcmp(argv[i], "--batch") == 0) {
			batch = 1;
		} else if ((strcmp(argv[i], "--data") == 0 || strcmp(argv[i], "--rules") == 0 ||
		    strcmp(argv[i], "--config") == 0) && i + 1 < argc) {
			if (argv[i][2] == 'd')
				data = argv[i + 1];
			else if (argv[i][2] == 'r')
				rules = argv[i + 1];
			i++;
		} else if (argv[i][0] == '-' && argv[i][1] != '\0') {
			fprintf(stderr, "suraksha rules: unknown or incomplete option '%s'\n",
			    argv[i]);
			return EXIT_USAGE;
		} else if (file == NULL) {
			file = argv[i];
		} else {
			fprintf(stderr, "suraksha rules: more than one input file\n");
			return EXIT_USAGE;
		}
	}
	if (strcmp(sub, "show") == 0 && (file != NULL || batch)) {
		fprintf(stderr, "suraksha rules show: takes no file\n");
		return EXIT_USAGE;
	}
	if (strcmp(sub, "eval") == 0 && file == NULL) {
		fprintf(stderr, "suraksha rules eval: which case file? (- for stdin)\n");
		return EXIT_USAGE;
	}
	if (load_params(rules, data, &p) != 0)
		return EXIT_USAGE;
	if (strcmp(sub, "show") == 0) {
		struct buf b;
		int rc = EXIT_OK;

		buf_init(&b, 1024 * 1024);
		if (rules_format(&p, &b) != 0 || fwrite(b.data, 1, b.len, stdout) != b.len ||
		    fflush(stdout) != 0)
			rc = EXIT_USAGE;
		buf_free(&b);
		return rc;
	}
	return batch ? eval_batch(&p, file) : eval_one(&p, file);
}
