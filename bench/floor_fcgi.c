/*
 * floor_fcgi.c - the FastCGI floor of `make bench`: the least a FastCGI
 * responder can do through lighttpd's mod_fastcgi.
 *
 * A libfcgi accept loop that answers floor.c's fixed JSON to every request.
 * What lighttpd's FastCGI proxying and libfcgi cost per request is all this
 * measures; memo's FastCGI rows are read beside it.
 */
#include <fcgiapp.h>
#include "floor_answer.h"


int
main(void)
{
	FCGX_Request req;

	if (FCGX_Init() != 0 || FCGX_InitRequest(&req, 0, 0) != 0)
		return 1;
	while (FCGX_Accept_r(&req) >= 0) {
		FCGX_PutStr(floor_answer, (int)(sizeof(floor_answer) - 1), req.out);
		FCGX_Finish_r(&req);
	}
	return 0;
}
