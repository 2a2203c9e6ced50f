/* tool.h - what the seqshm tool's command files share (seqshm.c). */
#ifndef SEQSHM_TOOL_H
#define SEQSHM_TOOL_H

#include "seqshm.h"

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

/* AUTO: by field when the segment has a schema, else HEX */
enum fmt { HEX, RAW, U8, I32, U64, F32, F64, FIELDS, AUTO };

extern volatile sig_atomic_t stop_requested; /* set by SIGINT and SIGTERM */
void catch_stop_signals(void);
/* "seqshm: CMD NAME: <status> (SEQSHM_X)" on stderr; returns 1 */
int fail(const char *cmd, const char *name, int st);
const char *bare(const char *name); /* without a leading '/' */
bool parse_format(const char *s, enum fmt *f);
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

/* fields.c: payloads shown by the segment's schema */
struct fields {
    seqshm_field *f;
    size_t n; /* 0: no schema */
};
int fields_load(struct fields *fs, const char *schema);
void fields_free(struct fields *fs);
/* name=value for each field, sep between them */
void fields_print(const struct fields *fs, const unsigned char *p,
                  const char *sep);
void fields_json(const struct fields *fs, const unsigned char *p);
void fields_table(const struct fields *fs);      /* info */
void fields_table_json(const struct fields *fs); /* info --json */
/* --format for this segment: AUTO resolved; false (said why) if FIELDS is
 * asked of a segment without a schema */
bool format_for(const char *cmd, const char *name, enum fmt *f,
                const struct fields *fs);

/* follow.c */
int cmd_tail(const char *name, enum fmt f, long count, bool json);
int cmd_record(const char *name, const char *file, long count);
int cmd_replay(const char *file, const char *name, double speed);

#endif
