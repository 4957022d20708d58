/* fuzz_naver_token.c - naver_parse_token and naver_parse_unlink over any
 * body the token endpoint may answer. */
#include "fuzz.h"
#include "naver.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char token[NAVER_MAX_TOKEN + 1];
	const char *why = NULL;
	enum err e;

	memset(token, 'X', sizeof(token));
	e = naver_parse_token((const char *)data, size, token, &why);
	if (e == E_OK) {
		size_t n = strnlen(token, sizeof(token));

		FUZZ_ASSERT(n > 0 && n <= NAVER_MAX_TOKEN);
		for (size_t i = 0; i < n; i++)	/* it goes into a header */
			FUZZ_ASSERT(token[i] > ' ' && token[i] < 0x7f);
	} else
		FUZZ_ASSERT(e == E_UPSTREAM && why != NULL);
	why = NULL;
	e = naver_parse_unlink((const char *)data, size, &why);
	FUZZ_ASSERT(e == E_OK || (e == E_UPSTREAM && why != NULL));
	return 0;
}
