/*
 * log.h - one-line diagnostics to stderr (the web server's error log).
 *
 * Callers pass only fixed text, numbers and server error messages: never a
 * session id, token, authorization code, password or request body.
 */
#ifndef MEMO_LOG_H
#define MEMO_LOG_H

/* The longest request id logged; a longer one is logged as "[invalid]". */
#define LOG_TRACE_MAX	200

/* Name the program at the start of each request ("memo.cgi"); prefixes
 * every line, and forgets the previous request's id. */
void	log_init(const char *prog);
/* The request's X-Amzn-Trace-Id (NULL if none), put on every line after
 * the program name ("memo.cgi [Root=1-…]: …") so that one request can be
 * followed from the balancer's and lighttpd's access logs to its errors.
 * Untrusted: only its characters (letters, digits, "=;-_.:") and at most
 * LOG_TRACE_MAX of them, else "[invalid]". */
void	log_request_id(const char *trace);
void	log_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
