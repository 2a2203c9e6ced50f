#!/bin/sh
# The static library makes global the API (every function seqshm.h
# declares) and nothing else, and a program may use any other name for its
# own: a program that defines every name the library's files use inside
# (now_ns, claim_wait, header_check, ...) and the names the library once
# exported links against it and runs.
#   tests/checks/check-archive.sh [ARCHIVE [NM [CC [LIBS]]]]
set -eu
lib=${1:-build/rel/libseqshm.a}
nm=${2:-nm}
cc=${3:-${CC:-cc}}
libs=${4:--lpthread -lrt}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
grep -o 'SEQSHM_API [^;(]*(' include/seqshm.h | grep -o 'seqshm_[a-z_]*(' |
    tr -d '(' | sort >"$out/api"
"$nm" -g --defined-only "$lib" | awk 'NF == 3 { print $3 }' | sort >"$out/global"
failed=0
if ! cmp -s "$out/global" "$out/api"; then
    echo "FAIL: $lib makes global more or less than the API (< global, > API):" >&2
    diff "$out/global" "$out/api" | head -8 >&2 || true
    failed=1
fi
# the names of the library's own functions (every global of its objects,
# where they are beside the archive), and those it exported before its
# objects were linked into one
former="backoff claim_recover claim_repair claim_wait claim_try deadline_left
fence_heavy fence_register handle_fields header_check header_fill header_layout
header_max_total header_plan header_schema header_slots header_valid ident_make
name_canonical name_valid nap_until_publish now_ns open_again options_valid
owner_alive owner_self_slow robust_init robust_lock robust_unlock schema_parse
seg_create seg_open sole_forget sole_give_back sole_holds sole_take wake_arm
wake_sleep wake_waiters writer_gone"
own=$(find "$(dirname "$lib")" -name '*.o' ! -name 'seqshm-all.o' -exec "$nm" -g --defined-only {} + 2>/dev/null |
      awk 'NF == 3 { print $3 }' | grep -v '^seqshm_' || true)
names=$(printf '%s\n' $former $own | sort -u)
{
    echo "#include <seqshm.h>"
    echo '#include <stdio.h>'
    for n in $names; do echo "int $n(void);"; echo "int $n(void) { return 7; }"; done
    echo 'int main(void) {'
    echo '    seqshm *s = NULL;'
    echo '    int rc = seqshm_open(&s, "/seqshm-no-such-segment-check-archive", 64, 0);'
    echo '    int own = 0;'
    for n in $names; do echo "    own += $n();"; done
    printf '%s\n' '    printf("%s %d\\n", seqshm_strerror(rc), own);'
    echo '    return rc == SEQSHM_ENOENT ? 0 : 1;'
    echo '}'
} >"$out/app.c"
if ! $cc -Iinclude -w "$out/app.c" "$lib" -o "$out/app" $libs 2>"$out/err"; then
    echo "FAIL: a program that defines the library's internal names does not link:" >&2
    grep -m 3 -e 'multiple definition' -e 'undefined' -e 'error' "$out/err" >&2
    exit 1
fi
# linked statically, a program's own definitions hide an archive's members
# instead of clashing with them: then the library would call the program's
# functions of those names, and the program fails here
case $lib in *win*) ;; *) "$out/app" >/dev/null ||
    { echo "FAIL: it links, but the library calls the program's functions of its internal names" >&2; exit 1; } ;; esac
# and a program that defines one of them and pulls the library in for the
# rest (the case a user meets: "multiple definition of now_ns")
printf '#include <seqshm.h>\nlong long now_ns(void);\nlong long now_ns(void) { return 7; }\nint main(void) { seqshm *s; return seqshm_wait(NULL, 0, 0) + seqshm_open(&s, "/x", 8, 0) + (int)now_ns(); }\n' >"$out/one.c"
if ! $cc -Iinclude -w "$out/one.c" "$lib" -o "$out/one" $libs 2>"$out/err"; then
    echo "FAIL: a program that defines now_ns does not link:" >&2
    grep -m 3 -e 'multiple definition' -e 'error' "$out/err" >&2
    exit 1
fi
[ $failed = 0 ] || exit 1
echo "archive: $lib makes only the $(wc -l <"$out/api") API functions global; a program defining $(echo $names | wc -w) internal names links"
