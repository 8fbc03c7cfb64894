/* SPDX-License-Identifier: MIT */
/*
 * consumer.c: an RTX-style consumer with wide-character names (UNICODE,
 * TCHAR style), written as an RTX program would be.
 *
 * Opens the producer's ring by name with RtOpenSharedMemory (retrying while
 * GetLastError() says ERROR_FILE_NOT_FOUND: not created yet), then checks it
 * sees every sample, in order, with the right value; prints a summary.
 * Between samples it blocks on the producer's auto-reset event
 * RtshmDemo\NewData (RtWaitForSingleObject), as RTX code does; it polls
 * only where the backend cannot carry events (then it says so).
 * Exit status 0 only if every sample was seen in order.
 */
#define UNICODE
#include <rtapi.h>

#include "demo_ring.h"

#include <stdio.h>
#include <time.h>

static int64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void sleep_us(long us) {
    struct timespec ts = {0, us * 1000L};
    nanosleep(&ts, NULL);
}

int main(void) {
    LPCTSTR name = TEXT("RtshmDemo\\SampleRing"); /* == DEMO_SHM_NAME_W */
    VOID *location = NULL;
    DEMO_RING *ring;
    HANDLE hShm = NULL, hNew;
    uint64_t wakes = 0;
    uint64_t expected = 0, count, bad_value = 0, missed = 0;
    int64_t lat_max = 0;
    int i;

    for (i = 0; i < 1000; i++) { /* up to 10 s for the producer */
        hShm = RtOpenSharedMemory(SHM_MAP_ALL_ACCESS, FALSE, name, &location);
        if (hShm != NULL || GetLastError() != ERROR_FILE_NOT_FOUND)
            break;
        sleep_us(10000);
    }
    if (hShm == NULL) {
        printf("consumer: RtOpenSharedMemory failed, error %u\n", (unsigned)GetLastError());
        return 1;
    }
    ring = (DEMO_RING *)location;
    for (i = 0; i < 1000 && __atomic_load_n(&ring->magic, __ATOMIC_ACQUIRE) != DEMO_MAGIC; i++)
        sleep_us(1000);
    if (ring->magic != DEMO_MAGIC) {
        printf("consumer: ring header never became valid\n");
        RtCloseHandle(hShm);
        return 1;
    }
    count = ring->count;
    hNew = RtCreateEvent(NULL, FALSE, FALSE, TEXT("RtshmDemo\\NewData")); /* == DEMO_EVENT_NAME_W */
    if (hNew == NULL)
        printf("consumer: RtCreateEvent failed, error %u: polling the ring instead\n",
               (unsigned)GetLastError());
    __atomic_store_n(&ring->consumer_attached, 1, __ATOMIC_RELEASE);

    while (expected < count) {
        uint64_t head = __atomic_load_n(&ring->head, __ATOMIC_ACQUIRE);
        if (expected == head) {
            if (__atomic_load_n(&ring->producer_done, __ATOMIC_ACQUIRE) &&
                __atomic_load_n(&ring->head, __ATOMIC_ACQUIRE) == expected)
                break;
            if (hNew == NULL) {
                sleep_us(100);
            } else if (RtWaitForSingleObject(hNew, 100) == WAIT_OBJECT_0) {
                wakes++;
            }
            continue;
        }
        while (expected < head) {
            DEMO_SAMPLE *s = &ring->ring[expected % DEMO_SLOTS];
            uint64_t seq = __atomic_load_n(&s->seq, __ATOMIC_ACQUIRE);
            double v = s->value;
            int64_t lat = now_ns() - s->t_ns;
            if (seq != expected || __atomic_load_n(&s->seq, __ATOMIC_ACQUIRE) != seq) {
                missed++; /* overwritten before we read it: we fell behind */
            } else {
                if (v != demo_value(seq))
                    bad_value++;
                if (lat > lat_max)
                    lat_max = lat;
            }
            expected++;
        }
    }
    ring->consumer_seen = expected - missed;
    __atomic_store_n(&ring->consumer_done, 1, __ATOMIC_RELEASE);
    printf("consumer: saw %llu of %llu samples in order (%llu missed, %llu bad values), max "
           "latency %lld us, %s\n",
           (unsigned long long)(expected - missed), (unsigned long long)count,
           (unsigned long long)missed, (unsigned long long)bad_value, (long long)(lat_max / 1000),
           hNew != NULL ? "blocked on the event between samples" : "polled");
    if (hNew != NULL) {
        printf("consumer: woken by RtshmDemo\\NewData %llu times\n", (unsigned long long)wakes);
        RtCloseHandle(hNew);
    }
    if (!RtCloseHandle(hShm)) {
        printf("consumer: RtCloseHandle failed, error %u\n", (unsigned)GetLastError());
        return 1;
    }
    return (expected == count && missed == 0 && bad_value == 0) ? 0 : 1;
}
