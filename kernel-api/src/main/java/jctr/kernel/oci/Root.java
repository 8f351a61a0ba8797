package jctr.kernel.oci;

/**
 * The container's root file system.
 *
 * @param path absolute, or relative to the bundle directory
 * @param readonly remount the root read-only after mounts (null = false)
 */
public record Root(String path, Boolean readonly) {

    public boolean readOnly() {
        return Boolean.TRUE.equals(readonly);
    }
}
