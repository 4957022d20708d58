/* log.c - stderr diagnostics with a program prefix and the request id. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "log.h"

static const char *log_prog = "memo";
/* The request's id as "[...]" (or ""), put after the program name. */
static char log_trace[LOG_TRACE_MAX + 3];

void
log_init(const char *prog)
{
	log_prog = prog;
	log_trace[0] = '\0';
}

/* The characters of an X-Amzn-Trace-Id ("Root=1-5759e988-bd862e3f…;
 * Sampled=1"): a header the client may have sent itself, so nothing else
 * reaches the log. */
static int
trace_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || strchr("=;-_.:", c) != NULL;
}

void
log_request_id(const char *trace)
{
	size_t n;

	log_trace[0] = '\0';
	if (trace == NULL || *trace == '\0')
		return;
	n = strnlen(trace, LOG_TRACE_MAX + 1);
	for (size_t i = 0; i < n && n <= LOG_TRACE_MAX; i++)
		if (!trace_char((unsigned char)trace[i]))
			n = LOG_TRACE_MAX + 1;	/* ends the loop */
	if (n > LOG_TRACE_MAX) {
		memcpy(log_trace, "[invalid]", sizeof("[invalid]"));
		return;
	}
	log_trace[0] = '[';
	memcpy(log_trace + 1, trace, n);
	log_trace[n + 1] = ']';
	log_trace[n + 2] = '\0';
}

void
log_msg(const char *fmt, ...)
{
	char line[512];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(line, sizeof(line), fmt, ap);	/* cut is fine */
	va_end(ap);
	/* One write per line so lines from concurrent CGIs do not interleave;
	 * control characters from server messages are flattened. */
	for (char *p = line; *p; p++)
		if ((unsigned char)*p < 0x20)
			*p = ' ';
	/* Nowhere to report a failing stderr to. */
	(void)fprintf(stderr, "%s%s%s: %s\n", log_prog, *log_trace ? " " : "",
	    log_trace, line);
	(void)fflush(stderr);
}
