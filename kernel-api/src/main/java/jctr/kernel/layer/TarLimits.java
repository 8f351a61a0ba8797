package jctr.kernel.layer;

/**
 * Bounds on an untrusted tar archive; exceeding one is a {@link jctr.kernel.ResourceLimitException}.
 *
 * @param maxEntrySize the largest content of one member, in bytes
 * @param maxArchiveSize the most bytes read from the stream in total (headers, content, padding)
 * @param maxEntries the most members (an inode bomb of empty files is cheap to send)
 */
public record TarLimits(long maxEntrySize, long maxArchiveSize, long maxEntries) {

    /** 32 GiB per member, 64 GiB per archive, 4 million members. */
    public static final TarLimits DEFAULTS = new TarLimits(32L << 30, 64L << 30, 4_000_000L);

    public TarLimits {
        if (maxEntrySize < 0 || maxArchiveSize < 0 || maxEntries < 0) {
            throw new IllegalArgumentException("tar limits must not be negative");
        }
    }
}
