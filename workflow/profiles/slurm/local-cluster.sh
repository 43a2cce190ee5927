#!/usr/bin/env bash
# A real single-node SLURM on localhost, for testing the slurm profile (Debian's slurm-wlm and munge).
#   local-cluster.sh install   apt-get the packages (root)
#   local-cluster.sh start DIR start munged, slurmctld and slurmd with state in DIR; prints the conf path
#   local-cluster.sh stop DIR  stop them by the PIDs recorded in DIR
# Runs as root without systemd. Without accounting, `sacct` does not work: run snakemake with
# --slurm-status-command squeue (see workflow/profiles/slurm/config.yaml).
set -euo pipefail

cmd=${1:-}
dir=${2:-/tmp/peql-slurm}

case "$cmd" in
install)
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurm-wlm munge >/dev/null
    ;;
start)
    mkdir -p "$dir"/{state,spool,log}
    mkdir -p /run/munge /var/log/munge /var/lib/munge /etc/munge
    chown munge:munge /run/munge /var/log/munge /var/lib/munge /etc/munge
    [ -s /etc/munge/munge.key ] || { mungekey --create >/dev/null 2>&1 || dd if=/dev/urandom bs=1 count=1024 of=/etc/munge/munge.key 2>/dev/null; }
    chown munge:munge /etc/munge/munge.key && chmod 400 /etc/munge/munge.key
    if ! pgrep -x munged >/dev/null; then
        runuser -u munge -- munged --force
    fi
    node=$(slurmd -C | head -n1)
    host=$(hostname -s)
    mem=$(awk '/MemTotal/ {print int($2 / 1024 * 0.9)}' /proc/meminfo)
    node=$(echo "$node" | sed -E "s/NodeName=[^ ]+/NodeName=$host/; s/RealMemory=[0-9]+/RealMemory=$mem/")
    cat >"$dir/slurm.conf" <<CONF
# peql-local: written by workflow/profiles/slurm/local-cluster.sh
ClusterName=peql-local
SlurmctldHost=localhost
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MinJobAge=300
ReturnToService=2
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
$node NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
    # Job steps (srun inside a job) read the default path; do not clobber a real cluster's file.
    mkdir -p /etc/slurm
    if [ ! -e /etc/slurm/slurm.conf ] || grep -q "^# peql-local" /etc/slurm/slurm.conf; then
        cp "$dir/slurm.conf" /etc/slurm/slurm.conf
    fi
    slurmctld -f "$dir/slurm.conf"
    slurmd -f "$dir/slurm.conf" -N "$host"
    for _ in $(seq 1 30); do
        if SLURM_CONF="$dir/slurm.conf" sinfo -h -o %T 2>/dev/null | grep -qE "idle|mix|alloc"; then
            echo "$dir/slurm.conf"
            exit 0
        fi
        sleep 1
    done
    echo "SLURM did not come up; see $dir/log" >&2
    exit 1
    ;;
stop)
    for pidfile in "$dir/slurmd.pid" "$dir/slurmctld.pid"; do
        [ -f "$pidfile" ] && kill "$(cat "$pidfile")" 2>/dev/null || true
    done
    ;;
*)
    echo "usage: $0 install | start [DIR] | stop [DIR]" >&2
    exit 2
    ;;
esac
