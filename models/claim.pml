/* claim.pml - the writers' claim and its recovery (src/claim.c, seqlock.h,
 * src/recover.c), with liveness as the kernel tells it (src/process.c,
 * src/linux/identity.c).
 *
 * Three writer processes, identities 1..3 (never reused), each make up to
 * two writes into a two-slot segment and may be killed at any step; the
 * kernel then drops the identity's lock (locked[id] = false) at once. A
 * read-only reader judges a stalled claim the way recover_writer_gone() does.
 * Interleavings are sequentially consistent: the model checks the
 * protocol's logic; the memory orders that give the code the same
 * observations are argued in seqlock.h and recover.c.
 *
 * Checked (assert):
 *   - a live owner's claim is never taken over;
 *   - a dead owner's claim is recovered at most once (that it is recovered
 *     at all, and soon, the C tests show: test_faults.c, test_liveness.c);
 *   - no two writers fill the same slot at once;
 *   - the reader reports a dead writer only when the writer whose BUSY it
 *     saw is dead.
 *
 *   spin -a claim.pml             as built: no error
 *   spin -a -DPID_LIVENESS ...    liveness that may be wrong about a live
 *                                 process (/proc in another namespace):
 *                                 spin finds a live claim taken
 *   spin -a -DOLD_GONE ...        the reader loads owner, then seq, with no
 *                                 re-check: spin finds a spurious verdict
 */
#define W 3
#define BUSY 1
#define STEP 2
#ifndef WRITES
#define WRITES 1        /* per writer (2: 83 million states, 2 minutes) */
#endif

byte seq = 0;           /* version * STEP | BUSY */
byte owner = 0;         /* 0 free, else identity */
bool locked[W + 1];     /* the kernel's OFD lock of each identity */
bool alive[W + 1];      /* ghost: the process has not been killed */
byte busy_by = 0;       /* ghost: whose BUSY seq carries */
byte filling[2];        /* ghost: writers copying into each slot */
byte recovered[W + 1];  /* ghost: recoveries of each identity's claim */

/* Whether identity i lives, as the caller is told. */
inline lives(i, r) {
#ifdef PID_LIVENESS
    if :: r = locked[i] :: r = false fi /* /proc may not show a live pid */
#else
    r = locked[i]
#endif
}

/* One write: claim (try, then wait and recover), BUSY, copy, publish.
 * Locals are reset once used, so that states differ only in what matters. */
proctype writer(byte me)
{
    byte cur, seen, writes = 0;
    bool ok;
    atomic { locked[me] = true; alive[me] = true };
again:
    if :: writes == WRITES -> goto done :: else -> skip fi;
    seen = seq;
    do
    :: atomic { owner == 0 -> owner = me; seen = 0; break }  /* CAS */
    :: owner != 0 ->                                /* claim_wait */
        cur = owner;
        if
        :: cur != 0 && cur != me && seq == seen ->  /* stood still */
            lives(cur, ok);
            atomic {
                if
                :: !ok && owner == cur ->           /* CAS from the token */
                    owner = me;
                    assert(!alive[cur]);            /* never a live owner */
                    assert(recovered[cur] == 0);
                    recovered[cur]++;
                    if                              /* claim_repair */
                    :: seq & BUSY -> seq = seq - BUSY; busy_by = 0
                    :: else -> skip
                    fi;
                    cur = 0; ok = false; seen = 0;
                    break
                :: else -> cur = 0; ok = false
                fi
            }
        :: else -> atomic { seen = seq; cur = 0 }
        fi
    od;
    /* holds the claim */
    atomic { seq = seq | BUSY; busy_by = me };
    atomic { filling[(seq / STEP + 1) % 2]++;
             assert(filling[(seq / STEP + 1) % 2] == 1) }  /* one a slot */
    if
    :: atomic {                                     /* killed mid-copy */
        filling[(seq / STEP + 1) % 2]--; alive[me] = false; locked[me] = false
       };
       goto dead
    :: filling[(seq / STEP + 1) % 2]--
    fi;
    atomic { seq = (seq / STEP + 1) * STEP; busy_by = 0 };   /* publish */
    owner = 0;
    writes++;
    goto again;
done:
    atomic { alive[me] = false; locked[me] = false };  /* exits */
dead:
    skip
}

/* recover_writer_gone() of a read-only reader, twice. */
proctype reader()
{
    byte s1, s2, o, n = 0, b;
    bool ok;
    do
    :: n == 2 -> break
    :: else ->
        n++;
#ifdef OLD_GONE
        o = owner;
        atomic { s1 = seq; b = busy_by };
        s2 = s1;
#else
        atomic { s1 = seq; b = busy_by };
        o = owner;
        s2 = seq;
#endif
        if
        :: (s1 & BUSY) && s2 == s1 && o != 0 ->
            lives(o, ok);
            if
            :: !ok -> assert(b != 0 && !alive[b])   /* EOWNERDEAD is true */
            :: else -> skip
            fi
        :: else -> skip
        fi;
        atomic { s1 = 0; s2 = 0; o = 0; b = 0; ok = false }
    od
}

init {
    atomic {
        run writer(1);
        run writer(2);
        run writer(3);
        run reader()
    }
}
