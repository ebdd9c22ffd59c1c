#!/bin/bash
# Submits the sweep as a job array of N tasks and the merge to run after all of them succeed.
# Usage: deploy/slurm/submit.sh N [extra sbatch flags...]
#   GS_SWEEP_ARGS='--data /scratch/sdd.txt --preset group' GS_RESULTS=$HOME/sweeps/sdd deploy/slurm/submit.sh 8
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
n=${1:?usage: submit.sh N [sbatch flags...]}
shift
export GS_SWEEP_ARGS=${GS_SWEEP_ARGS:---data sdd --preset group}
export GS_RESULTS=${GS_RESULTS:-$PWD/sweeps/gs}
mkdir -p "$GS_RESULTS"
array=$(sbatch --parsable --export=ALL --array="1-$n" "$@" "$here/sweep-array.sbatch")
array=${array%%;*}
merge=$(sbatch --parsable --export=ALL --dependency="afterok:$array" "$here/merge.sbatch")
echo "sweep array $array ($n tasks), merge $merge; results in $GS_RESULTS/merged"
