#!/bin/sh
# Makes an OCI bundle in DIR from Debian's busybox-static: DIR/rootfs (busybox and a link per applet)
# and DIR/config.json from `jctr-runc spec` (runc's defaults) with no terminal, hostname "jctr", and
# process.args = sh -c COMMAND (default: sh).
#   usage: scripts/busybox-bundle.sh DIR [COMMAND]
set -eu
if [ $# -lt 1 ]; then
    echo "usage: $0 DIR [COMMAND]" >&2
    exit 2
fi
here=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
dir=$1
busybox=${BUSYBOX:-/bin/busybox}
mkdir -p "$dir/rootfs"
cd "$dir/rootfs"
mkdir -p bin dev proc sys tmp etc root run mnt
chmod 1777 tmp
cp "$busybox" bin/busybox
for applet in $(bin/busybox --list); do
    [ "$applet" = busybox ] || ln -sf busybox "bin/$applet"
done
ln -sfn bin sbin
ln -sfn . usr
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' > etc/passwd
printf 'root:x:0:\nnogroup:x:65534:\n' > etc/group
cd ..
rm -f config.json
"$here/bin/jctr-runc" spec --bundle .
if [ $# -ge 2 ]; then
    # JSON-escape the command (backslashes, then quotes), then escape that for sed's replacement text.
    json=$(printf '%s' "$2" | sed -e 's/\\/\\\\/g' -e 's/"/\\"/g')
    cmd=$(printf '%s' "$json" | sed -e 's/[\\&|]/\\&/g')
    sed -i -e "s|^\t\t\t\"sh\"\$|\t\t\t\"sh\",\n\t\t\t\"-c\",\n\t\t\t\"$cmd\"|" config.json
fi
sed -i -e 's/"terminal": true/"terminal": false/' -e 's/"hostname": "runc"/"hostname": "jctr"/' config.json
