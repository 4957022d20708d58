/*
 * log.h - one-line diagnostics to stderr (the web server's error log).
 *
 * Callers pass only fixed text, numbers and server error messages: never a
 * session id, token, authorization code, password or request body.
 */
#ifndef MEMO_LOG_H
#define MEMO_LOG_H

/* Name the program once at start ("memo.cgi"); prefixes every line. */
void	log_init(const char *prog);
void	log_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
