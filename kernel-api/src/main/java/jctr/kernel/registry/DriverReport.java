package jctr.kernel.registry;

import jctr.kernel.spi.ProbeResult;

/**
 * One driver as {@code jctr info} shows it.
 *
 * @param kind its SPI
 * @param name its name
 * @param description one line
 * @param module the JPMS module (or "unnamed" on the class path) that provides it
 * @param probe the probe's answer on this host
 * @param autoPriority its auto-detection preference
 */
public record DriverReport(DriverKind kind, String name, String description, String module, ProbeResult probe,
                           int autoPriority) {
}
