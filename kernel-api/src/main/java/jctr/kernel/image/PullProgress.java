package jctr.kernel.image;

/**
 * Listens to a pull (or an unpack): overall messages and per-layer progress, in Docker's vocabulary so
 * that the CLI can draw a progress bar per layer and the engine API can stream Docker's JSON
 * ({@code {"status":"Downloading","progressDetail":{"current":N,"total":M},"id":"<12 hex>"}}).
 * Called from several download threads at once: implementations must be thread-safe.
 */
public interface PullProgress {

    /** A listener that ignores everything. */
    PullProgress NONE = new PullProgress() {
        @Override
        public void layer(String id, Status status, long current, long total) {
        }

        @Override
        public void message(String id, String text) {
        }
    };

    /** The states of one layer, with the text Docker shows for each. */
    enum Status {
        PULLING_FS_LAYER("Pulling fs layer"),
        WAITING("Waiting"),
        DOWNLOADING("Downloading"),
        VERIFYING("Verifying Checksum"),
        DOWNLOAD_COMPLETE("Download complete"),
        EXTRACTING("Extracting"),
        PULL_COMPLETE("Pull complete"),
        ALREADY_EXISTS("Already exists");

        private final String text;

        Status(String text) {
            this.text = text;
        }

        /** Docker's text, e.g. {@code Download complete}. */
        public String text() {
            return text;
        }
    }

    /**
     * A layer's state changed or its download progressed.
     *
     * @param id the first 12 hex digits of the layer blob's digest
     * @param current bytes done (downloading, extracting), else 0
     * @param total bytes in all, else 0
     */
    void layer(String id, Status status, long current, long total);

    /**
     * An overall message: {@code Pulling from library/busybox} (id: the tag), {@code Digest: sha256:...},
     * {@code Status: Downloaded newer image for busybox:latest} (id: null).
     */
    void message(String id, String text);
}
