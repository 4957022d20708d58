/*
 * floor.c - the CGI floor of `make bench`: the least a CGI can do.
 *
 * Statically linked, no library initialisation, one write of a fixed JSON
 * answer with the same headers the real CGIs send.  What lighttpd's mod_cgi
 * costs per request (fork, exec, pipes) is all this measures, so each real
 * CGI's requests/s is shown as a ratio to it.
 */
#include <unistd.h>

static const char answer[] =
    "Status: 200 OK\r\n"
    "Content-Type: application/json; charset=utf-8\r\n"
    "X-Content-Type-Options: nosniff\r\n"
    "Cache-Control: no-store\r\n"
    "\r\n"
    "{\"status\":\"ok\"}\n";

int
main(void)
{
	return write(1, answer, sizeof(answer) - 1) ==
	    (ssize_t)(sizeof(answer) - 1) ? 0 : 1;
}
