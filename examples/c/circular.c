/* circular.c - the reference's "Circular Buffer", in C, made correct.
 *
 * The reference read the whole buffer, changed it and wrote it back: between
 * that read and that write another process could push or pop, and an update
 * was lost. Here push() and pop() are seqshm_update() calls: the change runs
 * under the write claim on the current value, so pushes and pops from any
 * number of processes are never lost, and readers never wait for them.
 *
 * For telemetry, where one producer publishes and any number of consumers
 * must see every item or know what they missed, a segment with slots is the
 * ring itself: each version is one item, the segment keeps the last SLOTS,
 * and each consumer follows with a cursor of its own (seqshm_next), storing
 * nothing in the segment and told how many items it lost when it falls
 * more than SLOTS behind. */
#include <seqshm.h>

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define N 5
#define SLOTS 4

struct circular { int buffer[N]; size_t head, tail; bool full; };

struct op { int item; bool done; };

static void push_fn(void *value, size_t size, void *ctx)
{
    struct circular *b = value;
    struct op *o = ctx;
    (void)size;
    if (b->full && b->head == b->tail)
        b->tail = (b->tail + 1) % N; /* full: drop the oldest */
    b->buffer[b->head] = o->item;
    b->head = (b->head + 1) % N;
    b->full = b->head == b->tail;
}

static void pop_fn(void *value, size_t size, void *ctx)
{
    struct circular *b = value;
    struct op *o = ctx;
    (void)size;
    o->done = !(b->head == b->tail && !b->full);
    if (!o->done)
        return;
    o->item = b->buffer[b->tail];
    b->tail = (b->tail + 1) % N;
    b->full = false;
}

static void push(seqshm *shm, int item)
{
    struct op o = {item, true};
    seqshm_update(shm, push_fn, &o, SEQSHM_FOREVER);
}

static bool pop(seqshm *shm, int *item)
{
    struct op o = {0, false};
    seqshm_update(shm, pop_fn, &o, SEQSHM_FOREVER);
    *item = o.item;
    return o.done;
}

int main(void)
{
    seqshm *buf, *ring;
    seqshm_options slots = {.flags = SEQSHM_CREATE, .slots = SLOTS};
    if (seqshm_open(&buf, "circular_buffer_example", sizeof(struct circular),
                    SEQSHM_CREATE) != SEQSHM_OK ||
        seqshm_open_opts(&ring, "broadcast_ring_example", sizeof(int),
                         &slots) != SEQSHM_OK) {
        fprintf(stderr, "Error: cannot open the segments\n");
        return 1;
    }
    int item;
    for (int i = 0; i < 7; ++i) {
        push(buf, i);
        printf("Pushed: %d\n", i);
    }
    for (int i = 0; i < 7; ++i) {
        if (pop(buf, &item))
            printf("Popped: %d\n", item);
        else
            printf("Buffer is empty\n");
    }

    uint64_t cursor = seqshm_version(ring), lost = 0, gap;
    for (int i = 0; i < 7; ++i) /* one producer publishes 7 items */
        seqshm_write(ring, &i, SEQSHM_FOREVER);
    while (seqshm_next(ring, &cursor, &item, &gap, 0) == SEQSHM_OK) {
        lost += gap;
        printf("Consumed: %d (version %llu)\n", item,
               (unsigned long long)cursor);
    }
    printf("Overwritten before this consumer read them: %llu\n",
           (unsigned long long)lost);
    seqshm_close(ring);
    seqshm_close(buf);
    return 0;
}
