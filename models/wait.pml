/* wait.pml - the wait/wake protocol of src/waiting.c (with src/linux/wake.c's
 * futex), wake_if_waiting() and the barrier pair of src/barrier.h.
 *
 * Two writers each publish the next version (serialised by the claim);
 * three read-write waiters wait, one for a version > 0, two for a version
 * > 1. futex_wait is atomic with its compare (the kernel's hash-bucket
 * lock); futex_wake wakes every sleeper. Spin's interleavings are
 * sequentially consistent, as the waiters' seq_cst accesses are.
 *
 * The writers' side comes in two builds:
 *   full fence (default)  the publish (and the claim's release) are visible
 *                         before the writer loads the flag;
 *   -DASYM                the writer's stores go through a store buffer, as
 *                         on a real CPU with only a compiler barrier between
 *                         publish and flag load: they may become visible
 *                         after that load (spontaneously, at any moment, in
 *                         order). The waiter's barrier (membarrier) drains
 *                         it: a full fence on the writer's CPU at that
 *                         instant. Store-to-load reordering is the only one
 *                         that matters here: the writer's other accesses
 *                         are ordered by release semantics.
 *
 * Checked: no waiter sleeps for ever once a version it waits for is
 * published (an invalid end state otherwise), and a waiter returns only
 * with such a version (assert).
 *
 *   spin -a wait.pml                    full fence: no error
 *   spin -a -DASYM wait.pml             asymmetric fence: no error
 *   spin -a -DOLD_ORDER wait.pml        the futex word read after the flag
 *                                       (the old code): a lost wake-up
 *   spin -a -DASYM -DNO_HEAVY wait.pml  writers without their fence and
 *                                       waiters without the barrier: lost
 *   spin -a -DASYM -DHEAVY_IF_STORED    the barrier only by the waiter that
 *                                       set the flag: lost
 */
byte seq = 0;        /* version, as visible to others */
byte futex = 0;      /* the futex word */
bit waiting = 0;     /* the announce flag */
bit claim = 0;       /* writers serialise on it */
bool asleep[3];      /* waiter i sleeps in futex_wait */
bit pending = 0;     /* ASYM: the writer's publish and claim release are
                        still in its store buffer */
byte pending_seq;

inline futex_wake_all() {
    atomic { asleep[0] = false; asleep[1] = false; asleep[2] = false }
}

/* the store buffer empties (in order: seq, then the claim) */
inline drain() {
    atomic {
        if
        :: pending -> seq = pending_seq; claim = 0; pending = 0
        :: else -> skip
        fi
    }
}

proctype writer()
{
    bit was, flag;
    atomic { claim == 0 && pending == 0 -> claim = 1 };  /* CAS: drains */
#ifdef ASYM
    atomic { pending_seq = seq + 1; pending = 1 };  /* publish, release */
    if :: drain() :: skip fi;                       /* maybe visible now */
    flag = waiting;                                 /* relaxed load */
    drain();                                        /* or later */
#else
    seq++;                          /* publish */
    claim = 0;
    flag = waiting;                 /* after a full fence */
#endif
    if
    :: flag == 1 ->
        atomic { was = waiting; waiting = 0 };   /* exchange */
        if
        :: was == 1 -> futex++; futex_wake_all()
        :: else -> skip
        fi
    :: else -> skip
    fi
}

proctype waiter(byte me; byte since)
{
    byte w;
    bit stored;
    do
    :: seq > since -> break
    :: else ->
        stored = 0;
#ifdef OLD_ORDER
        if :: waiting == 0 -> waiting = 1; stored = 1 :: else -> skip fi;
        w = futex;
#else
        w = futex;
        if :: waiting == 0 -> waiting = 1; stored = 1 :: else -> skip fi;
#endif
#if defined(ASYM) && !defined(NO_HEAVY)
#ifdef HEAVY_IF_STORED
        if :: stored -> drain() :: else -> skip fi;
#else
        drain();                    /* membarrier(GLOBAL_EXPEDITED) */
#endif
#endif
        if
        :: seq > since -> break
        :: else ->
            atomic {                /* futex_wait(&futex, w) */
                if
                :: futex == w -> asleep[me] = true
                :: else -> skip     /* EAGAIN */
                fi
            };
            !asleep[me]             /* blocks until woken */
        fi
    od;
    assert(seq > since)
}

init {
    atomic {
        run waiter(0, 0);
        run waiter(1, 1);
        run waiter(2, 1);
        run writer();
        run writer()
    }
}
