#!/bin/sh
# Runs the sharded sweep, waits for every index to complete, then merges the shard stores.
# Usage: deploy/kubernetes/run.sh [TIMEOUT]   (TIMEOUT for kubectl wait, default 24h)
set -eu
here=$(dirname "$0")
timeout=${1:-24h}
kubectl apply -f "$here/sweep-job.yaml"
kubectl wait --for=condition=complete job/gs-sweep --timeout="$timeout"
kubectl delete job gs-sweep-merge --ignore-not-found
kubectl apply -f "$here/merge-job.yaml"
kubectl wait --for=condition=complete job/gs-sweep-merge --timeout=1h
kubectl logs job/gs-sweep-merge
