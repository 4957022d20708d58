/* log.c - stderr diagnostics with a program prefix. */
#include <stdarg.h>
#include <stdio.h>
#include "log.h"

static const char *log_prog = "memo";

void
log_init(const char *prog)
{
	log_prog = prog;
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
	(void)fprintf(stderr, "%s: %s\n", log_prog, line);
	(void)fflush(stderr);
}
