package jctr.mgmt.guest;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;

import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

import static org.junit.platform.engine.discovery.ClassNameFilter.includeClassNamePatterns;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectPackage;
import static org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder.request;

/**
 * Runs every {@code *InGuest} test class under the {@code jctr} packages of its class path (the cgroup-v2
 * driver's, from that module's test-jar, and the jctr-runc ones of mgmt) inside the user-mode-linux guest
 * that {@link V2GuestIT} boots, and exits 0 only if at least one test ran and every test passed. A skipped
 * (aborted) test counts as a failure: inside the guest every precondition is ours to provide.
 */
public final class GuestTestMain {

    /** The line the host looks for; followed by the counts. */
    static final String RESULT_MARKER = "jctr-v2-guest-result:";

    private GuestTestMain() {
    }

    public static void main(String[] args) {
        if (!Files.isRegularFile(Path.of("/sys/fs/cgroup/cgroup.subtree_control"))) {
            System.out.println(RESULT_MARKER + " not in a cgroup v2 guest (no /sys/fs/cgroup/cgroup.subtree_control)");
            System.exit(3);
        }
        LauncherDiscoveryRequest request = request()
                .selectors(selectPackage("jctr"))
                .filters(includeClassNamePatterns(".*InGuest"))
                .build();
        Launcher launcher = LauncherFactory.create();
        SummaryGeneratingListener summary = new SummaryGeneratingListener();
        launcher.execute(request, summary, new Progress());
        TestExecutionSummary s = summary.getSummary();
        PrintWriter out = new PrintWriter(System.out, true);
        s.printFailuresTo(out, 25);
        // A failing or aborted @BeforeAll/@AfterAll fails or aborts its class, not its tests: count those too.
        long failed = s.getTestsFailedCount() + s.getContainersFailedCount();
        long aborted = s.getTestsAbortedCount() + s.getContainersAbortedCount();
        out.printf("%s %d tests, %d passed, %d failed, %d aborted, %d s%n", RESULT_MARKER, s.getTestsFoundCount(),
                s.getTestsSucceededCount(), failed, aborted, (s.getTimeFinished() - s.getTimeStarted()) / 1000);
        boolean allPassed = failed == 0 && aborted == 0 && s.getTestsSucceededCount() == s.getTestsFoundCount();
        System.exit(allPassed && s.getTestsSucceededCount() > 0 ? 0 : 1);
    }

    /** One line per finished test, with its time, so the host's log shows progress. */
    private static final class Progress implements TestExecutionListener {
        private final ConcurrentHashMap<String, Long> started = new ConcurrentHashMap<>();

        @Override
        public void executionStarted(TestIdentifier id) {
            if (id.isTest()) {
                started.put(id.getUniqueId(), System.nanoTime());
            }
        }

        @Override
        public void executionSkipped(TestIdentifier id, String reason) {
            System.out.println("SKIPPED " + id.getDisplayName() + ": " + reason);
        }

        @Override
        public void executionFinished(TestIdentifier id, TestExecutionResult result) {
            if (!id.isTest()) {
                if (result.getStatus() != TestExecutionResult.Status.SUCCESSFUL) {
                    System.out.printf("%-8s %s%s%n", result.getStatus(), id.getDisplayName(),
                            result.getThrowable().map(t -> ": " + t).orElse(""));
                }
                return;
            }
            long ms = Duration.ofNanos(System.nanoTime() - started.getOrDefault(id.getUniqueId(), System.nanoTime()))
                    .toMillis();
            String name = id.getLegacyReportingName();
            String where = id.getParentIdObject().map(p -> p.getLastSegment().getValue()).orElse("");
            System.out.printf("%-8s %s.%s (%d ms)%s%n", result.getStatus(), where.substring(where.lastIndexOf('.') + 1),
                    name, ms, result.getThrowable().map(t -> ": " + t).orElse(""));
        }
    }
}
