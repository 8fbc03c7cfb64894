/* SPDX-License-Identifier: MIT */
/*
 * demo_ring.h: the layout both example programs agree on, as an RTX project
 * would keep it in a shared header: a sequence-numbered ring of samples in
 * one named shared-memory object.
 */
#ifndef DEMO_RING_H
#define DEMO_RING_H

#include <stdint.h>

#define DEMO_SHM_NAME_A "RtshmDemo\\SampleRing" /* any character is allowed in a name */
#define DEMO_SHM_NAME_W L"RtshmDemo\\SampleRing"
/* Auto-reset event the producer sets after each sample: the consumer blocks
 * on it instead of polling the ring. */
#define DEMO_EVENT_NAME_A "RtshmDemo\\NewData"
#define DEMO_EVENT_NAME_W L"RtshmDemo\\NewData"
#define DEMO_MAGIC 0x52494E47u /* "RING" */
#define DEMO_SLOTS 4096        /* 4 s of slack at 1 kHz */

typedef struct {
    uint64_t seq; /* written last (release): the slot is valid for this seq */
    int64_t t_ns; /* CLOCK_MONOTONIC time the producer wrote it */
    double value; /* the "measurement": a function of seq the consumer checks */
} DEMO_SAMPLE;

typedef struct {
    uint32_t magic; /* set by the producer once the header is valid */
    uint32_t period_us;
    uint64_t count; /* samples the producer will write */
    uint64_t head;  /* samples written so far (release) */
    uint32_t producer_done;
    uint32_t consumer_attached;
    uint64_t consumer_seen; /* set by the consumer when it has finished */
    uint32_t consumer_done;
    uint32_t pad;
    DEMO_SAMPLE ring[DEMO_SLOTS];
} DEMO_RING;

static inline double demo_value(uint64_t seq) {
    return (double)seq * 0.25 + 1.0;
}

#endif
