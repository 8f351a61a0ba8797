package jctr.mgmt.engine;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Dockerfile parsing: continuation lines, comments, command forms, key=value pairs, variables. */
class BuilderTest {

    @Test
    void instructionsAreJoinedAndCommentsDropped() {
        List<Builder.Instruction> in = Builder.parse("""
                # a comment
                FROM busybox
                run echo a \\
                    && echo b
                # between

                CMD ["sh"]
                """);
        assertEquals(List.of("FROM", "RUN", "CMD"), in.stream().map(Builder.Instruction::keyword).toList());
        assertEquals("echo a      && echo b", in.get(1).args());
    }

    @Test
    void commandsHaveAJsonAndAShellForm() {
        assertEquals(List.of("cat", "/x"), Builder.command("[\"cat\", \"/x\"]"));
        assertEquals(List.of("/bin/sh", "-c", "echo $HOME"), Builder.command("echo $HOME"));
        assertEquals(List.of("/a", "/b"), Builder.words("/a /b"));
    }

    @Test
    void envAndLabelsTakeBothForms() {
        assertEquals(Map.of("A", "1", "B", "two words"), Builder.keyValues("A=1 B=\"two words\""));
        assertEquals(Map.of("A", "old style value"), Builder.keyValues("A old style value"));
    }

    @Test
    void variablesAreSubstituted() {
        assertEquals("/opt/app-1", Builder.substitute("/opt/$NAME-${V}", Map.of("NAME", "app", "V", "1"), null));
    }
}
