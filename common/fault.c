/* fault.c - MEMO_FAULT and X-Memo-Fault for the fault-injection build
 * (fault.h). */
#include "fault.h"

#ifdef MEMO_FAULTS
#include <stdlib.h>
#include <string.h>
#include "cgi.h"
#include "log.h"

/* This request's fault ("" for none) and how often its step has been hit
 * in this request: a FastCGI process keeps both from one request to the
 * next unless fault_request resets them. */
static char want[FAULT_NAME_MAX + 1];
static unsigned long hits;

/* A step's name, then optionally ':' and a count: nothing else is taken
 * from a request header, even in a test build. */
static int
fault_valid(const char *s, size_t n)
{
	size_t name = strspn(s, "abcdefghijklmnopqrstuvwxyz_");

	if (name == 0)
		return 0;
	if (name == n)
		return 1;
	return s[name] == ':' && name + 1 < n &&
	    strspn(s + name + 1, "0123456789") == n - name - 1;
}

void
fault_request(char *const *env)
{
	const char *v = cgi_getenv(env, "HTTP_X_MEMO_FAULT");
	size_t n;

	hits = 0;
	want[0] = '\0';
	if (v == NULL)
		v = getenv("MEMO_FAULT");
	if (v == NULL || *v == '\0')
		return;
	n = strnlen(v, sizeof(want));
	if (n == sizeof(want) || !fault_valid(v, n)) {
		log_msg("fault build: X-Memo-Fault or MEMO_FAULT ignored: "
		    "not a step's name with an optional :N (at most %d "
		    "characters)", FAULT_NAME_MAX);
		return;
	}
	memcpy(want, v, n);
	want[n] = '\0';
}

int
fault_hit(const char *name)
{
	size_t n = strlen(name);

	if (strncmp(want, name, n) != 0)
		return 0;
	if (want[n] == '\0')
		return 1;
	return want[n] == ':' && ++hits == strtoul(want + n + 1, NULL, 10);
}
#else
/* An object file of the shipped build must not be empty (ISO C). */
typedef int fault_unused;
#endif
