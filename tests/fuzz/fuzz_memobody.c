/* fuzz_memobody.c - the POST /memo body: jsonx_parse_object, utf8_valid
 * and memo_parse_body, as memo.cgi runs them. */
#include "fuzz.h"
#include "memobody.h"
#include "utf8.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* cgi_read_body hands over a NUL-terminated copy; do the same. */
	char *body = fuzz_cstr(data, size);
	struct json_object *obj = NULL;
	const char *text = NULL, *why = NULL;
	size_t len = 0;
	enum err e;

	e = memo_parse_body(body, size, &obj, &text, &len, &why);
	if (e == E_OK) {
		FUZZ_ASSERT(len > 0 && len <= MEMO_MAX_TEXT);
		FUZZ_ASSERT(utf8_valid(text, len));
		FUZZ_ASSERT(memchr(text, '\0', len) == NULL);
		FUZZ_ASSERT(utf8_valid(body, size));
	} else {
		FUZZ_ASSERT(e == E_BADREQ || e == E_TOOLARGE);
		FUZZ_ASSERT(why != NULL);
	}
	json_object_put(obj);
	if (size > 0)
		(void)utf8_prefix(body, size, size - 1);
	free(body);
	return 0;
}
