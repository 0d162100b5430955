// swsl-limit: runs a command under an address-space limit and a wall-clock limit, and reports how it
// ended and its own peak resident memory. For the tests that run swsl-convert on hostile files.
//
//   swsl-limit REPORT MEMORY_BYTES SECONDS COMMAND [ARGS...]
//
// REPORT receives one line: "status S signal G timed_out T max_rss_kb K". The peak is the command's
// own: it is forked from this small process (never from the large test process, whose resident
// size a vfork-and-exec would carry into the child's ru_maxrss), then waited for with wait4.
// MEMORY_BYTES 0 leaves the address space unlimited (AddressSanitizer needs terabytes of it).
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc < 5) {
        fprintf(stderr, "usage: swsl-limit REPORT MEMORY_BYTES SECONDS COMMAND [ARGS...]\n");
        return 64;
    }
    unsigned long long memory = strtoull(argv[2], NULL, 10);
    double seconds = strtod(argv[3], NULL);
    pid_t pid = fork();
    if (pid < 0) return 71;
    if (pid == 0) {
        if (memory > 0) {
            struct rlimit limit = {.rlim_cur = memory, .rlim_max = memory};
            setrlimit(RLIMIT_AS, &limit);
        }
        execv(argv[4], argv + 4);
        _exit(127);
    }
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    int status = 0, timed_out = 0;
    struct rusage usage = {0};
    for (;;) {
        pid_t done = wait4(pid, &status, WNOHANG, &usage);
        if (done == pid) break;
        if (done < 0 && errno != EINTR) return 71;
        clock_gettime(CLOCK_MONOTONIC, &now);
        if ((now.tv_sec - start.tv_sec) + (now.tv_nsec - start.tv_nsec) / 1e9 > seconds) {
            timed_out = 1;
            kill(pid, SIGKILL);
            wait4(pid, &status, 0, &usage);
            break;
        }
        usleep(2000);
    }
    FILE *report = fopen(argv[1], "w");
    if (report == NULL) return 73;
    fprintf(report, "status %d signal %d timed_out %d max_rss_kb %ld\n",
            WIFEXITED(status) ? WEXITSTATUS(status) : -1, WIFSIGNALED(status) ? WTERMSIG(status) : 0, timed_out,
            usage.ru_maxrss);
    fclose(report);
    return 0;
}
