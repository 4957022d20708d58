/* fuzz_dotenv.c - dotenv_parse over any configuration file. */
#include "cfg.h"
#include "fuzz.h"

static int
check_pair(void *arg, const char *key, const char *val)
{
	size_t *pairs = arg;

	FUZZ_ASSERT(key[0] != '\0' && strlen(key) <= DOTENV_MAX_KEY);
	FUZZ_ASSERT(strlen(val) <= DOTENV_MAX_VALUE);
	(*pairs)++;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t pairs = 0;
	int line = dotenv_parse((const char *)data, size, check_pair, &pairs);

	FUZZ_ASSERT(line >= 0);
	FUZZ_ASSERT(pairs <= size);
	return 0;
}
