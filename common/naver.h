/*
 * naver.h - the Naver Login client: authorize URL, token, profile.
 *
 * See shared/naver-login.md.  The token request is a POST form body so the
 * client secret never appears in a URL.  Both calls are bounded in time
 * (NAVER_CONNECT_TIMEOUT, NAVER_TIMEOUT) and in size (NAVER_MAX_BODY).
 * Every endpoint is https:// (certificates verified against NAVER_CA_FILE,
 * else the system's CAs), or http:// to a loopback host only: the
 * development provider; any other URL is refused before a connection.
 * The parse functions are pure so tests and fuzzers can call them directly.
 */
#ifndef MEMO_NAVER_H
#define MEMO_NAVER_H

#include <stddef.h>
#include "cfg.h"
#include "db.h"
#include "err.h"

#define NAVER_MAX_BODY		65536
#define NAVER_MAX_TOKEN		2048
#define NAVER_DEFAULT_NAME	"네이버 사용자"
/* Room for why a call failed: a fixed reason and libcurl's own words. */
#define NAVER_WHY_MAX		400

struct naver_profile {
	char	id[USER_MAX_ID + 1];
	char	name[USER_MAX_NAME + 1];
};

struct cgi_req;

/* The callback URL: NAVER_REDIRECT_URI, else this request's scheme, host
 * and mount point + "auth".  E_BADREQ if the Host header is malformed. */
enum err naver_redirect_uri(const struct cfg *cfg, const struct cgi_req *req,
	    char *out, size_t outlen);

/* malloc'd authorize URL for this state; NULL on failure.  reprompt adds
 * auth_type=reprompt: Naver shows its consent page again (a withdrawal).
 * (naver_url.c: no libcurl, so login.cgi does not link it.) */
char	*naver_authorize_url(const struct cfg *cfg, const char *redirect_uri,
	    const char *state, int reprompt);

/* 1 if url may be used for Naver: https://, or http:// to a loopback host
 * (localhost, 127.0.0.0/8, [::1]) with at most a port, nothing else in its
 * authority, and no blank or control character.  (naver_url.c, as the
 * next.) */
int	 naver_url_safe(const char *url);

/* Check every Naver URL setting (authorize, token, profile) with
 * naver_url_safe: E_OK, or E_INTERNAL with *why naming the setting. */
enum err naver_endpoints_check(const struct cfg *cfg, const char **why);

/* 1 if s[0..n) is an error code of Naver's as it may be logged: 1 to
 * NAVER_CODE_MAX letters, digits, '_', '.' or '-' (invalid_client, 024). */
#define NAVER_CODE_MAX	40
int	 naver_code(const char *s, size_t n);

/* Take the access token from a token response body.  E_UPSTREAM (with a
 * reason in *why, valid until the next parse; Naver's error code in it)
 * for error JSON, a missing or malformed token, or a
 * body that is not a JSON object. expires_in may be a string or a number. */
enum err naver_parse_token(const char *body, size_t len,
	    char token[NAVER_MAX_TOKEN + 1], const char **why);

/* Take id and display name from a profile response body: resultcode "00",
 * response.id a printable string, name from name, nickname, or a default.
 * Otherwise E_UPSTREAM, *why as for naver_parse_token (another resultcode
 * named). */
enum err naver_parse_profile(const char *body, size_t len,
	    struct naver_profile *out, const char **why);

/* Check an unlink answer: E_OK for {"result":"success"}; E_UPSTREAM (*why
 * as for naver_parse_token) for error JSON or anything else. */
enum err naver_parse_unlink(const char *body, size_t len, const char **why);

/* Start libcurl, once per process (a FastCGI process serves many
 * requests): E_OK, or E_INTERNAL.  The calls below start it if need be;
 * auth.cgi starts it first thing, before the database's client starts
 * OpenSSL without the system's configuration (db.c): OpenSSL keeps the
 * first caller's choice for the process, and Naver's TLS follows the
 * system's policy. */
enum err naver_start(void);

/* Exchange the code and fetch the profile.  token, if not NULL, receives
 * the access token (for naver_unlink; the caller wipes it).  On failure
 * why says why, for the log: E_UPSTREAM (Naver refused, timed out, failed
 * TLS verification, answered non-200 or wrong: libcurl's own error text
 * included), E_INTERNAL (an endpoint refused by naver_endpoints_check,
 * before any connection; libcurl would not start). */
enum err naver_login(const struct cfg *cfg, const char *code,
	    const char *state, struct naver_profile *out,
	    char token[NAVER_MAX_TOKEN + 1], char why[NAVER_WHY_MAX]);

/* Unlink the application from the person's Naver account (연동 해제):
 * grant_type=delete with the access token, in a POST form body.  E_OK, or
 * E_UPSTREAM or E_INTERNAL with why, as naver_login. */
enum err naver_unlink(const struct cfg *cfg, const char *token,
	    char why[NAVER_WHY_MAX]);

#endif
