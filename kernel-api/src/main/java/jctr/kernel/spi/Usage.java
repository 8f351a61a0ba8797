package jctr.kernel.spi;

/** Disk usage: bytes and inodes a layer or writable layer takes on its own (not counting parents). */
public record Usage(long bytes, long inodes) {
}
