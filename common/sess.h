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
#include <stdint.h>
#include "cfg.h"
#include "cgi.h"
#include "err.h"

#define SESS_COOKIE	"sessionId"	/* the seed's cookie name */
#define STATE_COOKIE	"oauthState"
#define STATE_MAX_AGE	600		/* time to finish logging in */
#define TOKEN_LEN	43		/* base64url of 32 bytes */
#define SESS_HASH_LEN	64		/* hex SHA-256 */
#define SESS_PUBLIC_ID_LEN 32		/* hex digits: GET /account's ids */
/* The oauthState cookie of a withdrawal: this mark, then its nonce. */
#define WITHDRAW_MARK	"w."

/* n bytes from getrandom(2): E_OK, or E_INTERNAL. */
enum err sess_random(uint8_t *raw, size_t n);
/* A fresh random token (TOKEN_LEN chars + NUL). */
enum err sess_token_new(char out[TOKEN_LEN + 1]);
/* A session's public id: 128 random bits as 32 hex digits (neither the
 * cookie nor its hash, so it may be shown and sent back). */
enum err sess_public_id_new(char out[SESS_PUBLIC_ID_LEN + 1]);
/* 1 if s has the exact shape of a token. */
int	 sess_token_valid(const char *s);
/* hex SHA-256 of a token. */
void	 sess_hash(const char *token, char out[SESS_HASH_LEN + 1]);
/* The page's opaque id of a person (SHA-256 of "memo-user/" and their
 * user id, not the name, which two people can share): the page keeps
 * their drafts in the browser under it, and the page after a withdrawal
 * names it to forget them.  0, or -1 for an id too long for it (then no
 * id rather than the hash of a cut one). */
int	 sess_user_key(const char *user_id, char out[SESS_HASH_LEN + 1]);
/* The hash of the request's well-formed session cookie; E_UNAUTH if there
 * is none (a malformed one never reaches the database). */
enum err sess_from_request(const struct cgi_req *req,
	    char hash[SESS_HASH_LEN + 1]);
/* Read a well-formed token cookie `name` into out; 0, or -1 if absent. */
int	 sess_cookie_token(const struct cgi_req *req, const char *name,
	    char out[TOKEN_LEN + 1]);
/* Format a Set-Cookie value for name=value with the app's Path, the given
 * Max-Age (0 deletes) and Secure as COOKIE_SECURE and the request say.
 * 0, or -1 if it does not fit or the Path would be over 255 bytes (never
 * "/" instead: logged). */
int	 sess_set_cookie(char *out, size_t outlen, const struct cgi_req *req,
	    const struct cfg *cfg, const char *name, const char *value,
	    long max_age);
/*
 * What the browser is in the middle of at Naver, from its oauthState
 * cookie: each entry a login (the state itself) or a withdrawal
 * (WITHDRAW_MARK and a nonce; the state is sess_withdraw_state), newest
 * first, STATE_SEP between two, at most STATE_KEEP: a login begun in a
 * second tab no longer makes the first tab's return a 400.  Returns how
 * many well-formed entries lead the cookie (0: none, or malformed).
 */
enum sess_intent { INTENT_LOGIN, INTENT_WITHDRAW };
struct sess_state {
	enum sess_intent	intent;
	char			token[TOKEN_LEN + 1];	/* state or nonce */
};
#define STATE_KEEP	3
#define STATE_SEP	"~"
#define STATE_COOKIE_MAX (STATE_KEEP * (sizeof(WITHDRAW_MARK) + TOKEN_LEN))
int	 sess_state_cookies(const struct cgi_req *req,
	    struct sess_state st[STATE_KEEP]);
/* The cookie value of n entries (newest first), whole entries only. */
void	 sess_state_join(const struct sess_state *st, int n, char *out,
	    size_t outlen);
/* The state a withdrawal sends to Naver: HMAC-SHA256, keyed by the
 * session's hash, of the intent and the nonce, as a token.  Only this
 * browser (the nonce), withdrawing (the intent), with this session (the
 * key) arrives back at /auth with it. */
void	 sess_withdraw_state(const char *nonce, const char *session_hash,
	    char out[TOKEN_LEN + 1]);
/* Compare two NUL-terminated strings in time independent of content. */
int	 sess_token_equal(const char *a, const char *b);

#endif
