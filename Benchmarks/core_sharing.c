// What it costs this machine's two cores to read data the other core just wrote, against data they wrote themselves:
// the cost two threads pay at batch 1, where every layer reads activations, quantized quads and packed panels that
// the other thread produced. Prints, per line, the one-way latency of a cache line bounced between cores 0 and 1 (an
// atomic ping-pong), then the time to sum a buffer of SIZE bytes (default 256 KB, about one layer's packed panels)
// just written by the same core and just written by the other core, and their ratio. The VM's host may move the
// vCPUs between lines; each line is one moment.
//
//     cc -O3 -march=native -pthread Benchmarks/core_sharing.c -o /tmp/core_sharing && /tmp/core_sharing [SIZE_KB] [LINES]
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static _Atomic int turn __attribute__((aligned(64)));
static size_t words;
static uint64_t *buffer;
static volatile uint64_t sink;

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static void pin(int cpu) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    pthread_setaffinity_np(pthread_self(), sizeof set, &set);
}

static void fill(uint64_t seed) {
    for (size_t i = 0; i < words; i++) buffer[i] = seed + i;
}

/* Eight independent sums, so the loop waits on memory rather than on one chain of adds. */
static double timed_sum(void) {
    const double start = now();
    uint64_t total[8] = {0};
    for (size_t i = 0; i + 8 <= words; i += 8) {
        for (int j = 0; j < 8; j++) total[j] += buffer[i + j];
    }
    sink = total[0] + total[1] + total[2] + total[3] + total[4] + total[5] + total[6] + total[7];
    return now() - start;
}

enum { BOUNCES = 100000, ROUNDS = 200 };

/* Core 1's side. Ping-pong: answers every 1 with 0. Then, per round: on 2 it writes the buffer and answers 3. */
static void *other(void *unused) {
    (void)unused;
    pin(1);
    for (int i = 0; i < BOUNCES; i++) {
        while (atomic_load(&turn) != 1) {}
        atomic_store(&turn, 0);
    }
    for (int r = 0; r < ROUNDS; r++) {
        while (atomic_load(&turn) != 2) {}
        fill((uint64_t)r);
        atomic_store(&turn, 3);
    }
    return NULL;
}

static int by_value(const void *a, const void *b) {
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    const size_t kb = argc > 1 ? strtoul(argv[1], NULL, 10) : 256;
    const int lines = argc > 2 ? atoi(argv[2]) : 5;
    words = kb * 1024 / sizeof(uint64_t);
    buffer = aligned_alloc(64, words * sizeof(uint64_t));
    pin(0);
    for (int line = 0; line < lines; line++) {
        atomic_store(&turn, 0);
        pthread_t thread;
        pthread_create(&thread, NULL, other, NULL);
        const double start = now();
        for (int i = 0; i < BOUNCES; i++) {
            atomic_store(&turn, 1);
            while (atomic_load(&turn) != 0) {}
        }
        const double one_way = (now() - start) / BOUNCES / 2;
        double own[ROUNDS], remote[ROUNDS];
        for (int r = 0; r < ROUNDS; r++) {
            fill((uint64_t)r);
            own[r] = timed_sum();
            atomic_store(&turn, 2);
            while (atomic_load(&turn) != 3) {}
            remote[r] = timed_sum();
        }
        pthread_join(thread, NULL);
        qsort(own, ROUNDS, sizeof own[0], by_value);
        qsort(remote, ROUNDS, sizeof remote[0], by_value);
        const double a = own[ROUNDS / 2], b = remote[ROUNDS / 2];
        printf("one-way %.0f ns; sum of %zu KB written by this core %.1f us, by the other core %.1f us: %.2fx\n",
               one_way * 1e9, kb, a * 1e6, b * 1e6, b / a);
        fflush(stdout);
    }
    free(buffer);
    return 0;
}
