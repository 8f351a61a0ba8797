package jctr.kernel.image;

/**
 * One thing {@code image rm} or {@code prune} did, in Docker's terms ({@code {"Untagged": ...}},
 * {@code {"Deleted": ...}}).
 *
 * @param type what happened
 * @param what the reference (familiar form) untagged, or the image id / layer id deleted
 */
public record RemoveEvent(Type type, String what) {

    /** What happened. */
    public enum Type {
        /** A name was removed. */
        UNTAGGED("Untagged"),
        /** An image (its id) or a storage layer (its chain id) was deleted. */
        DELETED("Deleted");

        private final String docker;

        Type(String docker) {
            this.docker = docker;
        }

        /** The word Docker prints and uses as JSON key. */
        public String docker() {
            return docker;
        }
    }

    @Override
    public String toString() {
        return type.docker() + ": " + what;
    }
}
