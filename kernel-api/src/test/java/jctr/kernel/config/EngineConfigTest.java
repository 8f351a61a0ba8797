package jctr.kernel.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import jctr.kernel.InvalidConfigException;
import jctr.kernel.NotFoundException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EngineConfigTest {

    @Test
    void defaultsWhenNothingIsGiven() {
        EngineConfig c = EngineConfig.load(null, Map.of(), Map.of());
        // The default file may exist on a developer machine; only compare when it does not.
        if (!Files.exists(EngineConfig.DEFAULT_FILE)) {
            assertEquals(EngineConfig.DEFAULTS, c);
        }
    }

    @Test
    void fileThenEnvironmentThenFlags(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("config.json");
        Files.writeString(file, """
                {"drivers": {"resource": "cgroup-v1", "storage": "vfs"},
                 "dataRoot": "/data", "driverOptions": {"overlay": {"mountOptions": "index=off"}},
                 "registries": {"insecure": ["reg.lan:5000"]}}
                """);
        EngineConfig fromFile = EngineConfig.load(file, Map.of(), Map.of());
        assertEquals(new EngineConfig.Drivers("auto", "cgroup-v1", "vfs"), fromFile.drivers());
        assertEquals(Path.of("/data"), fromFile.dataRoot());
        assertEquals(Path.of("/run/jctr"), fromFile.stateRoot());
        assertEquals(Map.of("mountOptions", "index=off"), fromFile.optionsFor("overlay"));
        assertEquals(java.util.List.of("reg.lan:5000"), fromFile.registries().insecure());

        EngineConfig env = EngineConfig.load(null, Map.of("JCTR_CONFIG", file.toString(),
                "JCTR_STORAGE_DRIVER", "overlay", "JCTR_STATE_ROOT", "/run/other"), Map.of());
        assertEquals("overlay", env.drivers().storage());
        assertEquals("cgroup-v1", env.drivers().resource());
        assertEquals(Path.of("/run/other"), env.stateRoot());

        EngineConfig flags = EngineConfig.load(file, Map.of("JCTR_STORAGE_DRIVER", "overlay"),
                Map.of("storage-driver", "vfs", "data-root", "/flag"));
        assertEquals("vfs", flags.drivers().storage());
        assertEquals(Path.of("/flag"), flags.dataRoot());
    }

    @Test
    void unknownKeysAndBadValuesAreErrorsNamingTheField(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("config.json");
        Files.writeString(file, "{\"drivers\": {\"storage\": \"vfs\"}, \"stateroot\": \"/x\"}");
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> EngineConfig.load(file, Map.of(), Map.of()));
        assertTrue(e.getMessage().contains("unknown field \"stateroot\""), e.getMessage());
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());

        Files.writeString(file, "{\"drivers\": {\"storage\": \"Not A Name\"}}");
        InvalidConfigException bad = assertThrows(InvalidConfigException.class, () -> EngineConfig.load(file, Map.of(), Map.of()));
        assertEquals("drivers.storage", bad.field());

        Files.writeString(file, "{\"stateRoot\": \"relative/dir\"}");
        assertEquals("stateRoot", assertThrows(InvalidConfigException.class,
                () -> EngineConfig.load(file, Map.of(), Map.of())).field());

        assertEquals("--data-root", assertThrows(InvalidConfigException.class,
                () -> EngineConfig.load(null, Map.of(), Map.of("data-root", "rel"))).field());
    }

    @Test
    void aNamedFileThatDoesNotExistIsAnError(@TempDir Path dir) {
        assertThrows(NotFoundException.class, () -> EngineConfig.load(dir.resolve("nope.json"), Map.of(), Map.of()));
    }
}
