/* fuzz_naver_profile.c - naver_parse_profile over any profile body. */
#include "fuzz.h"
#include "naver.h"
#include "utf8.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct naver_profile p;
	const char *why = NULL;
	enum err e;

	memset(&p, 'X', sizeof(p));
	e = naver_parse_profile((const char *)data, size, &p, &why);
	if (e == E_OK) {
		size_t n = strnlen(p.id, sizeof(p.id));

		FUZZ_ASSERT(n > 0 && n <= USER_MAX_ID);
		for (size_t i = 0; i < n; i++)	/* it goes into the database */
			FUZZ_ASSERT(p.id[i] > ' ' && p.id[i] < 0x7f);
		n = strnlen(p.name, sizeof(p.name));
		FUZZ_ASSERT(n > 0 && n <= USER_MAX_NAME);
		FUZZ_ASSERT(utf8_valid(p.name, n));
	} else
		FUZZ_ASSERT(e == E_UPSTREAM && why != NULL);
	return 0;
}
