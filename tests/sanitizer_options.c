/*
 * sanitizer_options.c - default ASan/UBSan settings, linked only into the
 * sanitizer build (build-asan/cgi-bin).
 *
 * Compiled in rather than passed as ASAN_OPTIONS because lighttpd does not
 * hand its own environment to the CGIs.  Any finding stops the CGI at once
 * (the request fails, so the test that made it fails too) and prints a
 * report to stderr, which the tests also grep for.
 */
const char *__asan_default_options(void);
const char *__ubsan_default_options(void);

const char *
__asan_default_options(void)
{
	return "halt_on_error=1:abort_on_error=1:detect_leaks=1:"
	    "detect_stack_use_after_return=1:strict_string_checks=1:"
	    "check_initialization_order=1";
}

const char *
__ubsan_default_options(void)
{
	return "halt_on_error=1:abort_on_error=1:print_stacktrace=1";
}
