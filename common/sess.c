/* sess.c - random tokens, their hashes, and session cookies. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <nettle/base64.h>
#include <nettle/hmac.h>
#include <nettle/sha2.h>
#include "cookie.h"
#include "log.h"
#include "sess.h"

enum err
sess_random(uint8_t *raw, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = getrandom(raw + got, n - got, 0);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			return E_INTERNAL;
		}
		got += (size_t)r;
	}
	return E_OK;
}

/* 32 bytes as 43 base64url characters and a NUL. */
static void
b64url32(const uint8_t raw[32], char out[TOKEN_LEN + 1])
{
	char b64[BASE64_ENCODE_RAW_LENGTH(32) + 1];
	struct base64_encode_ctx b64ctx;
	size_t n64;

	base64url_encode_init(&b64ctx);
	n64 = base64_encode_update(&b64ctx, b64, 32, raw);
	(void)base64_encode_final(&b64ctx, b64 + n64);	/* 43 + one '=' */
	memcpy(out, b64, TOKEN_LEN);
	out[TOKEN_LEN] = '\0';
}

enum err
sess_token_new(char out[TOKEN_LEN + 1])
{
	uint8_t raw[32];

	if (sess_random(raw, sizeof(raw)) != E_OK)
		return E_INTERNAL;
	b64url32(raw, out);
	explicit_bzero(raw, sizeof(raw));
	return E_OK;
}

