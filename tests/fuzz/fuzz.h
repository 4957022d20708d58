/*
 * fuzz.h - what every libFuzzer harness under tests/fuzz/ shares.
 *
 * A harness feeds one parser arbitrary bytes and, besides letting
 * AddressSanitizer and UBSan watch, checks the parser's promises (bounded
 * output, NUL termination, return values in range): FUZZ_ASSERT aborts, so
 * a broken promise is a crash libFuzzer saves like any other.
 */
#ifndef MEMO_FUZZ_H
#define MEMO_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_ASSERT(c) do { if (!(c)) { \
	fprintf(stderr, "%s:%d: promise broken: %s\n", __FILE__, __LINE__, #c); \
	abort(); } } while (0)

/* A malloc'd NUL-terminated copy of the input (C strings are what the
 * parsers get from getenv); the caller frees it. */
static inline char *
fuzz_cstr(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (s == NULL)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

#endif
