#!/usr/bin/env bash
# Fuzzes the frame decoder and the message codec with libFuzzer, under AddressSanitizer.
#
#   Fuzz/run.sh [--seconds N] [--merge] [frame|message ...]
#
#   --seconds N   run each target for N seconds (default 60)
#   --merge       afterwards, add the inputs that found new coverage to Fuzz/corpus/TARGET (minimized)
#
# Builds lpj-fuzz-frame and lpj-fuzz-message with -sanitize=fuzzer,address into .build-fuzz. Seeds: the
# kept corpus (Fuzz/corpus/TARGET), every golden fixture (fixtures/wire; for the message target, the body
# after the 4-octet prefix) and, when present, JSONTestSuite's test_parsing files ($LPJ_JSONTESTSUITE or
# ../shared/jsontestsuite/test_parsing). Limits per input: 10 s, and no single allocation over
# 1 MiB (frame; its decoder's body limit is 64 KiB) or 16 MiB (message). A crash, a hang or an
# allocation over the limit fails the run and leaves the input in .build-fuzz/artifacts/.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=60
merge=0
targets=()
while [ $# -gt 0 ]; do
    case $1 in
        --seconds) seconds=$2; shift 2 ;;
        --merge) merge=1; shift ;;
        frame|message) targets+=("$1"); shift ;;
        -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
        *) echo "Fuzz/run.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
done
[ ${#targets[@]} -gt 0 ] || targets=(frame message)

scratch=.build-fuzz
# gold cannot link libFuzzer with AddressSanitizer here; the toolchain's lld can.
flags=(-c release --scratch-path "$scratch" -Xswiftc -sanitize=fuzzer,address -Xswiftc -DLPJ_FUZZ
       -Xswiftc -Xclang-linker -Xswiftc -fuse-ld=lld)
for target in "${targets[@]}"; do
    swift build "${flags[@]}" --product "lpj-fuzz-$target"
done
bin=$(swift build "${flags[@]}" --show-bin-path)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
artifacts="$scratch/artifacts"
mkdir -p "$artifacts"
suite=${LPJ_JSONTESTSUITE:-../shared/jsontestsuite/test_parsing}

for target in "${targets[@]}"; do
    seeds="$work/$target-seeds"
    found="$work/$target-found"
    mkdir -p "$seeds" "$found" "Fuzz/corpus/$target"
    for file in fixtures/wire/*.bin; do
        name=$(basename "$file" .bin)
        if [ "$target" = frame ]; then
            # The first octet picks the byte order and the read size: whole, and 7-octet pieces.
            { printf '\000'; cat "$file"; } > "$seeds/$name-whole"
            { printf '\025'; cat "$file"; } > "$seeds/$name-pieces"
        else
            tail -c +5 "$file" > "$seeds/$name"
        fi
    done
    extra=()
    if [ "$target" = message ] && [ -d "$suite" ]; then extra+=("$suite"); fi
    case $target in
        frame) limits=(-malloc_limit_mb=1 -max_len=70000) ;;
        message) limits=(-malloc_limit_mb=16 -max_len=65536) ;;
    esac
    echo "== fuzzing $target for $seconds s"
    log="$work/$target.log"
    status=0
    "$bin/lpj-fuzz-$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 "${limits[@]}" \
        -artifact_prefix="$artifacts/$target-" -print_final_stats=1 \
        "$found" "Fuzz/corpus/$target" "$seeds" "${extra[@]}" > "$log" 2>&1 || status=$?
    grep -E "^#[0-9]+ *(INITED|DONE)|stat::(number_of_executed_units|peak_rss_mb)" "$log" || true
    if [ "$status" -ne 0 ]; then
        tail -n 40 "$log" >&2
        echo "Fuzz/run.sh: $target failed (status $status); the input is in $artifacts/" >&2
        exit 1
    fi
    if [ "$merge" = 1 ]; then
        # Only what fuzzing found: the seeds stay where they are (fixtures, and JSONTestSuite is not ours to copy).
        "$bin/lpj-fuzz-$target" -merge=1 "${limits[@]}" "Fuzz/corpus/$target" "$found" 2>&1 | grep -E "MERGE-OUTER: [0-9]+ new files" || true
    fi
done
echo "Fuzz/run.sh: ${targets[*]}: no crash, no hang, no allocation over the limit"