enum err
sess_public_id_new(char out[SESS_PUBLIC_ID_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	uint8_t raw[SESS_PUBLIC_ID_LEN / 2];

	if (sess_random(raw, sizeof(raw)) != E_OK)
		return E_INTERNAL;
	for (size_t i = 0; i < sizeof(raw); i++) {
		out[2 * i] = hex[raw[i] >> 4];
		out[2 * i + 1] = hex[raw[i] & 15];
	}
	out[SESS_PUBLIC_ID_LEN] = '\0';
	return E_OK;
}

int
sess_token_valid(const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++) {
		char c = s[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return 0;
	}
	return i == TOKEN_LEN;
}

void
sess_hash(const char *token, char out[SESS_HASH_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	struct sha256_ctx ctx;
	uint8_t d[SHA256_DIGEST_SIZE];

	sha256_init(&ctx);
	sha256_update(&ctx, strlen(token), (const uint8_t *)token);
	sha256_digest(&ctx, sizeof(d), d);
	for (size_t i = 0; i < sizeof(d); i++) {
		out[2 * i] = hex[d[i] >> 4];
		out[2 * i + 1] = hex[d[i] & 15];
	}
	out[SESS_HASH_LEN] = '\0';
}

/* Prefixed: not the hash any other use of the id would make. */
#define USER_KEY_PREFIX	"memo-user/"

int
sess_user_key(const char *user_id, char out[SESS_HASH_LEN + 1])
{
	char in[sizeof(USER_KEY_PREFIX) + 256];
	int n = snprintf(in, sizeof(in), USER_KEY_PREFIX "%s", user_id);

	out[0] = '\0';
	if (n < 0 || (size_t)n >= sizeof(in))
		return -1;
	sess_hash(in, out);
	return 0;
}

int
sess_cookie_token(const struct cgi_req *req, const char *name,
    char out[TOKEN_LEN + 1])
{
	if (cookie_get(req->cookie, name, out, TOKEN_LEN + 1) != TOKEN_LEN ||
	    !sess_token_valid(out))
		return -1;
	return 0;
}

enum err
sess_from_request(const struct cgi_req *req, char hash[SESS_HASH_LEN + 1])
{
	char token[TOKEN_LEN + 1];

	if (sess_cookie_token(req, SESS_COOKIE, token) != 0)
		return E_UNAUTH;
	sess_hash(token, hash);
	explicit_bzero(token, sizeof(token));
	return E_OK;
}

/*
 * COOKIE_SECURE: auto, on or off in any usual spelling.  A value not
 * understood means Secure (and says so): a typo must not send the session
 * over plain HTTP.
 */
static int
cookie_secure(const char *how, int https)
{
	static const char *const on[] = { "1", "on", "true", "yes" };
	static const char *const off[] = { "0", "off", "false", "no" };
	static int told;
	size_t i;

	/* Empty (set, with no value) is the default, auto. */
	if (*how == '\0' || strcasecmp(how, "auto") == 0)
		return https;
	for (i = 0; i < sizeof(on) / sizeof(on[0]); i++)
		if (strcasecmp(how, on[i]) == 0)
			return 1;
	for (i = 0; i < sizeof(off) / sizeof(off[0]); i++)
		if (strcasecmp(how, off[i]) == 0)
			return 0;
	if (!told++)	/* once a process: a FastCGI one sets many cookies */
		log_msg("config: COOKIE_SECURE is not auto, 1 or 0: cookies are "
		    "Secure");
	return 1;
}

int
sess_set_cookie(char *out, size_t outlen, const struct cgi_req *req,
    const struct cfg *cfg, const char *name, const char *value, long max_age)
{
	const char *secure = cfg_str(cfg, CFG_COOKIE_SECURE);
	char path[256];
	struct cookie_attr attr;

	if (cgi_base_path(req, path, sizeof(path)) != 0) {
		/* "/" would give every site under this host the cookie. */
		log_msg("the mount point (SCRIPT_NAME's folder) is over %zu "
		    "bytes as a URL path: no cookie", sizeof(path) - 1);
		return -1;
	}
	attr.path = path;
	attr.max_age = max_age;
	attr.secure = cookie_secure(secure, cgi_is_https(req));
	return cookie_format(out, outlen, name, value, &attr);
}

int
sess_token_equal(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	unsigned char diff = la != lb;

	for (size_t i = 0; i < la && i < lb; i++)
		diff |= (unsigned char)(a[i] ^ b[i]);
	return diff == 0;
}

/* One entry of the state cookie, s (len bytes): 0 and *st, or -1. */
static int
state_entry(const char *s, size_t len, struct sess_state *st)
{
	static const char mark[] = WITHDRAW_MARK;

	st->intent = INTENT_LOGIN;
	if (len == sizeof(mark) - 1 + TOKEN_LEN &&
	    memcmp(s, mark, sizeof(mark) - 1) == 0) {
		st->intent = INTENT_WITHDRAW;
		s += sizeof(mark) - 1;
		len -= sizeof(mark) - 1;
	}
	if (len != TOKEN_LEN)
		return -1;
	memcpy(st->token, s, TOKEN_LEN);
	st->token[TOKEN_LEN] = '\0';
	return sess_token_valid(st->token) ? 0 : -1;
}

int
sess_state_cookies(const struct cgi_req *req, struct sess_state st[STATE_KEEP])
{
	char v[2 * STATE_COOKIE_MAX];	/* room for one more: its first three */
	const char *p = v;
	int n = 0;

	if (cookie_get(req->cookie, STATE_COOKIE, v, sizeof(v)) <= 0)
		return 0;
	while (n < STATE_KEEP) {
		size_t len = strcspn(p, STATE_SEP);

		if (state_entry(p, len, &st[n]) != 0)
			break;		/* the rest is not ours */
		n++;
		if (p[len] == '\0')
			break;
		p += len + 1;
	}
	explicit_bzero(v, sizeof(v));
	return n;
}

void
sess_state_join(const struct sess_state *st, int n, char *out, size_t outlen)
{
	size_t at = 0;

	out[0] = '\0';
	for (int i = 0; i < n && i < STATE_KEEP; i++) {
		const char *mark = st[i].intent == INTENT_WITHDRAW ?
		    WITHDRAW_MARK : "";
		int w = snprintf(out + at, outlen - at, "%s%s%s",
		    at > 0 ? STATE_SEP : "", mark, st[i].token);

		if (w < 0 || (size_t)w >= outlen - at) {
			out[at] = '\0';	/* what fits, whole entries */
			return;
		}
		at += (size_t)w;
	}
}

void
sess_withdraw_state(const char *nonce, const char *session_hash,
    char out[TOKEN_LEN + 1])
{
	static const char intent[] = "memo withdraw\n";
	struct hmac_sha256_ctx ctx;
	uint8_t d[SHA256_DIGEST_SIZE];

	hmac_sha256_set_key(&ctx, strlen(session_hash),
	    (const uint8_t *)session_hash);
	hmac_sha256_update(&ctx, sizeof(intent) - 1, (const uint8_t *)intent);
	hmac_sha256_update(&ctx, strlen(nonce), (const uint8_t *)nonce);
	hmac_sha256_digest(&ctx, sizeof(d), d);
	b64url32(d, out);
	explicit_bzero(&ctx, sizeof(ctx));
}
