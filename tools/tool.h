/* tool.h - what the seqshm tool's files share: main.c reads the command
 * line; the commands live in inspect.c, manage.c, follow.c, mcap_cmd.c
 * (mcap.h) and serve/ (serve/serve.h); common.c and fields.c print;
 * host_posix.c and host_win32.c ask the host. */
#ifndef SEQSHM_TOOL_H
#define SEQSHM_TOOL_H

#include "seqshm.h"

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* AUTO: by field when the segment has a schema, else HEX */
enum fmt { HEX, RAW, U8, I32, U64, F32, F64, FIELDS, AUTO };

#define SHM_DIR "/dev/shm"
#define OPEN_TIMEOUT_NS 1000000000LL /* how long a command waits for a read */
/* How the commands that only look open a segment: read-only, and whoever
 * owns it (a look at another user's world-writable segment trusts nothing
 * it shows; seqshm.h, "Names") */
#define LOOK (SEQSHM_RDONLY | SEQSHM_ANY_OWNER)

/* common.c */
extern volatile sig_atomic_t stop_requested; /* set by SIGINT and SIGTERM */
void catch_stop_signals(void);
/* "seqshm: CMD NAME: <status> (SEQSHM_X)" on stderr; returns 1 */
int fail(const char *cmd, const char *name, int st);
const char *bare(const char *name); /* without a leading '/' */
/* "single", "double", "mutex", or "ring" (more than two slots) */
const char *layout_name(unsigned layout, unsigned slots);
bool parse_format(const char *s, enum fmt *f);
/* One element of format f at p. */
void print_element(enum fmt f, const unsigned char *p);
/* The payload as one line: hex pairs, or elements of format f. */
void print_line(enum fmt f, const unsigned char *buf, size_t n);

/* host_posix.c, host_win32.c: what the tool asks of the host beyond the
 * library. host_list: every seqshm segment's name (malloc'ed), or -1 having
 * said why; host_owner: the object's permission bits and owner (false if it
 * is gone); host_pause: returns once SIGINT or SIGTERM came. */
int host_list(char ***names, size_t *count);
/* What the host's segments cannot do, said by the command that would need
 * it; NULL where they can. host_no_names: why a segment has no name that
 * outlives its handles (create --persist, rm); host_no_modes: why it has no
 * permission bits (create --mode, info). host_pid_note: how a pid reads. */
extern const char *const host_no_names;
extern const char *const host_no_modes;
extern const char host_pid_note[];
bool host_owner(const char *name, unsigned *mode, char *user, size_t cap);
void host_pause(void);

/* fields.c: a growing text; failed once memory ran out (then it holds
 * what came before) */
struct text {
    char *p;
    size_t len, cap;
    bool failed;
};
#ifdef __MINGW_PRINTF_FORMAT /* mingw-w64: its C99 printf, not msvcrt's */
#define TEXT_FORMAT __MINGW_PRINTF_FORMAT
#else
#define TEXT_FORMAT printf
#endif
void text_add(struct text *t, const char *fmt, ...)
    __attribute__((format(TEXT_FORMAT, 2, 3)));
void text_raw(struct text *t, const char *s, size_t n); /* n bytes of s */
void text_put(struct text *t, FILE *f); /* writes it, then frees it */
void text_free(struct text *t);
/* The bytes of p up to n or the first NUL as a JSON string. */
void text_quoted(struct text *t, const unsigned char *p, size_t n);

/* fields.c: payloads shown by the segment's schema */
struct fields {
    seqshm_field *f;
    size_t n; /* 0: no schema */
};
int fields_load(struct fields *fs, const char *schema);
/* The bytes of p up to n or the first NUL as a JSON string. */
void print_text(const unsigned char *p, size_t n);
void fields_free(struct fields *fs);
/* name=value for each field, sep between them */
void fields_print(const struct fields *fs, const unsigned char *p,
                  const char *sep);
void fields_json(const struct fields *fs, const unsigned char *p);
void fields_to_json(struct text *t, const struct fields *fs,
                    const unsigned char *p);
/* The payload (size bytes) of a JSON object as fields_to_json writes it:
 * every field once, in any order, each value in its type's range (null
 * for a float is NaN); false with why set otherwise. */
bool fields_from_json(const struct fields *fs, const char *json, size_t len,
                      unsigned char *p, size_t size, const char **why);
/* The JSON Schema (draft 2020-12) of fields_to_json's objects. */
void fields_json_schema(struct text *t, const struct fields *fs,
                        const char *title);
void fields_table(const struct fields *fs);      /* info */
void fields_table_json(const struct fields *fs); /* info --json */
/* --format for this segment: AUTO resolved; false (said why) if FIELDS is
 * asked of a segment without a schema */
bool format_for(const char *cmd, const char *name, enum fmt *f,
                const struct fields *fs);

/* inspect.c */
int cmd_ls(bool json);
int cmd_info(const char *name, bool json);
int cmd_dump(const char *name, enum fmt f, bool json);
int cmd_watch(const char *name, long count, long interval_ms);

/* manage.c */
int cmd_create(const char *name, size_t size, unsigned layout, unsigned slots,
               unsigned mode, bool persist, const char *schema);
int cmd_write(const char *name);
int cmd_rm(const char *name, bool force);

/* follow.c */
int cmd_tail(const char *name, enum fmt f, long count, bool json);
int cmd_record(const char *name, const char *file, long count);
int cmd_replay(const char *file, const char *name, double speed);

/* mcap_cmd.c: record --mcap and replay of an MCAP file, from the command
 * line's arguments */
int cmd_mcap(const char *cmd, int argc, char **argv);

/* serve/server.c (serve_none.c where libwebsockets is missing) */
int cmd_serve(const char *const *patterns, int npatterns, int port,
              const char *bind, double max_rate);

#endif
