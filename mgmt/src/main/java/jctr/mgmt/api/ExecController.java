package jctr.mgmt.api;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.QueryValue;
import jctr.mgmt.engine.Execs;

/** {@code /exec/{id}}: inspect and resize (start hijacks the connection, in {@link StreamEndpoints}). */
@Controller("/exec")
final class ExecController {

    private final Execs execs;

    ExecController(ApiContext api) {
        this.execs = api.engine().execs();
    }

    @Get("/{id}/json")
    HttpResponse<String> inspect(String id) {
        Execs.Exec e = execs.get(id);
        Execs.ExecConfig c = e.config();
        List<String> cmd = c.cmd();
        Map<String, Object> pc = new LinkedHashMap<>();
        pc.put("arguments", cmd.subList(1, cmd.size()));
        pc.put("entrypoint", cmd.getFirst());
        pc.put("privileged", Boolean.TRUE.equals(c.privileged()));
        pc.put("tty", Boolean.TRUE.equals(c.tty()));
        pc.put("user", c.user() == null ? "" : c.user());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("CanRemove", false);
        m.put("ContainerID", e.containerId());
        m.put("DetachKeys", c.detachKeys() == null ? "" : c.detachKeys());
        m.put("ExitCode", e.exitCode());
        m.put("ID", e.id());
        m.put("OpenStderr", Boolean.TRUE.equals(c.attachStderr()));
        m.put("OpenStdin", Boolean.TRUE.equals(c.attachStdin()));
        m.put("OpenStdout", Boolean.TRUE.equals(c.attachStdout()));
        m.put("ProcessConfig", pc);
        m.put("Running", e.running());
        m.put("Pid", e.pid());
        return SystemController.json(m);
    }

    @Post("/{id}/resize")
    HttpResponse<String> resize(String id, @QueryValue @Nullable Integer h, @QueryValue @Nullable Integer w) {
        execs.resize(id, h == null ? 0 : h, w == null ? 0 : w);
        return HttpResponse.ok("");
    }
}
