package jctr.kernel.testing;

import net.jqwik.api.lifecycle.LifecycleContext;
import net.jqwik.api.lifecycle.SkipExecutionHook;

/**
 * The jqwik counterpart of {@link RootOnly#assumeRoot()}: {@code @AddLifecycleHook(RootOnlyHook.class)}
 * on a property or container skips it unless the test runs as root.
 */
public final class RootOnlyHook implements SkipExecutionHook {

    @Override
    public SkipResult shouldBeSkipped(LifecycleContext context) {
        return RootOnly.isRoot() ? SkipResult.doNotSkip() : SkipResult.skip("needs root");
    }
}
