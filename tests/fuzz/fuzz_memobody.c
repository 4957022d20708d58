/* fuzz_memobody.c - the POST and PATCH /memo bodies: jsonx_parse_object,
 * utf8_valid and memo_body_parse, as memo.cgi runs them; the first byte
 * picks the kind. */
#include "fuzz.h"
#include "memobody.h"
#include "utf8.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* cgi_read_body hands over a NUL-terminated copy; do the same. */
	enum memo_body_kind kind = size > 0 && (data[0] & 1) ?
	    MEMO_BODY_PATCH : MEMO_BODY_NEW;
	char *body;
	struct memo_body b;
	const char *why = NULL;
	enum err e;

	if (size > 0) {
		data++;
		size--;
	}
	body = fuzz_cstr(data, size);
	e = memo_body_parse(body, size, kind, &b, &why);
	if (e == E_OK) {
		FUZZ_ASSERT(b.text != NULL || kind == MEMO_BODY_PATCH);
		FUZZ_ASSERT(b.text != NULL || b.pinned != -1);
		FUZZ_ASSERT(b.pinned >= -1 && b.pinned <= 1);
		if (b.text != NULL) {
			FUZZ_ASSERT(b.len > 0 && b.len <= MEMO_MAX_TEXT);
			FUZZ_ASSERT(utf8_valid(b.text, b.len));
			FUZZ_ASSERT(memchr(b.text, '\0', b.len) == NULL);
		}
		FUZZ_ASSERT(utf8_valid(body, size));
	} else {
		FUZZ_ASSERT(e == E_BADREQ || e == E_TOOLARGE);
		FUZZ_ASSERT(why != NULL);
	}
	memo_body_free(&b);
	if (size > 0)
		(void)utf8_prefix(body, size, size - 1);
	free(body);
	return 0;
}
