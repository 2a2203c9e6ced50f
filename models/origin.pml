/* origin.pml - a copy's origin records (src/origin.c): one recorder at a
 * time (the sole writer), which may die at any step, then its successor;
 * two readers. A record is the pair (version, time) with time = 2 *
 * version; a reader that keeps a copy must hold a whole record, never one
 * older than a record published before it started.
 *
 * The model is sequentially consistent: it checks the slot logic; the
 * orders each step needs are the fences written next to the code.
 *
 * tests/checks/models.sh checks it as built, and each variant:
 *   -DSAME_SLOT   the recorder fills the slot readers of seq copy: a mix
 *   -DNO_RECHECK  readers keep a copy without loading seq again: a mix
 */

#define RECORDS 3

byte seq = 0;          /* records published */
byte ver[2], when[2];  /* rec[n % 2] holds record n */
bool dead = false;     /* the first recorder died (or finished) */

inline record(v) {
    byte n = seq;
#ifdef SAME_SLOT
    ver[n % 2] = v;
    if :: true -> skip :: true -> goto died fi;
    when[n % 2] = 2 * v;
#else
    ver[(n + 1) % 2] = v;
    if :: true -> skip :: true -> goto died fi;  /* killed mid-record */
    when[(n + 1) % 2] = 2 * v;
#endif
    seq = n + 1
}

proctype first_recorder() {
    byte v = 1;
    do
    :: v <= RECORDS -> record(v); v++
    :: v <= RECORDS -> goto died     /* killed between records */
    :: v > RECORDS -> break
    od;
died:
    dead = true
}

/* The successor takes the role once the kernel says the first is dead. */
proctype successor() {
    byte v = RECORDS + 1;
    dead;
    record(v);
died:
    skip
}

proctype reader() {
    byte s1, s2, v, t, floor, tries = 0;
    do
    :: tries < 4 ->
        floor = seq;              /* published before this try began */
        s1 = seq;
        v = ver[s1 % 2];
        t = when[s1 % 2];
#ifdef NO_RECHECK
        s2 = s1;
#else
        s2 = seq;
#endif
        if
        :: s1 == s2 ->
            assert(t == 2 * v);                   /* whole */
            assert(s1 == 0 || v >= floor);        /* not older */
            break
        :: else -> tries++
        fi
    :: tries >= 4 -> break        /* ETIMEDOUT: allowed, not wrong */
    od
}

init {
    atomic {
        run first_recorder();
        run successor();
        run reader();
        run reader()
    }
}
