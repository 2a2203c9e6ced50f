/* channels.c - the segments served: found by a scan of the host's segments
 * (twice a second), each with a schema and a name matching the patterns a
 * channel; one whose name is gone, or names another segment now, is taken
 * away (unadvertised) and freed. A channel somebody subscribed to has a
 * follower thread that puts each version into the channel's ring, as JSON.
 */
#include "serve.h"

#include <fnmatch.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static uint64_t now_realtime(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t now_monotonic(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* One version into the ring (follower thread). */
static void push(struct channel *ch, const struct fields *fs,
                 const unsigned char *payload, uint64_t version)
{
    struct text t = {0};
    fields_to_json(&t, fs, payload);
    if (t.failed) {
        text_free(&t);
        return;
    }
    pthread_mutex_lock(&ch->lock);
    struct msg *m = &ch->ring[ch->head % RING];
    free(m->json);
    *m = (struct msg){.time_ns = now_realtime(), .version = version,
                      .len = t.len, .json = (unsigned char *)t.p};
    ch->head++;
    pthread_mutex_unlock(&ch->lock);
    /* the service thread sends it: woken once for any number of pushes
       before it looks (it clears woken, then reads the rings) */
    if (!atomic_exchange(&ch->srv->woken, true))
        lws_cancel_service(ch->srv->ctx);
}

/* Follows the segment read-only: every version (seqshm_next), or with
 * --max-rate the newest at each turn, until asked to stop. The newest
 * value first, so a new subscriber of an idle segment sees something. */
static void *follow(void *arg)
{
    struct channel *ch = arg;
    size_t size = seqshm_size(ch->s);
    unsigned char *buf = malloc(size);
    double rate = ch->srv->max_rate;
    uint64_t period = rate > 0 ? (uint64_t)(1e9 / rate) : 0, last = 0;
    uint64_t cursor = 0;
    if (buf == NULL)
        return NULL;
    if (seqshm_read_versioned(ch->s, buf, &cursor, SLICE_NS) == SEQSHM_OK &&
        cursor != 0) {
        push(ch, &ch->fs, buf, cursor);
        last = now_monotonic();
    }
    while (!atomic_load(&ch->stop)) {
        uint64_t v = cursor, lost = 0;
        int st;
        if (period) {
            uint64_t now = now_monotonic();
            if (now < last + period) { /* not its turn: sleep, then the
                                          newest */
                uint64_t left = last + period - now;
                struct timespec ts = {0, (long)(left < SLICE_NS ? left
                                                               : SLICE_NS)};
                nanosleep(&ts, NULL);
                continue;
            }
            st = seqshm_wait(ch->s, cursor, SLICE_NS);
            if (st == SEQSHM_OK)
                st = seqshm_read_versioned(ch->s, buf, &v, SLICE_NS);
            if (st == SEQSHM_OK && v > cursor + 1 && cursor != 0)
                lost = v - cursor - 1;
        } else { /* asleep in the futex until a write (seqshm_wait), then
                    every version kept since, without waiting: seqshm_next's
                    own wait spins and yields first, which would cost a
                    channel at 1 kHz a tenth of a core */
            st = seqshm_wait(ch->s, cursor, SLICE_NS);
            if (st == SEQSHM_OK)
                st = seqshm_next(ch->s, &v, buf, &lost, 0);
        }
        if (st == SEQSHM_ETIMEDOUT)
            continue;
        if (st == SEQSHM_EOWNERDEAD) { /* torn: wait for a whole write */
            seqshm_wait(ch->s, seqshm_version(ch->s), SLICE_NS);
            continue;
        }
        if (st != SEQSHM_OK || v <= cursor)
            continue; /* the scan notices a segment gone */
        cursor = v;
        pthread_mutex_lock(&ch->lock);
        ch->coalesced += lost;
        pthread_mutex_unlock(&ch->lock);
        push(ch, &ch->fs, buf, v);
        last = now_monotonic();
    }
    free(buf);
    return NULL;
}

static void join(struct channel *ch)
{
    if (ch->started)
        pthread_join(ch->thread, NULL);
    ch->started = false;
}

int channel_hold(struct channel *ch)
{
    if (ch->subscribers++ > 0)
        return 0;
    join(ch); /* a follower asked to stop before */
    atomic_store(&ch->stop, false);
    if (pthread_create(&ch->thread, NULL, follow, ch) != 0) {
        ch->subscribers--;
        return -1;
    }
    ch->started = true;
    return 0;
}

