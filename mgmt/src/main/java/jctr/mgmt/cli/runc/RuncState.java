package jctr.mgmt.cli.runc;

import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;

import jctr.kernel.runtime.ContainerInfo;

/**
 * What runc's {@code state} and {@code list --format json} print for a container: the OCI state plus
 * the rootfs, the creation time (RFC 3339 with nanoseconds) and the owner.
 */
record RuncState(String ociVersion, String id, int pid, String status, String bundle, String rootfs, String created,
                 @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, String> annotations, String owner) {

    static RuncState of(ContainerInfo info) {
        var s = info.state();
        return new RuncState(s.ociVersion(), s.id(), s.pid(), s.status(), s.bundle(), info.rootfs(),
                info.created() == null ? "" : info.created().toString(), s.annotations(), info.owner());
    }
}
