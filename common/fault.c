/* fault.c - MEMO_FAULT for the fault-injection build (fault.h). */
#include "fault.h"

#ifdef MEMO_FAULTS
#include <stdlib.h>
#include <string.h>

int
fault_hit(const char *name)
{
	static unsigned long hits;
	const char *want = getenv("MEMO_FAULT");
	size_t n = strlen(name);

	if (want == NULL || strncmp(want, name, n) != 0)
		return 0;
	if (want[n] == '\0')
		return 1;
	return want[n] == ':' && ++hits == strtoul(want + n + 1, NULL, 10);
}
#else
/* An object file of the shipped build must not be empty (ISO C). */
typedef int fault_unused;
#endif
