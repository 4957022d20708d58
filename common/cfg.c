/* cfg.c - dotenv reader and the settings table. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <time.h>
#include "cfg.h"
#include "cgi.h"
#include "log.h"

static const struct {
	const char	*name;
	const char	*def;
} table[CFG__COUNT] = {
#define CFG(name, def)	[CFG_ ## name] = { #name, def },
#include "cfg_keys.def"
#undef CFG
};

const char *
cfg_name(enum cfg_key k)
{
	return table[k].name;
}

static int
is_key_start(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

static int
is_key_char(char c)
{
	return is_key_start(c) || (c >= '0' && c <= '9');
}

static int
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static const char *
skip_blanks(const char *p, const char *end)
{
	while (p < end && is_blank(*p))
		p++;
	return p;
}

/* The character a backslash escape stands for inside quote q, or -1 when
 * the backslash is kept as written: python-dotenv's escapes (the seed's
 * settings file reads the same), \\ \' \" \a \b \f \n \r \t \v in "…",
 * \\ and \' in '…'. */
static int
unescape(char q, char c)
{
	if (c == '\\' || c == '\'')
		return c;
	if (q == '\'')
		return -1;
	switch (c) {
	case '"': return '"';
	case 'a': return '\a';
	case 'b': return '\b';
	case 'f': return '\f';
	case 'n': return '\n';
	case 'r': return '\r';
	case 't': return '\t';
	case 'v': return '\v';
	default: return -1;
	}
}

/* A quoted value at p (its opening quote), escapes as unescape says; then
 * only blanks or a comment.  The end, or NULL if bad. */
static const char *
parse_quoted(const char *p, const char *end, char *val, size_t *v)
{
	char q = *p++;

	for (;;) {
		char c;

		if (p == end)
			return NULL;	/* unterminated */
		if ((c = *p++) == q)
			break;
		if (c == '\\' && p < end && unescape(q, *p) >= 0)
			c = (char)unescape(q, *p++);
		if (c == '\0' || *v + 1 >= DOTENV_MAX_VALUE)
			return NULL;
		val[(*v)++] = c;
	}
	p = skip_blanks(p, end);
	return p < end && *p != '#' ? NULL : end;
}

/* A bare value: up to a " #" comment, trailing blanks cut.  A '#' that
 * begins the value is part of it (DB_PASSWORD=#a1), as python-dotenv
 * reads it. */
static const char *
parse_bare(const char *p, const char *end, char *val, size_t *v)
{
	while (p < end && !(*p == '#' && *v > 0 && is_blank(val[*v - 1]))) {
		if (*p == '\0' || *v + 1 >= DOTENV_MAX_VALUE)
			return NULL;
		val[(*v)++] = *p++;
	}
	while (*v > 0 && is_blank(val[*v - 1]))
		(*v)--;
	return end;
}

/* Parse one line (without its newline) into key and val; 0 ok, -1 bad,
 * 1 nothing on the line. */
static int
parse_line(const char *p, const char *end, char *key, char *val)
{
	size_t k = 0, v = 0;

	p = skip_blanks(p, end);
	if (p == end || *p == '#')
		return 1;
	if (end - p > 7 && memcmp(p, "export", 6) == 0 && is_blank(p[6]))
		p = skip_blanks(p + 7, end);
	if (p == end || !is_key_start(*p))
		return -1;
	while (p < end && is_key_char(*p)) {
		if (k + 1 >= DOTENV_MAX_KEY)
			return -1;
		key[k++] = *p++;
	}
	key[k] = '\0';
	p = skip_blanks(p, end);
	if (p == end || *p++ != '=')
		return -1;
	p = skip_blanks(p, end);
	if (p < end && (*p == '"' || *p == '\''))
		p = parse_quoted(p, end, val, &v);
	else
		p = parse_bare(p, end, val, &v);
	if (p == NULL)
		return -1;
	val[v] = '\0';
	return 0;
}

