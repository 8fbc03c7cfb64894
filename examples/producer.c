/* SPDX-License-Identifier: MIT */
/*
 * producer.c: an RTX-style producer, written as an RTX program would be.
 *
 * Creates the named shared-memory ring with RtCreateSharedMemory, checks
 * GetLastError (ERROR_ALREADY_EXISTS means another producer made it), waits
 * for the consumer to attach, then writes one sequence-numbered sample every
 * period with an absolute-time periodic wait, sets the auto-reset event
 * RtshmDemo\NewData after each one (RtSetEvent: one system call, only when
 * the consumer sleeps on it), and prints a summary.
 *
 *   rtshm_demo_producer [SAMPLES [PERIOD_US]]
 */
#include <rtapi.h>

#include "demo_ring.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void add_ns(struct timespec *ts, long ns) {
    ts->tv_nsec += ns;
    while (ts->tv_nsec >= 1000000000L) {
        ts->tv_nsec -= 1000000000L;
        ts->tv_sec++;
    }
}

int main(int argc, char **argv) {
    uint64_t count = argc > 1 ? strtoull(argv[1], NULL, 0) : 2000;
    long period_us = argc > 2 ? strtol(argv[2], NULL, 0) : 1000;
    VOID *location = NULL;
    DEMO_RING *ring;
    HANDLE hShm, hNew;
    struct timespec next;
    int64_t late_max = 0, t0;
    uint64_t seq;
    int i;

    hShm = RtCreateSharedMemoryA(PAGE_READWRITE, 0, sizeof(DEMO_RING), DEMO_SHM_NAME_A, &location);
    if (hShm == NULL) {
        printf("producer: RtCreateSharedMemory failed, error %u\n", (unsigned)GetLastError());
        return 1;
    }
    if (GetLastError() == ERROR_ALREADY_EXISTS) {
        printf("producer: the ring already exists (another producer?), giving up\n");
        RtCloseHandle(hShm);
        return 1;
    }
    /* Create or open: whichever of the pair starts first makes it. */
    hNew = RtCreateEventA(NULL, FALSE, FALSE, DEMO_EVENT_NAME_A);
    if (hNew == NULL)
        printf("producer: RtCreateEvent failed, error %u: the consumer will poll\n",
               (unsigned)GetLastError());
    ring = (DEMO_RING *)location;
    ring->period_us = (uint32_t)period_us;
    ring->count = count;
    __atomic_store_n(&ring->magic, DEMO_MAGIC, __ATOMIC_RELEASE);

    /* Wait up to 10 s for the consumer, so it sees every sample. */
    for (i = 0; i < 10000 && !__atomic_load_n(&ring->consumer_attached, __ATOMIC_ACQUIRE); i++) {
        struct timespec ms = {0, 1000000};
        nanosleep(&ms, NULL);
    }
    if (!__atomic_load_n(&ring->consumer_attached, __ATOMIC_ACQUIRE))
        printf("producer: no consumer attached, writing anyway\n");

    clock_gettime(CLOCK_MONOTONIC, &next);
    t0 = now_ns();
    for (seq = 0; seq < count; seq++) {
        DEMO_SAMPLE *s = &ring->ring[seq % DEMO_SLOTS];
        int64_t late;
        add_ns(&next, period_us * 1000L);
        while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL) != 0) {
        }
        late = now_ns() - ((int64_t)next.tv_sec * 1000000000 + next.tv_nsec);
        if (late > late_max)
            late_max = late;
        s->t_ns = now_ns();
        s->value = demo_value(seq);
        __atomic_store_n(&s->seq, seq, __ATOMIC_RELEASE);
        __atomic_store_n(&ring->head, seq + 1, __ATOMIC_RELEASE);
        if (hNew != NULL)
            RtSetEvent(hNew);
    }
    __atomic_store_n(&ring->producer_done, 1, __ATOMIC_RELEASE);
    if (hNew != NULL)
        RtSetEvent(hNew);
    printf("producer: wrote %llu samples every %ld us in %.3f s (max wake-up lateness %lld us)\n",
           (unsigned long long)count, period_us, (double)(now_ns() - t0) / 1e9,
           (long long)(late_max / 1000));

    /* Keep the object alive until the consumer has read everything (S23). */
    for (i = 0; i < 10000 && !__atomic_load_n(&ring->consumer_done, __ATOMIC_ACQUIRE); i++) {
        struct timespec ms = {0, 1000000};
        nanosleep(&ms, NULL);
    }
    if (__atomic_load_n(&ring->consumer_done, __ATOMIC_ACQUIRE))
        printf("producer: consumer reports %llu samples seen\n",
               (unsigned long long)ring->consumer_seen);
    else
        printf("producer: consumer did not finish\n");

    if (hNew != NULL)
        RtCloseHandle(hNew);
    if (!RtCloseHandle(hShm)) {
        printf("producer: RtCloseHandle failed, error %u\n", (unsigned)GetLastError());
        return 1;
    }
    return 0;
}
