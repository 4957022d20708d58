/* fuzz_cookie.c - cookie_get over any Cookie header. */
#include "cookie.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *hdr = fuzz_cstr(data, size);
	char out[44];
	static const char *const names[] = { "sessionId", "oauthState", "a" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		int n;

		memset(out, 'X', sizeof(out));
		n = cookie_get(hdr, names[i], out, sizeof(out));
		FUZZ_ASSERT(n >= -1 && n < (int)sizeof(out));
		if (n >= 0) {
			FUZZ_ASSERT(out[n] == '\0');
			FUZZ_ASSERT(strstr(hdr, names[i]) != NULL);
		}
	}
	FUZZ_ASSERT(cookie_get(hdr, "", out, sizeof(out)) == -1);
	FUZZ_ASSERT(cookie_get(hdr, "a", out, 0) == -1);
	free(hdr);
	return 0;
}
