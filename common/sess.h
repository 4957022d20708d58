/*
 * sess.h - session ids and OAuth state tokens, and the cookies carrying them.
 *
 * A token is 256 bits from getrandom(2), written as 43 base64url characters.
 * The database keeps only the SHA-256 (hex) of a session id, so a leaked
 * table or backup cannot be replayed as cookies.
 */
#ifndef MEMO_SESS_H
#define MEMO_SESS_H

#include <stddef.h>
#include "cfg.h"
#include "cgi.h"
#include "err.h"

#define SESS_COOKIE	"sessionId"	/* the seed's cookie name */
#define STATE_COOKIE	"oauthState"
#define STATE_MAX_AGE	600		/* time to finish logging in */
#define TOKEN_LEN	43		/* base64url of 32 bytes */
#define SESS_HASH_LEN	64		/* hex SHA-256 */

/* A fresh random token (TOKEN_LEN chars + NUL). */
enum err sess_token_new(char out[TOKEN_LEN + 1]);
/* 1 if s has the exact shape of a token. */
int	 sess_token_valid(const char *s);
/* hex SHA-256 of a token. */
void	 sess_hash(const char *token, char out[SESS_HASH_LEN + 1]);
/* The hash of the request's well-formed session cookie; E_UNAUTH if there
 * is none (a malformed one never reaches the database). */
enum err sess_from_request(const struct cgi_req *req,
	    char hash[SESS_HASH_LEN + 1]);
/* Read a well-formed token cookie `name` into out; 0, or -1 if absent. */
int	 sess_cookie_token(const struct cgi_req *req, const char *name,
	    char out[TOKEN_LEN + 1]);
/* Format a Set-Cookie value for name=value with the app's Path, the given
 * Max-Age (0 deletes) and Secure as COOKIE_SECURE and the request say. */
int	 sess_set_cookie(char *out, size_t outlen, const struct cgi_req *req,
	    const struct cfg *cfg, const char *name, const char *value,
	    long max_age);
/* Compare two NUL-terminated strings in time independent of content. */
int	 sess_token_equal(const char *a, const char *b);

#endif