int
dotenv_parse(const char *text, size_t len,
    int (*cb)(void *arg, const char *key, const char *val), void *arg)
{
	char key[DOTENV_MAX_KEY], *val;
	const char *p = text, *end = text + len;
	int line = 0, rc = 0;

	if ((val = malloc(DOTENV_MAX_VALUE)) == NULL)
		return 1;
	while (p < end) {
		/* A line ends at \n, \r\n or a lone \r, as python-dotenv's
		 * (a file of old Mac line ends is several lines, not one). */
		const char *le = p, *next;
		int r;

		while (le < end && *le != '\n' && *le != '\r')
			le++;
		next = le == end ? end : le + 1;
		if (le < end && *le == '\r' && next < end && *next == '\n')
			next++;
		line++;
		r = parse_line(p, le, key, val);
		if (r < 0) {
			rc = line;
			break;
		}
		if (r == 0 && cb(arg, key, val) != 0)
			break;
		p = next;
	}
	free(val);
	return rc;
}

/*
 * The file's settings as last read.  A FastCGI process loads the settings
 * for every request (a changed file takes effect at once, as in CGI mode),
 * but reads and parses the file again only when stat says it is another
 * file or was written since: one system call a request, and nothing
 * copied (a request's struct cfg points at these values, and at its
 * environment's).  Inode, size and both times must all match; a file
 * replaced by rename is another inode.  File times advance by a clock
 * tick, not a nanosecond, so two writes of one size a few ms apart can
 * leave the same times: what was read within two seconds of its file's
 * last change is not trusted, and read again next time (as git does with
 * its index).
 */
static struct {
	char		*path;		/* NULL: nothing kept */
	struct stat	 st;
	int		 settled;	/* changed over 2 s before it was read */
	int		 errline;	/* its dotenv syntax error (not kept) */
	int		 nomem;
	char		*val[CFG__COUNT];	/* NULL: not in the file */
} kept;

static int
set_from_file(void *arg, const char *key, const char *val)
{
	(void)arg;
	for (int k = 0; k < CFG__COUNT; k++)
		if (strcmp(key, table[k].name) == 0) {
			char *dup = strdup(val);

			if (dup == NULL) {
				kept.nomem = 1;
				return -1;
			}
			free(kept.val[k]);
			kept.val[k] = dup;
		}
	return 0;	/* unknown keys are other programs' settings */
}

static int
same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino &&
	    a->st_size == b->st_size &&
	    a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
	    a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
	    a->st_ctim.tv_sec == b->st_ctim.tv_sec &&
	    a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

static void
forget_file(void)
{
	free(kept.path);
	for (int k = 0; k < CFG__COUNT; k++)
		free(kept.val[k]);
	memset(&kept, 0, sizeof(kept));
}

/* Read (at most DOTENV_MAX_FILE bytes) and parse path into kept. */
static enum err
load_file(const char *path, int *errnum)
{
	char *text;
	ssize_t n;
	size_t len = 0;
	int fd;

	forget_file();
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		*errnum = errno;
		return errno == ENOENT ? E_NOTFOUND : E_INTERNAL;
	}
	if (fstat(fd, &kept.st) != 0) {
		*errnum = errno;
		close(fd);
		return E_INTERNAL;
	}
	if ((text = malloc(DOTENV_MAX_FILE + 1)) == NULL) {
		close(fd);
		return E_NOMEM;
	}
	kept.settled = kept.st.st_mtim.tv_sec < time(NULL) - 2 &&
	    kept.st.st_ctim.tv_sec < time(NULL) - 2;
	while ((n = read(fd, text + len, DOTENV_MAX_FILE + 1 - len)) > 0)
		len += (size_t)n;
	if (n < 0 || len > DOTENV_MAX_FILE) {
		*errnum = n < 0 ? errno : EFBIG;
		close(fd);
		free(text);
		return E_INTERNAL;
	}
	close(fd);
	kept.errline = dotenv_parse(text, len, set_from_file, NULL);
	free(text);
	if (kept.nomem || (kept.path = strdup(path)) == NULL) {
		forget_file();
		return E_NOMEM;
	}
	return E_OK;
}

/* Kept values still good for path: its stat unchanged (one system call;
 * the first time, and in CGI mode, none: the file is simply read). */
static int
kept_current(const char *path, enum err *e, int *errnum)
{
	struct stat st;

	*e = E_OK;
	if (kept.path == NULL || !kept.settled || strcmp(kept.path, path) != 0)
		return 0;
	if (stat(path, &st) != 0) {
		*errnum = errno;
		forget_file();
		*e = *errnum == ENOENT ? E_NOTFOUND : E_INTERNAL;
		return 1;
	}
	return same_file(&st, &kept.st);
}

