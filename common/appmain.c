/*
 * appmain.c - the one main() of every CGI: it serves the executable's
 * app_endpoint (app.h) as a plain CGI or as a FastCGI responder (app_main).
 *
 * Linked into each executable, not put in libmemo.a, whose other users
 * (the unit tests, the fuzzers, the benchmark) have a main of their own.
 */
#include "app.h"

int
main(int argc, char *argv[], char *envp[])
{
	(void)argc;
	(void)argv;
	return app_main(&app_endpoint, envp);
}
