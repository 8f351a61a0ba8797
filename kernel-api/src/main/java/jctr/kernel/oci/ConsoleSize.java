package jctr.kernel.oci;

/** Console size in characters. */
public record ConsoleSize(int height, int width) {
}
