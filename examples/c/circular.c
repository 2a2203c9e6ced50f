/* circular.c - the reference's "Circular Buffer", in C, and the way to do it
 * right beside it.
 *
 * FLAW (kept so the reference's example runs as it was): push() and pop()
 * read the whole buffer, change it and write it back; between that read and
 * that write another process may push or pop, and one update is lost.
 * Nothing makes the read-modify-write exclusive across processes; it is
 * correct only while one process does all the pushing and popping.
 *
 * Right for telemetry (ring_publish / ring_next): one producer is the only
 * writer of the ring; each consumer keeps its cursor in its own memory and
 * never writes the segment, and learns how many items it lost by falling
 * more than N behind. */
#include <seqshm.h>

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define N 5

struct circular { int buffer[N]; size_t head, tail; bool full; };

static void push(seqshm *shm, int item)
{
    struct circular b;
    seqshm_read(shm, &b, SEQSHM_FOREVER);
    if (b.full && b.head == b.tail)
        b.tail = (b.tail + 1) % N;
    b.buffer[b.head] = item;
    b.head = (b.head + 1) % N;
    b.full = b.head == b.tail;
    seqshm_write(shm, &b, SEQSHM_FOREVER);
}

static bool pop(seqshm *shm, int *item)
{
    struct circular b;
    seqshm_read(shm, &b, SEQSHM_FOREVER);
    if (b.head == b.tail && !b.full)
        return false;
    *item = b.buffer[b.tail];
    b.tail = (b.tail + 1) % N;
    b.full = false;
    seqshm_write(shm, &b, SEQSHM_FOREVER);
    return true;
}

struct ring { uint64_t next; int items[N]; };

static void ring_publish(seqshm *shm, int item) /* producer only */
{
    struct ring r;
    seqshm_read(shm, &r, SEQSHM_FOREVER);
    r.items[r.next % N] = item;
    r.next++;
    seqshm_write(shm, &r, SEQSHM_FOREVER);
}

static bool ring_next(seqshm *shm, uint64_t *cursor, uint64_t *lost, int *item)
{
    struct ring r;
    seqshm_read(shm, &r, SEQSHM_FOREVER);
    if (r.next > N && *cursor < r.next - N) {
        *lost += r.next - N - *cursor;
        *cursor = r.next - N;
    }
    if (*cursor == r.next)
        return false;
    *item = r.items[(*cursor)++ % N];
    return true;
}

int main(void)
{
    seqshm *buf, *ring;
    if (seqshm_open(&buf, "circular_buffer_example", sizeof(struct circular),
                    SEQSHM_CREATE) != SEQSHM_OK ||
        seqshm_open(&ring, "broadcast_ring_example", sizeof(struct ring),
                    SEQSHM_CREATE) != SEQSHM_OK) {
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
    for (int i = 0; i < 7; ++i)
        ring_publish(ring, i);
    uint64_t cursor = 0, lost = 0;
    while (ring_next(ring, &cursor, &lost, &item))
        printf("Consumed: %d\n", item);
    printf("Overwritten before this consumer read them: %llu\n",
           (unsigned long long)lost);
    seqshm_close(ring);
    seqshm_close(buf);
    return 0;
}
