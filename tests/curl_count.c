/*
 * curl_count.c - an LD_PRELOAD shim for the tests (test_naver_client.py):
 * each call of curl_global_init and curl_easy_perform appends a line
 * "PID init" or "PID perform" to the file named by MEMO_CURL_COUNT, then
 * goes on to libcurl's own.  It shows how often a process starts libcurl
 * for the Naver calls it makes (once, however many requests it serves).
 * Built at test time: cc -shared -fPIC -o curl_count.so curl_count.c -ldl
 */
#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef int code_t;	/* CURLcode: an enum, an int in the ABI */

static void
note(const char *what)
{
	const char *path = getenv("MEMO_CURL_COUNT");
	char line[64];
	int fd, n;

	if (path == NULL || *path == '\0')
		return;
	n = snprintf(line, sizeof(line), "%ld %s\n", (long)getpid(), what);
	if ((fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600)) < 0)
		return;
	if (n > 0)
		(void)!write(fd, line, (size_t)n);
	close(fd);
}

code_t curl_global_init(long flags);
code_t curl_easy_perform(void *curl);

code_t
curl_global_init(long flags)
{
	code_t (*real)(long) = (code_t (*)(long))dlsym(RTLD_NEXT,
	    "curl_global_init");

	note("init");
	return real ? real(flags) : 2;	/* CURLE_FAILED_INIT */
}

code_t
curl_easy_perform(void *curl)
{
	code_t (*real)(void *) = (code_t (*)(void *))dlsym(RTLD_NEXT,
	    "curl_easy_perform");

	note("perform");
	return real ? real(curl) : 2;
}
