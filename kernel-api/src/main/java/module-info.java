/**
 * The jctr kernel: the container lifecycle, the three driver SPIs and their registry, the OCI models,
 * the engine configuration, the on-disk state store, the image store ({@code jctr.kernel.image}), and the
 * FFM layer ({@code jctr.kernel.sys}), which only driver modules may use.
 */
module jctr.kernel {
    requires transitive com.fasterxml.jackson.databind;
    requires com.fasterxml.jackson.datatype.jsr310;
    // The image store's registry client.
    requires java.net.http;

    exports jctr.kernel;
    exports jctr.kernel.config;
    exports jctr.kernel.host;
    exports jctr.kernel.image;
    exports jctr.kernel.layer;
    exports jctr.kernel.lifecycle;
    exports jctr.kernel.oci;
    exports jctr.kernel.registry;
    exports jctr.kernel.runtime;
    exports jctr.kernel.spi;
    exports jctr.kernel.state;
    exports jctr.kernel.sys to jctr.ns, jctr.cgroup.v1, jctr.cgroup.v2, jctr.storage.overlay, jctr.storage.vfs;

    // Jackson binds the JSON models reflectively.
    opens jctr.kernel.config to com.fasterxml.jackson.databind;
    opens jctr.kernel.image to com.fasterxml.jackson.databind;
    opens jctr.kernel.lifecycle to com.fasterxml.jackson.databind;
    opens jctr.kernel.oci to com.fasterxml.jackson.databind;
    opens jctr.kernel.spi to com.fasterxml.jackson.databind;
    opens jctr.kernel.state to com.fasterxml.jackson.databind;

    uses jctr.kernel.spi.IsolationDriver;
    uses jctr.kernel.spi.ResourceDriver;
    uses jctr.kernel.spi.StorageDriver;
}
