/*
 * spawn.c - run a CGI by hand N times, as mod_cgi does, and report its cost:
 *   spawn N STDIN STDOUT PROGRAM
 * Each run reads STDIN (a file), writes STDOUT (truncated), stderr goes to
 * /dev/null, the environment is ours.  Prints one line for tools/bench.py:
 *   runs=N mean_us=… min_us=… maxrss_kib=… status=…
 * Why not Python: its own 20 MB would be counted in the child's peak RSS
 * (Linux keeps the high-water mark across exec), and its overhead in the
 * wall time.  Built static, so what it adds is a few hundred KiB and the
 * same fork/exec that mod_cgi pays.
 */
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>

extern char **environ;

static double
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

int
main(int argc, char *argv[])
{
	posix_spawn_file_actions_t fa;
	double total = 0, min = 0;
	long maxrss = 0;
	int n, status = 0;

	if (argc != 5 || (n = atoi(argv[1])) <= 0) {
		fprintf(stderr, "usage: spawn N STDIN STDOUT PROGRAM\n");
		return 2;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, argv[2], O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, argv[3],
	    O_WRONLY | O_CREAT | O_TRUNC, 0600);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	for (int i = 0; i < n; i++) {
		char *child_argv[] = { argv[4], NULL };
		struct rusage ru;
		double t0 = now_us(), dt;
		pid_t pid;

		if (posix_spawn(&pid, argv[4], &fa, NULL, child_argv,
		    environ) != 0 || wait4(pid, &status, 0, &ru) != pid) {
			perror("spawn");
			return 1;
		}
		dt = now_us() - t0;
		total += dt;
		if (i == 0 || dt < min)
			min = dt;
		if (ru.ru_maxrss > maxrss)
			maxrss = ru.ru_maxrss;
	}
	printf("runs=%d mean_us=%.1f min_us=%.1f maxrss_kib=%ld status=%d\n",
	    n, total / n, min, maxrss, status);
	return 0;
}
