/*
 * floor.c - the CGI floor of `make bench`: the least a CGI can do.
 *
 * Statically linked, no library initialisation, one write of a fixed JSON
 * answer with the same headers the real CGIs send.  What lighttpd's mod_cgi
 * costs per request (fork, exec, pipes) is all this measures, so each real
 * CGI's requests/s is shown as a ratio to it.
 */
#include <unistd.h>
#include "floor_answer.h"


int
main(void)
{
	return write(1, floor_answer, sizeof(floor_answer) - 1) ==
	    (ssize_t)(sizeof(floor_answer) - 1) ? 0 : 1;
}
