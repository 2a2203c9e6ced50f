/* wait.pml - the wait/wake protocol of src/wait.c and claim_publish().
 *
 * Two writers each publish the next version (serialised by the claim); two
 * read-write waiters wait, one for a version > 0, one for a version > 1.
 * futex_wait is atomic with its compare (the kernel's hash-bucket lock);
 * futex_wake wakes every sleeper. Spin's interleavings are sequentially
 * consistent, as the seq_cst accesses of the code are.
 *
 * Checked: no waiter sleeps for ever once a version it waits for is
 * published (an invalid end state otherwise), and a waiter returns only
 * with such a version (assert).
 *
 *   spin -a wait.pml              the protocol as built: no error
 *   spin -a -DOLD_ORDER wait.pml  the futex word read after the flag (the
 *                                 old code): spin finds the lost wake-up
 */
byte seq = 0;        /* version */
byte futex = 0;      /* the futex word */
bit waiting = 0;     /* the announce flag */
bit claim = 0;       /* writers serialise on it */
bool asleep[2];      /* waiter i sleeps in futex_wait */

inline futex_wake_all() {
    atomic { asleep[0] = false; asleep[1] = false }
}

proctype writer()
{
    bit was;
    atomic { claim == 0 -> claim = 1 };
    seq++;                          /* publish (seq_cst) */
    claim = 0;
    if                              /* seq_cst load of the flag */
    :: waiting == 1 ->
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
    do
    :: seq > since -> break
    :: else ->
#ifdef OLD_ORDER
        if :: waiting == 0 -> waiting = 1 :: else -> skip fi;
        w = futex;
#else
        w = futex;
        if :: waiting == 0 -> waiting = 1 :: else -> skip fi;
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
        run writer();
        run writer()
    }
}
