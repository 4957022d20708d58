/*
 * naver.h - the Naver Login client: authorize URL, token, profile.
 *
 * See shared/naver-login.md.  The token request is a POST form body so the
 * client secret never appears in a URL.  Both calls are bounded in time
 * (NAVER_CONNECT_TIMEOUT, NAVER_TIMEOUT) and in size (NAVER_MAX_BODY).
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

/* Take the access token from a token response body.  E_UPSTREAM (with a
 * fixed reason in *why) for error JSON, a missing or malformed token, or a
 * body that is not a JSON object. expires_in may be a string or a number. */
enum err naver_parse_token(const char *body, size_t len,
	    char token[NAVER_MAX_TOKEN + 1], const char **why);

/* Take id and display name from a profile response body: resultcode "00",
 * response.id a printable string, name from name, nickname, or a default. */
enum err naver_parse_profile(const char *body, size_t len,
	    struct naver_profile *out, const char **why);

/* Check an unlink answer: E_OK for {"result":"success"}; E_UPSTREAM (a
 * fixed reason in *why) for error JSON or anything else. */
enum err naver_parse_unlink(const char *body, size_t len, const char **why);

/* Exchange the code and fetch the profile.  token, if not NULL, receives
 * the access token (for naver_unlink; the caller wipes it).  Call
 * curl_global_init first. */
enum err naver_login(const struct cfg *cfg, const char *code,
	    const char *state, struct naver_profile *out,
	    char token[NAVER_MAX_TOKEN + 1], const char **why);

/* Unlink the application from the person's Naver account (연동 해제):
 * grant_type=delete with the access token, in a POST form body.  E_OK, or
 * E_UPSTREAM with *why (refused, timed out, non-200, error JSON). */
enum err naver_unlink(const struct cfg *cfg, const char *token,
	    const char **why);

#endif
