package jctr.kernel.sys;

import java.nio.file.Path;

/** Run by {@link FfmLayerIT} as an unprivileged user: makes a call that needs privilege and prints the error. */
public final class ErrnoProbe {
    private ErrnoProbe() {
    }

    public static void main(String[] args) {
        try {
            Mounts.mount("none", Path.of("/tmp"), "tmpfs", 0, null);
            System.out.println("mount unexpectedly succeeded");
            System.exit(1);
        } catch (SyscallException e) {
            System.out.println(e.call() + " " + e.errnoName() + " " + e.category() + " " + e.getMessage());
        }
    }
}
