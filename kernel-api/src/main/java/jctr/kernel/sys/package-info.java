/**
 * The FFM layer: every binding jctr makes to the C library lives in this package.
 *
 * <p>Conventions (see docs/ARCHITECTURE.md):
 * <ul>
 *   <li>One class per area ({@link jctr.kernel.sys.Mounts}, {@link jctr.kernel.sys.Processes},
 *       {@link jctr.kernel.sys.Namespaces}, {@link jctr.kernel.sys.Signals}, {@link jctr.kernel.sys.PosixFiles});
 *       downcall handles are created once through the package-private {@code Downcalls}.</li>
 *   <li>Every call that can fail captures errno in a per-call confined arena and turns a failure into a
 *       {@link jctr.kernel.sys.SyscallException} naming the call, its arguments, the errno name and text.</li>
 *   <li>Public methods take and return Java types ({@code Path}, {@code int} descriptors), never
 *       {@code MemorySegment}.</li>
 *   <li>Constants (errno, mount, clone, open flags) live in one class each.</li>
 * </ul>
 * This package is exported only to jctr's driver modules.
 */
package jctr.kernel.sys;
