/*
 * resp.h - writing a CGI response: status, headers, and the body.
 *
 * Output goes through one fixed buffer that is flushed when full, so a long
 * memo list streams with constant memory.  resp_start writes the status line
 * and, always, the security headers: no handler can forget them.  Header
 * values holding CR or LF are refused (no response splitting).
 */
#ifndef MEMO_RESP_H
#define MEMO_RESP_H

#include <stddef.h>
#include "cgi.h"
#include "err.h"

struct json_object;

#define RESP_BUFSZ	16384

struct resp {
	const struct cgi_io *io;
	int	 status;	/* 0 until resp_start */
	int	 in_body;	/* headers are finished */
	int	 head_only;	/* HEAD request: drop body bytes */
	int	 failed;	/* the peer went away; drop everything */
	size_t	 sent;		/* bytes handed to the transport so far */
	size_t	 len;
	char	 buf[RESP_BUFSZ];
};

void	resp_init(struct resp *r, const struct cgi_io *io, int head_only);

/* Status, Content-Type (NULL for none), security headers, no-store. */
void	resp_start(struct resp *r, int status, const char *content_type);
void	resp_header(struct resp *r, const char *name, const char *value);
/* Finish the headers; what is written next is the body. */
void	resp_body(struct resp *r);
void	resp_write(struct resp *r, const void *data, size_t len);
void	resp_puts(struct resp *r, const char *s);
/* Take back an answer of which nothing has been sent yet (it is all in
 * the buffer): 0, and a new resp_start may begin another; -1 if bytes are
 * out already (then only an unfinished body can tell the client).  A
 * failure in the middle of a streamed list becomes a clean 503 this way
 * while its first 16 KiB are still here. */
int	resp_rewind(struct resp *r);
/* Write the buffer out; -1 if the peer is gone. */
int	resp_flush(struct resp *r);
/* 1 once the peer is gone (a write failed): a streamed answer stops
 * reading rows for nobody.  A CGI is killed when its client goes, a
 * FastCGI process is not: it would read an export to its end. */
int	resp_gone(const struct resp *r);

/* A whole JSON response from a json-c object (not consumed). */
void	resp_json(struct resp *r, int status, struct json_object *obj);
/* A whole JSON error response {"error": why or the error's text}. */
void	resp_error(struct resp *r, enum err e, const char *why);
/* A whole redirect with an optional Set-Cookie list (NULL-terminated). */
void	resp_redirect(struct resp *r, int status, const char *location,
	    const char *const *cookies);

#endif
