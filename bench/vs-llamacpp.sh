#!/usr/bin/env bash
# The CPU engine against llama.cpp on the same GGUF, same threads, alternating runs in the same minutes:
#   bench/vs-llamacpp.sh GGUF LLAMACPP_BUILD_DIR [ROUNDS (default 5)]
# Each round runs llama.cpp's llama-bench (prefill of 128 tokens, 32 decode steps, one repetition) and then
# `bin/engine bench` (the same prompt length and decode steps); prints each round, then medians and the ratios
# engine / llama.cpp for prefill and decode tokens per second, the median of each round's own ratio, and the median
# share of the machine's read bandwidth (measured by each engine run) that the engine's decode reads weights at.
# THREADS (default 2) sets the threads of both; PROMPT and DECODE (default 128 and 32) the prompt length and decode
# steps; KERNELS (default auto) the engine's --kernels (java, native or auto); LLAMACPP_VERSION names the llama.cpp
# build when it cannot say it.
# STREAMS=1,4,16 compares continuous batching instead: each round runs llama-batched-bench (-npl STREAMS) and then
# `bin/engine bench --engine --streams` (one run), both with PROMPT-token prompts and DECODE generated tokens per
# stream, and prints generated tokens per second over the whole run (llama.cpp's: streams x DECODE / its total time)
# and their medians and ratios per stream count. The engine needs a GGUF with a vocabulary for this (synth --vocab).
# Any GGUF works; `bin/engine synth --shape llama3-1b --type Q4_K_M OUT.gguf` writes one with random weights.
# llama.cpp is built outside this repository (cmake, target llama-bench); only its binaries are used.
# On a shared machine the absolute figures are noisy; the ratios of alternating runs are the result. Where a VM serves
# memory-mapped files from its disk's page cache slowly (both programs map the file), copy the GGUF to /dev/shm first.
set -euo pipefail
if [ $# -lt 2 ]; then
  echo "usage: $0 GGUF LLAMACPP_BUILD_DIR [ROUNDS]" >&2
  exit 2
fi
gguf=$1 build=$2 rounds=${3:-5} threads=${THREADS:-2} prompt=${PROMPT:-128} decode=${DECODE:-32}
kernels=${KERNELS:-auto}
cd "$(dirname "${BASH_SOURCE[0]}")/.."
[ -f "$gguf" ] || { echo "no GGUF file at $gguf" >&2; exit 2; }
tool=llama-bench
[ -z "${STREAMS:-}" ] || tool=llama-batched-bench
llama_bench=$(find "$build" -type f -name "$tool" -perm -u+x | head -1)
[ -n "$llama_bench" ] || { echo "no $tool binary under $build (cmake --build ... --target $tool)" >&2; exit 2; }
[ -f target/classes/dev/switchboard/inference/cli/Main.class ] || ./mvnw -B -q -o compile

median() { sort -g | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a/b}'; }

out=$(mktemp -d /tmp/vs-llamacpp.XXXXXX)
trap 'rm -rf "$out"' EXIT
# Newer llama.cpp builds say their version; a build from a source archive (no git) cannot: LLAMACPP_VERSION names it.
version=${LLAMACPP_VERSION:-$("$llama_bench" --version 2>&1 | grep -m1 '^version' || echo 'unknown (set LLAMACPP_VERSION)')}
echo "model $gguf, $threads threads, $rounds rounds, engine kernels $kernels; llama.cpp: $version"
echo "CPU: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), $(nproc) processors"

if [ -n "${STREAMS:-}" ]; then
  # The same work on both sides: the engine bench's own default for --engine is 128 generated tokens, not DECODE.
  max=$(tr ',' '\n' <<<"$STREAMS" | sort -g | tail -1)
  echo "streams $STREAMS, $prompt-token prompts, $decode generated tokens each; generated tok/s over the whole run"
  printf '%-6s %-6s %8s %12s %8s\n' round engine streams 'tok/s' load
  for r in $(seq 1 "$rounds"); do
    "$llama_bench" -m "$gguf" -t "$threads" -npp "$prompt" -ntg "$decode" -npl "$STREAMS" \
        -c $((max * (prompt + decode))) >"$out/llama.txt" 2>&1 || { cat "$out/llama.txt" >&2; exit 1; }
    # table rows: | PP | TG | B | N_KV | T_PP s | S_PP t/s | T_TG s | S_TG t/s | T s | S t/s |
    awk -F'|' -v r="$r" '$2 ~ /^ *[0-9]+ *$/ {printf "%s llama %d %.2f\n", r, $4, $4 * $3 / $10}' "$out/llama.txt" \
        | tee -a "$out/streams" | while read -r _ _ n v; do
          printf '%-6s %-6s %8s %12.1f %8s\n' "$r" llama "$n" "$v" "$(cut -d' ' -f1 /proc/loadavg)"; done
    bin/engine bench --model "$gguf" --threads "$threads" --kernels "$kernels" --engine --streams "$STREAMS" --runs 1 \
        --prompt "$prompt" --decode "$decode" >"$out/engine.txt" 2>&1 || { cat "$out/engine.txt" >&2; exit 1; }
    # "streams 4: 58.7 tok/s summed (14.7 per stream), ..."
    sed -n 's/^streams \([0-9]*\): \([0-9.]*\) tok\/s summed.*/\1 \2/p' "$out/engine.txt" | while read -r n v; do
      echo "$r engine $n $v" >>"$out/streams"
      printf '%-6s %-6s %8s %12.1f %8s\n' "$r" engine "$n" "$v" "$(cut -d' ' -f1 /proc/loadavg)"; done
  done
  for n in $(tr ',' ' ' <<<"$STREAMS"); do
    e=$(awk -v n="$n" '$2 == "engine" && $3 == n {print $4}' "$out/streams" | median)
    l=$(awk -v n="$n" '$2 == "llama" && $3 == n {print $4}' "$out/streams" | median)
    echo "medians, $n streams: engine $e / llama.cpp $l tok/s = $(ratio "$e" "$l")x"
  done
  exit 0
fi
printf '%-6s %-6s %12s %12s %8s %10s\n' round engine 'prefill t/s' 'decode t/s' load 'decode bw'
for r in $(seq 1 "$rounds"); do
  "$llama_bench" -m "$gguf" -t "$threads" -p "$prompt" -n "$decode" -r 1 -o csv >"$out/llama.csv" 2>"$out/llama.err" \
    || { cat "$out/llama.err" >&2; exit 1; }
  # csv columns by header name: n_prompt, n_gen, avg_ts
  read -r lp ld < <(awk -F, 'NR==1 {for (i=1;i<=NF;i++) {gsub(/"/,"",$i); c[$i]=i}; next}
      {gsub(/"/,""); if ($c["n_prompt"]>0) p=$c["avg_ts"]; else d=$c["avg_ts"]} END {print p, d}' "$out/llama.csv")
  printf '%-6s %-6s %12.1f %12.2f %8s\n' "$r" llama "$lp" "$ld" "$(cut -d' ' -f1 /proc/loadavg)"
  bin/engine bench --model "$gguf" --threads "$threads" --prompt "$prompt" --decode "$decode" \
      --kernels "$kernels" >"$out/engine.txt" 2>&1 \
    || { cat "$out/engine.txt" >&2; exit 1; }
  ep=$(sed -n 's/^prefill: .* = \([0-9.]*\) tok\/s.*/\1/p' "$out/engine.txt")
  ed=$(sed -n 's/^decode: .* = \([0-9.]*\) tok\/s.*/\1/p' "$out/engine.txt")
  # "decode implies 48.7 GB/s of weight reads = 73% of measured read bandwidth"
  eb=$(sed -n 's/^decode implies .* = \([0-9]*\)% of measured read bandwidth.*/\1/p' "$out/engine.txt")
  printf '%-6s %-6s %12.1f %12.2f %8s %9s%%\n' "$r" engine "$ep" "$ed" "$(cut -d' ' -f1 /proc/loadavg)" "$eb"
  echo "$lp $ld $ep $ed $eb" >>"$out/rounds"
done
mlp=$(awk '{print $1}' "$out/rounds" | median) mld=$(awk '{print $2}' "$out/rounds" | median)
mep=$(awk '{print $3}' "$out/rounds" | median) med=$(awk '{print $4}' "$out/rounds" | median)
echo "medians: prefill $prompt tokens engine $mep / llama.cpp $mlp tok/s = $(ratio "$mep" "$mlp")x;" \
  "decode engine $med / llama.cpp $mld tok/s = $(ratio "$med" "$mld")x"
# Each round's engine run follows its llama.cpp run by seconds: on a machine whose speed drifts during the run, the
# median of the rounds' own ratios is the steadier figure.
rp=$(awk '{print $3 / $1}' "$out/rounds" | median) rd=$(awk '{print $4 / $2}' "$out/rounds" | median)
echo "median of the rounds' ratios: prefill $(printf '%.2f' "$rp")x; decode $(printf '%.2f' "$rd")x"
echo "engine decode reads weights at a median $(awk '{print $5}' "$out/rounds" | median)% of the read bandwidth each engine run measured"
