/* serve.h - `seqshm serve`: every segment with a schema as a channel of the
 * Foxglove WebSocket protocol (foxglove.websocket.v1), and a page that plots
 * them, from one libwebsockets server.
 *
 *   server.c    the command: options, the libwebsockets context, the page
 *   channels.c  segments found (rescanned), and one follower per channel
 *               that someone subscribed to, filling the channel's ring
 *   clients.c   the protocol with one client: what it asks, what it is sent
 *   page.html   the browser page (make turns it into C: serve_page)
 *
 * Threads: libwebsockets' one service thread owns the channel table and the
 * clients; a follower thread touches only its channel's ring, under the
 * channel's lock, and wakes the service thread (lws_cancel_service). So a
 * channel is freed only on the service thread, after its follower joined.
 * Serving never writes to a segment: every handle is SEQSHM_RDONLY. */
#ifndef SEQSHM_SERVE_H
#define SEQSHM_SERVE_H

#include "../tool.h"

#include <libwebsockets.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#define SERVE_PROTOCOL "foxglove.websocket.v1"
#define RING 256            /* versions a channel keeps for slow clients */
#define MAX_CHANNELS 4096   /* segments served at most */
#define MAX_SUBS 4096       /* subscriptions one client may hold */
#define MAX_QUEUED 4096     /* text messages queued for one client */
#define MAX_REQUEST 65536   /* bytes of one client text message */
#define SLICE_NS 50000000   /* how often a follower looks at its stop flag */

struct msg {
    uint64_t time_ns;   /* CLOCK_REALTIME when read: the frame's timestamp */
    uint64_t version;
    size_t len;
    unsigned char *json; /* the value as JSON (fields_to_json) */
};

struct channel {
    uint32_t id;              /* never reused: a segment made again under
                                 its name is a new channel */
    char name[SEQSHM_NAME_MAX + 1];
    struct text schema;       /* its JSON Schema */
    struct fields fs;
    seqshm *s;                /* read-only */
    int subscribers;          /* service thread only */
    struct server *srv;
    /* the follower */
    pthread_t thread;
    bool started;             /* service thread only: thread to be joined */
    atomic_bool stop;
    /* guarded by lock: the ring of the newest versions, entry seq at
     * ring[seq % RING]; head is the next seq; a client at seq < head -
     * RING has lost what lay between */
    pthread_mutex_t lock;
    struct msg ring[RING];
    uint64_t head;
    uint64_t coalesced;       /* versions skipped by --max-rate or lost by
                                 the follower itself */
};

struct sub {
    uint32_t id;
    struct channel *ch;
    uint64_t next; /* the next seq to send */
    uint64_t lost; /* versions this client missed (too slow) */
};

struct queued {
    struct queued *next;
    size_t len;
    unsigned char data[]; /* LWS_PRE bytes, then the text */
};

struct client {
    struct client *next;
    struct lws *wsi;
    struct server *srv;
    struct sub *subs;
    size_t nsubs, capsubs, turn;
    struct queued *q, *q_tail; /* text messages to send, in order */
    size_t nqueued;
    struct text rx;            /* a text message arriving in fragments */
    bool closing;
    unsigned char *frame;      /* LWS_PRE + a message data frame */
    size_t frame_cap;
};

struct server {
    struct lws_context *ctx;
    const char *const *patterns; /* segment name patterns; none: all */
    int npatterns;
    double max_rate;             /* versions a second per channel; 0: all */
    struct channel **ch;
    size_t nch;
    uint32_t next_id;
    struct client *clients;
    lws_sorted_usec_list_t scan_timer;
    uint64_t session;            /* realtime ns at start: the sessionId */
    atomic_bool woken;           /* the service thread is woken already:
                                    a follower need not wake it again */
    bool said_full;
};

/* channels.c */
void channels_scan(struct server *srv);  /* new and gone segments */
void channels_free(struct server *srv);  /* at exit */
struct channel *channel_by_id(struct server *srv, uint32_t id);
/* A client subscribed (first: the follower starts) or left (last: it
 * is asked to stop). */
int channel_hold(struct channel *ch);
void channel_release(struct channel *ch);

/* clients.c */
void client_open(struct client *c, struct lws *wsi, struct server *srv);
void client_close(struct client *c);
void client_receive(struct client *c, const void *in, size_t len, bool text,
                    bool first, bool final);
int client_writable(struct client *c); /* -1: close it */
/* To every client: channels advertised, or taken away. */
void clients_advertise(struct server *srv, struct channel *const *ch,
                       size_t n);
void clients_unadvertise(struct server *srv, const struct channel *ch);

/* the page, made by make from page.html */
extern const char serve_page[];
extern const size_t serve_page_len;

#endif