void channel_release(struct channel *ch)
{
    if (--ch->subscribers == 0)
        atomic_store(&ch->stop, true); /* joined when held again, or freed */
}

static void channel_free(struct channel *ch)
{
    atomic_store(&ch->stop, true);
    join(ch);
    for (size_t i = 0; i < RING; i++)
        free(ch->ring[i].json);
    pthread_mutex_destroy(&ch->lock);
    fields_free(&ch->fs);
    text_free(&ch->schema);
    seqshm_close(ch->s);
    free(ch);
}

struct channel *channel_by_id(struct server *srv, uint32_t id)
{
    for (size_t i = 0; i < srv->nch; i++)
        if (srv->ch[i]->id == id)
            return srv->ch[i];
    return NULL;
}

static bool wanted(const struct server *srv, const char *name)
{
    if (srv->npatterns == 0)
        return true;
    for (int i = 0; i < srv->npatterns; i++)
        if (fnmatch(bare(srv->patterns[i]), name, 0) == 0)
            return true;
    return false;
}

/* A channel for the segment name, or NULL (no schema, not openable). */
static struct channel *channel_new(struct server *srv, const char *name)
{
    seqshm *s;
    if (seqshm_open(&s, name, 0, SEQSHM_RDONLY) != SEQSHM_OK)
        return NULL;
    struct channel *ch = calloc(1, sizeof *ch);
    if (ch == NULL || seqshm_schema(s)[0] == '\0' ||
        fields_load(&ch->fs, seqshm_schema(s)) != SEQSHM_OK ||
        ch->fs.n == 0) {
        if (ch != NULL)
            fields_free(&ch->fs);
        free(ch);
        seqshm_close(s);
        return NULL;
    }
    ch->s = s;
    ch->srv = srv;
    ch->id = ++srv->next_id;
    snprintf(ch->name, sizeof ch->name, "%s", name);
    fields_json_schema(&ch->schema, &ch->fs, name);
    pthread_mutex_init(&ch->lock, NULL);
    atomic_init(&ch->stop, false);
    if (ch->schema.failed) {
        channel_free(ch);
        return NULL;
    }
    return ch;
}

static bool listed(char **names, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(bare(names[i]), name) == 0)
            return true;
    return false;
}

void channels_scan(struct server *srv)
{
    char **names = NULL;
    size_t n = 0;
    if (host_list(&names, &n) != 0)
        return;
    /* gone: no longer listed, or the name names another segment now */
    for (size_t i = 0; i < srv->nch;) {
        struct channel *ch = srv->ch[i];
        if (listed(names, n, ch->name) && seqshm_is_current(ch->s)) {
            i++;
            continue;
        }
        clients_unadvertise(srv, ch); /* drops the clients' subscriptions */
        srv->ch[i] = srv->ch[--srv->nch];
        channel_free(ch);
    }
    /* new ones, advertised together */
    struct channel **fresh = calloc(n ? n : 1, sizeof *fresh);
    size_t nfresh = 0;
    for (size_t i = 0; fresh != NULL && i < n; i++) {
        const char *name = bare(names[i]);
        bool known = false;
        for (size_t k = 0; k < srv->nch && !known; k++)
            known = strcmp(srv->ch[k]->name, name) == 0;
        if (known || !wanted(srv, name))
            continue;
        if (srv->nch >= MAX_CHANNELS) {
            if (!srv->said_full)
                fprintf(stderr, "seqshm: serve: %d channels served: "
                                "no more (name fewer segments)\n",
                        MAX_CHANNELS);
            srv->said_full = true;
            break;
        }
        struct channel *ch = channel_new(srv, name);
        if (ch == NULL)
            continue; /* no schema, or not ours to read: looked at again
                         at the next scan */
        struct channel **grown = realloc(srv->ch, (srv->nch + 1) * sizeof *grown);
        if (grown == NULL) {
            channel_free(ch);
            break;
        }
        srv->ch = grown;
        srv->ch[srv->nch++] = ch;
        fresh[nfresh++] = ch;
    }
    if (nfresh > 0)
        clients_advertise(srv, fresh, nfresh);
    free(fresh);
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

void channels_free(struct server *srv)
{
    for (size_t i = 0; i < srv->nch; i++)
        channel_free(srv->ch[i]);
    free(srv->ch);
    srv->ch = NULL;
    srv->nch = 0;
}
