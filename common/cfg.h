/*
 * cfg.h - configuration: a dotenv file, overridden by the environment.
 *
 * The seed read its settings with python-dotenv; we read the same format.
 * The file is named by MEMO_CONFIG (lighttpd passes it with setenv), else
 * /etc/memo/memo.env if present.  A variable in the environment wins over
 * the file, so an operator can override one setting by hand: the request's
 * (a CGI's whole environment; a FastCGI request's parameters), else the
 * process's (a FastCGI process's, from its start: bin-environment).
 */
#ifndef MEMO_CFG_H
#define MEMO_CFG_H

#include <stddef.h>
#include "err.h"

enum cfg_key {
#define CFG(name, def)	CFG_ ## name,
#include "cfg_keys.def"
#undef CFG
	CFG__COUNT
};

/* A request's settings: each value points into the environment it was
 * loaded from, the file's settings as cfg.c keeps them, or the defaults;
 * valid until the next cfg_load (one request at a time). */
struct cfg {
	const char *val[CFG__COUNT];	/* never NULL after load */
	int	 errline;		/* dotenv line that failed, if any */
	int	 errnum;		/* else why the file could not be read */
	const char *path;		/* the file read (or that failed) */
	int	 no_file;		/* none: no MEMO_CONFIG, none at the
					 * default path (defaults only) */
};

#define CFG_DEFAULT_PATH	"/etc/memo/memo.env"
#define DOTENV_MAX_FILE		65536
#define DOTENV_MAX_KEY		64
#define DOTENV_MAX_VALUE	4096

/* Load the file then the environment.  E_INTERNAL if the named file cannot
 * be read or has a syntax error (cfg->errline says where).  cfg_free ends
 * its use (it owns nothing). */
enum err cfg_load(struct cfg *cfg, char *const *env);
/* After a failed cfg_load, log what failed: the file's name and the
 * system's reason, or the line that is not a setting. */
void	 cfg_log_error(const struct cfg *cfg);
/* For a log line about what the settings lead to (the database refusing
 * a connection): " (no settings file was read: …)" when there was none,
 * else "". */
const char *cfg_no_file_note(const struct cfg *cfg);
void	 cfg_free(struct cfg *cfg);

/* The value (never NULL; "" when unset with no default). */
const char *cfg_str(const struct cfg *cfg, enum cfg_key k);
/* A non-negative integer setting, clamped to [min, max]; the default when
 * the value is not a number.  Either is said in the log. */
long	 cfg_num(const struct cfg *cfg, enum cfg_key k, long min, long max);
/* TRASH_DAYS as the page is told it and memo-maint purges by it (one
 * clamp for both: 1 to 36500). */
long	 cfg_trash_days(const struct cfg *cfg);
/* The variable name of a key ("DB_HOST"). */
const char *cfg_name(enum cfg_key k);

/*
 * Parse dotenv text as python-dotenv does: KEY=VALUE lines, blank lines
 * and # comments, an optional "export ", values bare (a '#' after a blank
 * starts a comment), 'single' (\' \\ escapes) or "double" quoted (\\ \'
 * \" \a \b \f \n \r \t \v; any other backslash is kept).  Calls cb for
 * each pair; stops at the first cb that returns non-zero.  Returns 0, or
 * the 1-based line number of the first malformed line.
 */
int	 dotenv_parse(const char *text, size_t len,
	    int (*cb)(void *arg, const char *key, const char *val), void *arg);

#endif
