/* bridge.h - seqshm-bridge: mirrors seqshm segments between hosts through a
 * NATS JetStream key-value bucket (README, "Beyond one host").
 *
 *   publish.c    follows local segments and puts each new version
 *   subscribe.c  watches keys and mirrors them into local segments
 *   wire.c       the value's encoding
 *   nats.c       connecting (options, reconnects, authentication, TLS)
 *   log.c        timestamped lines on stderr
 *   main.c       arguments, signals, exit codes
 */
#ifndef SEQSHM_BRIDGE_H
#define SEQSHM_BRIDGE_H

#include "seqshm.h"

#include <nats/nats.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Exit codes */
#define EXIT_USAGE 2   /* bad arguments */
#define EXIT_CONNECT 3 /* no server at start, or refused authentication */
#define EXIT_RUNTIME 1 /* anything else that stopped the bridge */

struct bridge_opts {
    const char *server;   /* URL(s), comma-separated */
    const char *bucket;   /* default "seqshm" */
    const char *user, *password, *creds, *tls_ca;
    const char *prefix;   /* subscribe: local name = prefix + key */
    double max_rate;      /* publish: puts per segment per second, 0: all */
    unsigned slots;       /* subscribe: slots of new mirrors, 0: source's */
    unsigned max_slots;   /* subscribe: at most this many slots a mirror */
    uint64_t max_bytes;   /* subscribe: all mirrors' bytes together */
    bool persist;         /* subscribe: keep the mirrors after exit */
    bool core;            /* --core: plain NATS subjects (CORE_PREFIX), no
                             JetStream: nothing kept by the server */
    uint64_t stale_after_ns; /* subscribe: mark a mirror stale after this
                                long without a word from its source */
    uint64_t status_ns;   /* a status line this often (0: never) */
    bool verbose;
    const char **names;   /* segment names (publish) or key patterns */
    int nnames;
};

extern volatile sig_atomic_t bridge_stop; /* SIGINT, SIGTERM */
extern _Atomic unsigned bridge_reconnects; /* bumped by each reconnection
                                              (nats.c) */

/* log.c: one line on stderr: the time (UTC), "seqshm-bridge: ", then the
 * message (no newline needed). */
void bridge_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A publisher's word that it follows its segment, once every ALIVE_NS on
 * the core subject ALIVE_PREFIX.BUCKET.KEY (no payload, not stored): a
 * subscriber that hears neither it nor a value for --stale-after seconds
 * marks the mirror stale (subscribe.c). */
#define ALIVE_PREFIX "seqshm-alive"
#define ALIVE_NS 1000000000u

/* --core: each value is a plain NATS message on CORE_PREFIX.BUCKET.KEY
 * (the bucket is only a namespace then). The server keeps nothing: a
 * subscriber gets the values published while it listens. So a late
 * subscriber is not left without a value, the publisher sends its latest
 * value again once every ALIVE_NS; that repeat is
 * also its heartbeat (no ALIVE_PREFIX word in this mode), and a subscriber
 * takes a repeat of the version it has as "heard", not as a new value. */
#define CORE_PREFIX "seqshm-core"

/* wire.c: a value is a fixed header, the schema text, then the payload.
 * All integers little-endian:
 *   0  magic "SQB1"        4 bytes
 *   4  header bytes (56)   u32
 *   8  version             u64   the source segment's version
 *   16 publish time        u64   CLOCK_REALTIME ns when the bridge read it
 *   24 epoch               u64   the publishing bridge's start (realtime ns):
 *                                versions are ordered within one epoch
 *   32 type tag            u64
 *   40 payload bytes       u32
 *   44 schema bytes        u32   then that many bytes of schema text
 *   48 slots               u32   the source's slot count
 *   52 reserved            u32   (0)
 * so the header is 56 bytes; then schema, then payload. */
#define WIRE_HEADER 56u
struct wire {
    uint64_t version, time_ns, epoch, type_tag;
    uint32_t size, slots;
    char schema[SEQSHM_SCHEMA_MAX + 1];
    const unsigned char *payload; /* into the decoded buffer */
};
/* Encodes into buf (capacity cap); returns the length, 0 if it does not fit. */
size_t wire_encode(unsigned char *buf, size_t cap, const struct wire *w,
                   const void *payload);
/* Decodes; false (with a reason) if buf is not a whole, sane value. */
bool wire_decode(const unsigned char *buf, size_t len, struct wire *w,
                 const char **why);

/* nats.c: connects, or says why on stderr (then *nc is NULL) */
natsStatus bridge_connect(const struct bridge_opts *o, natsConnection **nc,
                          jsCtx **js);
/* The server URLs without user and password (for messages). */
void bridge_redact(char *out, size_t cap, const char *urls);
/* The bucket, created when `create` and absent. */
natsStatus bridge_bucket(jsCtx *js, const char *bucket, bool create,
                         kvStore **kv);
/* Why the bucket cannot be had, in an operator's words (buf may be used). */
const char *bucket_why(natsStatus s, char *buf, size_t cap);
/* A key is the segment's name without its leading '/'; false (with a
 * reason) when NATS cannot take it as a key. */
bool key_ok(const char *key, const char **why);
uint64_t realtime_ns(void);
uint64_t monotonic_ns(void);
void sleep_ns(uint64_t ns);

/* publish.c, subscribe.c: run until stopped; return an exit code */
int bridge_publish(const struct bridge_opts *o);
int bridge_subscribe(const struct bridge_opts *o);

#endif
