package jctr.kernel.layer;

/**
 * What {@link LayerUnpacker#unpack} did.
 *
 * @param entries tar members read (extended headers not counted)
 * @param contentBytes bytes of regular-file content written
 * @param whiteouts whiteouts and opaque markers applied
 */
public record UnpackResult(long entries, long contentBytes, long whiteouts) {
}
