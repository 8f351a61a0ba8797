#!/bin/bash
# PID 1 of the cgroup v2 test guest started by run-in-guest.sh: it runs on the guest kernel with the
# host's / as a read-only root, sets up a pure cgroup v2 system, runs the command, stores its exit code
# in the work directory and powers the guest off.
set -u
work=${jctr_guest_work:-}
die() {
    echo "guest-init: $*" >&2
    /bin/busybox poweroff -f
    sleep 60
}
[ -n "$work" ] || die "no jctr_guest_work= on the kernel command line"
mount -t proc proc /proc || die "cannot mount /proc"
mount -t sysfs sysfs /sys || die "cannot mount /sys"
mount -t cgroup2 -o nsdelegate cgroup2 /sys/fs/cgroup || die "cannot mount cgroup2"
controllers=$(cat /sys/fs/cgroup/cgroup.controllers)
echo "$controllers" | sed -E 's/(^| )([a-z_]+)/\1+\2/g' > /sys/fs/cgroup/cgroup.subtree_control \
    || die "cannot enable the controllers $controllers"
# The work directory and the project may lie under /tmp or /run, which become guest tmpfs below: reach
# the work directory through its own hostfs mount first, and re-create the project's mount point after.
mkdir -p /run && mount -t tmpfs -o mode=755 tmpfs /run || die "cannot mount tmpfs on /run"
ctl=/run/jctr-guest-ctl
mkdir -p "$ctl" && mount -t hostfs -o "$work" hostfs "$ctl" || die "cannot mount the work directory $work"
# shellcheck disable=SC1091
. "$ctl/env" || die "cannot read $work/env"
for d in /tmp /var/tmp /dev/shm; do
    mkdir -p "$d" && mount -t tmpfs -o mode=1777 tmpfs "$d" || die "cannot mount tmpfs on $d"
done
mkdir -p /dev/pts && mount -t devpts -o ptmxmode=666 devpts /dev/pts
mkdir -p "$PROJECT_DIR" 2>/dev/null # succeeds only where a guest tmpfs now covers the path
mount -t hostfs -o "$PROJECT_DIR" hostfs "$PROJECT_DIR" || die "cannot mount $PROJECT_DIR read-write"
mkdir -p /tmp/home
export HOME=/tmp/home TMPDIR=/tmp
stty -F /dev/console -onlcr 2>/dev/null
echo "guest: kernel $(uname -r), cgroup2 controllers: $(cat /sys/fs/cgroup/cgroup.subtree_control)," \
    "up $(cut -d' ' -f1 /proc/uptime)s"
( cd "$PROJECT_DIR" && exec "${GUEST_CMD[@]}" ) </dev/null 2>&1
echo $? > "$ctl/rc.tmp" && mv "$ctl/rc.tmp" "$ctl/rc"
sync
/bin/busybox poweroff -f
sleep 60
