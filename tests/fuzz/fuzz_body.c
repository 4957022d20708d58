/* fuzz_body.c - cgi_read_body over any CONTENT_LENGTH and any sequence of
 * reads (short, empty, failing), through a fake transport.
 *
 * Input: CONTENT_LENGTH up to the first '\n', then the transport script:
 * each byte b says how the next read answers (b % 4: 0 ends the input,
 * 1 fails, 2 and 3 hand over up to b / 4 + 1 bytes of what follows). */
#include "cgi.h"
#include "fuzz.h"

struct script { const uint8_t *p; size_t left; };

static long
script_read(void *ctx, char *buf, size_t n)
{
	struct script *s = ctx;
	size_t want;
	uint8_t b;

	if (s->left == 0)
		return 0;
	b = *s->p++;
	s->left--;
	if (b % 4 == 0)
		return 0;
	if (b % 4 == 1)
		return -1;
	want = (size_t)(b / 4) + 1;
	if (want > n)
		want = n;
	if (want > s->left)
		want = s->left;
	memcpy(buf, s->p, want);
	s->p += want;
	s->left -= want;
	return (long)want;
}

static int
drop_write(void *ctx, const char *buf, size_t n)
{
	(void)ctx;
	(void)buf;
	(void)n;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nl = memchr(data, '\n', size);
	size_t cl_len = nl ? (size_t)(nl - data) : size;
	char *env_cl = malloc(cl_len + sizeof("CONTENT_LENGTH="));
	char *env[] = { env_cl, NULL };
	struct script s = { nl ? nl + 1 : data + size,
	    nl ? size - cl_len - 1 : 0 };
	struct cgi_io io = { script_read, drop_write, &s };
	struct cgi_req req;
	const char *why;
	enum err e;

	if (env_cl == NULL)
		abort();
	memcpy(env_cl, "CONTENT_LENGTH=", 15);
	memcpy(env_cl + 15, data, cl_len);
	env_cl[15 + cl_len] = '\0';
	cgi_req_init(&req, env, &io);
	why = NULL;
	e = cgi_read_body(&req, 4096, &why);
	if (e == E_OK) {
		FUZZ_ASSERT(req.body != NULL && req.body_len <= 4096);
		FUZZ_ASSERT(req.body[req.body_len] == '\0');
		FUZZ_ASSERT((size_t)strtoull(env_cl + 15, NULL, 10) ==
		    req.body_len);
	} else
		FUZZ_ASSERT(((e == E_BADREQ || e == E_LENGTH) && why != NULL) ||
		    e == E_TOOLARGE);
	/* 411 for an empty value only (a NUL ends it; none at all cannot be
	 * written here). */
	FUZZ_ASSERT((e == E_LENGTH) == (env_cl[15] == '\0'));
	cgi_req_free(&req);
	free(env_cl);
	return 0;
}
