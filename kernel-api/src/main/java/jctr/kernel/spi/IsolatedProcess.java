package jctr.kernel.spi;

import java.util.Map;

/**
 * A process an isolation driver created: a container's init or an exec'd process.
 *
 * @param pid the host pid
 * @param startTime the process's start time in clock ticks since boot ({@code /proc/PID/stat} field 22),
 *                  which together with {@code pid} names the process even after pid reuse
 * @param driverState what the driver needs to start, join or clean up after the process (paths of its
 *                    exec fifo, sockets); persisted by the kernel
 */
public record IsolatedProcess(int pid, long startTime, Map<String, String> driverState) {
    public IsolatedProcess {
        driverState = driverState == null ? Map.of() : Map.copyOf(driverState);
    }
}
