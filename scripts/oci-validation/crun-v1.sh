#!/bin/sh
# crun 1.8.1 refuses this host's hybrid layout (the cgroup2 mount has hugetlb
# enabled). Run it in a private mount namespace (slave propagation: nothing
# flows back to the host) where the cgroup2 mount is hidden, so crun sees a
# plain cgroup v1 layout. The host's mounts are untouched.
exec unshare --mount --propagation slave sh -c 'umount -l /sys/fs/cgroup/unified 2>/dev/null; exec crun "$@"' crun "$@"
