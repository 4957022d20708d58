/* fuzz_query.c - query_get and query_decode over any query string. */
#include "fuzz.h"
#include "query.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *qs = fuzz_cstr(data, size);
	char out[64], big[4096];
	static const char *const names[] = { "code", "state", "limit", "" };
	int n;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		n = query_get(qs, names[i], out, sizeof(out));
		FUZZ_ASSERT(n == QUERY_MISSING || n == QUERY_INVALID ||
		    n == QUERY_TOO_LONG || (n >= 0 && n < (int)sizeof(out)));
		if (n >= 0) {
			FUZZ_ASSERT(out[n] == '\0');
			FUZZ_ASSERT(memchr(out, '\0', (size_t)n) == NULL);
		}
	}
	/* The raw bytes (NULs included) as a form body. */
	n = query_decode((const char *)data, size, big, sizeof(big));
	FUZZ_ASSERT(n == QUERY_INVALID || n == QUERY_TOO_LONG ||
	    (n >= 0 && (size_t)n <= size && n < (int)sizeof(big) &&
	    big[n] == '\0'));
	/* Too long only when it is: 4096 bytes can hold any shorter input. */
	FUZZ_ASSERT(n != QUERY_TOO_LONG || size >= sizeof(big));
	FUZZ_ASSERT(query_decode((const char *)data, size, big, 0) ==
	    QUERY_TOO_LONG);
	free(qs);
	return 0;
}