static enum err
read_file(struct cfg *cfg, const char *path, int must_exist)
{
	enum err e;

	cfg->path = path;
	if (!kept_current(path, &e, &cfg->errnum) && e == E_OK)
		e = load_file(path, &cfg->errnum);
	if (e == E_NOTFOUND) {
		cfg->no_file = !must_exist;
		return must_exist ? E_INTERNAL : E_OK;
	}
	if (e != E_OK)
		return e;
	/* A file that failed (or whose parse ran out of memory, which
	 * dotenv_parse reports as line 1) is not kept: read again next time. */
	if ((cfg->errline = kept.errline) != 0) {
		forget_file();
		return E_INTERNAL;
	}
	return E_OK;
}

/* The process's own environment, read once: in FastCGI mode a request's
 * variables are the server's parameters, and what the process was started
 * with (lighttpd's bin-environment, spawn-fcgi's exported variables) was
 * never looked at.  As a CGI the two are one. */
static struct {
	int		 read;
	const char	*config;
	const char	*val[CFG__COUNT];
} proc;

static void
proc_env_read(char *const *env)
{
	if (proc.read)
		return;
	proc.read = 1;
	if (env == environ)	/* a CGI: the request's already */
		return;
	proc.config = getenv("MEMO_CONFIG");
	for (int k = 0; k < CFG__COUNT; k++)
		proc.val[k] = getenv(table[k].name);
}

enum err
cfg_load(struct cfg *cfg, char *const *env)
{
	const char *path;
	enum err e;

	proc_env_read(env);
	if ((path = cgi_getenv(env, "MEMO_CONFIG")) == NULL)
		path = proc.config;
	memset(cfg, 0, sizeof(*cfg));
	if ((e = read_file(cfg, path ? path : CFG_DEFAULT_PATH,
	    path != NULL)) != E_OK)
		return e;
	/* The request's, the process's, the file's, the default. */
	for (int k = 0; k < CFG__COUNT; k++) {
		const char *v = cgi_getenv(env, table[k].name);

		cfg->val[k] = v != NULL ? v : proc.val[k] != NULL ?
		    proc.val[k] : kept.val[k] != NULL ? kept.val[k] :
		    table[k].def;
	}
	return E_OK;
}

void
cfg_log_error(const struct cfg *cfg)
{
	const char *path = cfg->path ? cfg->path : CFG_DEFAULT_PATH;

	if (cfg->errline != 0)
		log_msg("configuration cannot be read (MEMO_CONFIG): %s: line %d "
		    "is not a setting", path, cfg->errline);
	else if (cfg->errnum == EFBIG)
		log_msg("configuration cannot be read (MEMO_CONFIG): %s: over "
		    "%d bytes", path, DOTENV_MAX_FILE);
	else if (cfg->errnum != 0)
		log_msg("configuration cannot be read (MEMO_CONFIG): %s: %s",
		    path, strerror(cfg->errnum));
	else
		log_msg("configuration cannot be read (MEMO_CONFIG): %s: out of "
		    "memory", path);
}

const char *
cfg_no_file_note(const struct cfg *cfg)
{
	return cfg->no_file ? " (no settings file was read: MEMO_CONFIG is "
	    "not set and " CFG_DEFAULT_PATH " does not exist)" : "";
}

void
cfg_free(struct cfg *cfg)
{
	memset(cfg->val, 0, sizeof(cfg->val));
}

const char *
cfg_str(const struct cfg *cfg, enum cfg_key k)
{
	return cfg->val[k] ? cfg->val[k] : "";
}

long
cfg_num(const struct cfg *cfg, enum cfg_key k, long min, long max)
{
	const char *s = cfg_str(cfg, k);
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	/* Said in the log each time it is read: an operator's typo would
	 * otherwise go unnoticed.  The value itself is not logged (a
	 * password pasted on the wrong line would be). */
	if (*s == '\0' || *end != '\0' || errno != 0 || v < 0) {
		if (*s != '\0')
			log_msg("setting %s is not a whole number from 0: its "
			    "default %s is used", table[k].name, table[k].def);
		v = strtol(table[k].def, NULL, 10);
	}
	if (v < min || v > max) {
		log_msg("setting %s is outside %ld to %ld: %ld is used",
		    table[k].name, min, max, v < min ? min : max);
		v = v < min ? min : max;
	}
	return v;
}

long
cfg_trash_days(const struct cfg *cfg)
{
	return cfg_num(cfg, CFG_TRASH_DAYS, 1, 36500);
}
