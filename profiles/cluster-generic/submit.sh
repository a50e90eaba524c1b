#!/usr/bin/env bash
# Stand-in for sbatch: submit.sh RULE MEM_MB RUNTIME_MIN THREADS JOBSCRIPT
# Records the request in logs/cluster/submitted.tsv, starts the job script as its own background process (its
# own session, like a job on a node) and prints that process id as the job id, as a scheduler prints its job id.
set -euo pipefail
rule="$1" mem_mb="$2" runtime="$3" threads="$4" jobscript="${!#}"
mkdir -p logs/cluster
printf '%s\t%s\t%s\t%s\n' "$rule" "$mem_mb" "$runtime" "$threads" >> logs/cluster/submitted.tsv
setsid bash "$jobscript" > "logs/cluster/$(basename "$jobscript").log" 2>&1 < /dev/null &
echo "$!"
