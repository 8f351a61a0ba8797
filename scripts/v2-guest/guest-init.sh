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
for d in /tmp /var/tmp /dev/shm /run; do
    mkdir -p "$d" && mount -t tmpfs -o mode=1777 tmpfs "$d" || die "cannot mount tmpfs on $d"
done
mkdir -p /dev/pts && mount -t devpts -o ptmxmode=666 devpts /dev/pts
# shellcheck disable=SC1091
. "$work/env" || die "cannot read $work/env"
mount -t hostfs -o "$PROJECT_DIR" hostfs "$PROJECT_DIR" || die "cannot mount $PROJECT_DIR read-write"
mkdir -p /tmp/home
export HOME=/tmp/home TMPDIR=/tmp
stty -F /dev/console -onlcr 2>/dev/null
echo "guest: kernel $(uname -r), cgroup2 controllers: $(cat /sys/fs/cgroup/cgroup.subtree_control)," \
    "up $(cut -d' ' -f1 /proc/uptime)s"
( cd "$PROJECT_DIR" && exec "${GUEST_CMD[@]}" ) </dev/null 2>&1
echo $? > "$work/rc.tmp" && mv "$work/rc.tmp" "$work/rc"
sync
/bin/busybox poweroff -f
sleep 60
