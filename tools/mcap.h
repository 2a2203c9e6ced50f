/* mcap.h - MCAP files (https://mcap.dev/spec, major version 0): what
 * `seqshm record --mcap` writes (mcap_write.c) and `seqshm replay` reads
 * (mcap_read.c). The tool's commands for them are in mcap_cmd.c.
 *
 * A file as written here:
 *   magic, Header ("seqshm" library, no profile)
 *   for each segment: Schema (jsonschema: its JSON Schema) and Channel
 *     (topic = the segment's name, json messages; metadata seqshm.schema,
 *     seqshm.slots, seqshm.type_tag: what replay needs to make it again)
 *   Chunks of Message records (sequence = the low 32 bits of the version,
 *     log time = publish time = when the version was read, CLOCK_REALTIME),
 *     each followed by a Message Index per channel in it; "zstd" compressed
 *     when asked and built with libzstd, else uncompressed; each chunk
 *     carries the CRC32 of its records
 *   Metadata "seqshm" (versions recorded and lost per topic)
 *   Data End (CRC32 of everything before it)
 *   summary: Schemas, Channels, Statistics, Metadata Index, Chunk Indexes,
 *     a Summary Offset per group, Footer (CRC32 of the summary), magic. */
#ifndef SEQSHM_MCAP_H
#define SEQSHM_MCAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define MCAP_MAGIC "\x89MCAP0\r\n"

enum mcap_op {
    MCAP_HEADER = 0x01, MCAP_FOOTER = 0x02, MCAP_SCHEMA = 0x03,
    MCAP_CHANNEL = 0x04, MCAP_MESSAGE = 0x05, MCAP_CHUNK = 0x06,
    MCAP_MESSAGE_INDEX = 0x07, MCAP_CHUNK_INDEX = 0x08,
    MCAP_STATISTICS = 0x0B, MCAP_METADATA = 0x0C, MCAP_METADATA_INDEX = 0x0D,
    MCAP_SUMMARY_OFFSET = 0x0E, MCAP_DATA_END = 0x0F
};

/* A growing byte buffer; failed once memory ran out. */
struct bytes {
    unsigned char *p;
    size_t len, cap;
    bool failed;
};
void bytes_put(struct bytes *b, const void *p, size_t n);
void bytes_u8(struct bytes *b, uint8_t v);
void bytes_u16(struct bytes *b, uint16_t v);
void bytes_u32(struct bytes *b, uint32_t v);
void bytes_u64(struct bytes *b, uint64_t v);
void bytes_str(struct bytes *b, const char *s); /* uint32 length, bytes */
void bytes_free(struct bytes *b);

/* CRC-32 (IEEE 802.3, as zlib): crc32_add(0, p, n) is the CRC of p; pass
 * the last result to continue it over more bytes. */
uint32_t crc32_add(uint32_t crc, const void *p, size_t n);

/* zstd_lib.c (with libzstd) or zstd_none.c: false where it cannot. */
extern const bool zstd_built;
bool zstd_pack(const unsigned char *in, size_t n, struct bytes *out);
bool zstd_unpack(const unsigned char *in, size_t n, unsigned char *out,
                 size_t out_len);

/* ------------------------------------------------------------- writing */
struct mcap_writer;
/* Creates path; NULL (errno set) if it cannot. */
struct mcap_writer *mcap_create(const char *path, bool zstd);
/* A segment's channel (and its schema), in the data section; returns its
 * id (1, 2, ...), 0 on error. meta: n key/value pairs. */
uint16_t mcap_channel(struct mcap_writer *w, const char *topic,
                      const char *json_schema, const char *const *meta,
                      size_t n);
/* One message (into the open chunk, written when full). */
bool mcap_message(struct mcap_writer *w, uint16_t channel, uint64_t version,
                  uint64_t time_ns, const void *data, size_t len);
/* A Metadata record (n key/value pairs), indexed in the summary. */
bool mcap_metadata(struct mcap_writer *w, const char *name,
                   const char *const *meta, size_t n);
/* Writes the last chunk, the summary and the footer, and closes; false if
 * anything failed to be written (the file is then not whole). */
bool mcap_finish(struct mcap_writer *w);

/* ------------------------------------------------------------- reading */
struct mcap_channel_info {
    uint16_t id;
    char *topic;
    char *schema;   /* seqshm.schema from its metadata, or NULL */
    unsigned slots; /* seqshm.slots, or 0 */
    uint64_t type_tag;
};
struct mcap_reader;
/* Opens path; NULL with why set if it is not an MCAP file. */
struct mcap_reader *mcap_open(const char *path, const char **why);
/* The next message, in file order: 1, 0 at the end of the data, -1 on a
 * damaged file (why set). *channel is valid until mcap_close; *data until
 * the next call. */
int mcap_next(struct mcap_reader *r, const struct mcap_channel_info **channel,
              uint64_t *time_ns, uint32_t *sequence, const unsigned char **data,
              size_t *len, const char **why);
void mcap_close(struct mcap_reader *r);
/* true if the file begins with MCAP's magic */
bool mcap_is(const char *path);

#endif
