package jctr.kernel.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import jctr.kernel.InvalidConfigException;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class ReferenceTest {

    private static final String HEX = "0123456789abcdef".repeat(4);

    @ParameterizedTest
    @CsvSource({
        "busybox,                          docker.io/library/busybox:latest, busybox:latest",
        "busybox:1.36,                     docker.io/library/busybox:1.36, busybox:1.36",
        "library/busybox,                  docker.io/library/busybox:latest, busybox:latest",
        "docker.io/busybox,                docker.io/library/busybox:latest, busybox:latest",
        "index.docker.io/library/busybox,  docker.io/library/busybox:latest, busybox:latest",
        "user/app:v2,                      docker.io/user/app:v2, user/app:v2",
        "localhost:5000/busybox:latest,    localhost:5000/busybox:latest, localhost:5000/busybox:latest",
        "localhost/busybox,                localhost/busybox:latest, localhost/busybox:latest",
        "127.0.0.1:5000/a/b/c:x_y.z-1,     127.0.0.1:5000/a/b/c:x_y.z-1, 127.0.0.1:5000/a/b/c:x_y.z-1",
        "quay.io/org/app,                  quay.io/org/app:latest, quay.io/org/app:latest",
        "[::1]:5000/foo,                   [::1]:5000/foo:latest, [::1]:5000/foo:latest",
        "Example.com/foo,                  Example.com/foo:latest, Example.com/foo:latest",
        "a__b/c--d/e.f,                    docker.io/a__b/c--d/e.f:latest, a__b/c--d/e.f:latest",
    })
    void normalizesLikeDocker(String input, String full, String familiar) {
        Reference r = Reference.parse(input).orLatest();
        assertEquals(full, r.toString());
        assertEquals(familiar, r.familiar());
    }

    @Test
    void digestReferences() {
        Reference r = Reference.parse("busybox@sha256:" + HEX);
        assertNull(r.tag());
        assertEquals("sha256:" + HEX, r.digest().toString());
        assertEquals("docker.io/library/busybox@sha256:" + HEX, r.toString());
        assertEquals(r, r.orLatest(), "a digest reference gets no default tag");

        Reference both = Reference.parse("localhost:5000/busybox:1.36@sha256:" + HEX);
        assertEquals("1.36", both.tag());
        assertEquals("localhost:5000", both.domain());
        assertEquals("localhost:5000/busybox:1.36@sha256:" + HEX, both.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "Busybox", "busybox:", "busybox:-x", "busybox:.x", "busybox@sha256:abc",
        "busybox@md5:" + "0123456789abcdef0123456789abcdef", "a//b", "-abc", "abc-", "a..b", "a/", "/a",
        "localhost:abc/foo", "busybox:latest:x", "foo bar", "UPPER.io/Repo", "x@y@z"})
    void rejectsInvalidReferencesNamingThem(String input) {
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> Reference.parse(input));
        assertTrue(e.getMessage().contains("invalid reference \"" + input + "\""), e.getMessage());
    }

    @Test
    void uppercaseRepositorySaysLowercase() {
        var e = assertThrows(InvalidConfigException.class, () -> Reference.parse("docker.io/Library/Busybox"));
        assertTrue(e.getMessage().contains("must be lowercase"), e.getMessage());
    }

    @Test
    void imageIdsAreNotReferences() {
        var e = assertThrows(InvalidConfigException.class, () -> Reference.parse(HEX));
        assertTrue(e.getMessage().contains("image ids"), e.getMessage());
    }

    @Test
    void tooLongNamesAreRejected() {
        String name = "a".repeat(250) + "/" + "b".repeat(10);
        assertThrows(InvalidConfigException.class, () -> Reference.parse(name));
    }

    // Properties ------------------------------------------------------------------------------------------

    @Property(tries = 500)
    void parsingTheQualifiedFormIsIdentity(@ForAll("references") Reference r) {
        assertEquals(r, Reference.parse(r.toString()));
    }

    @Property(tries = 500)
    void parsingTheFamiliarFormGivesTheSameReference(@ForAll("references") Reference r) {
        assertEquals(r, Reference.parse(r.familiar()));
    }

    @Property(tries = 500)
    void normalizationIsIdempotent(@ForAll("written") String written) {
        Reference once = Reference.parse(written);
        assertEquals(once, Reference.parse(once.toString()));
        assertEquals(once.orLatest(), once.orLatest().orLatest());
    }

    @Property(tries = 2000)
    void anyStringParsesOrFailsWithInvalidConfig(@ForAll("noise") String s) {
        try {
            Reference r = Reference.parse(s);
            assertEquals(r, Reference.parse(r.toString()));
        } catch (InvalidConfigException expected) {
            // the only documented failure
        }
    }

    @Provide
    Arbitrary<Reference> references() {
        Arbitrary<String> component = Combinators.combine(alnum(), Arbitraries.of("", ".", "_", "__", "-", "---"), alnum())
                .as((a, sep, b) -> sep.isEmpty() ? a : a + sep + b);
        Arbitrary<String> path = component.list().ofMinSize(1).ofMaxSize(3).map(l -> String.join("/", l));
        Arbitrary<String> domain = Arbitraries.of("docker.io", "localhost", "localhost:5000", "127.0.0.1:5000",
                "quay.io", "registry.example.com:443", "[::1]:5000");
        Arbitrary<String> tag = Arbitraries.strings().withChars("abcXYZ019_.-").ofMinLength(0).ofMaxLength(20)
                .map(t -> t.isEmpty() ? null : "v" + t);
        Arbitrary<Digest> digest = Arbitraries.strings().withChars("0123456789abcdef").ofLength(64)
                .map(h -> new Digest("sha256", h)).injectNull(0.6);
        return Combinators.combine(domain, path, tag, digest).as((d, p, t, dg) -> {
            String normalizedPath = d.equals("docker.io") && !p.contains("/") ? "library/" + p : p;
            return new Reference(d, normalizedPath, t, dg);
        });
    }

    @Provide
    Arbitrary<String> written() {
        return Arbitraries.of(List.of("busybox", "busybox:1", "a/b", "docker.io/x", "localhost/x:y", "h.io/a/b/c",
                "busybox@sha256:" + HEX, "h:1/a:t@sha256:" + HEX));
    }

    @Provide
    Arbitrary<String> noise() {
        return Arbitraries.strings().withChars("abAB09:/@._-[]+ sha").ofMaxLength(40);
    }

    private static Arbitrary<String> alnum() {
        return Arbitraries.strings().withChars("abcdefghijklmnopqrstuvwxyz0123456789").ofMinLength(1).ofMaxLength(8);
    }
}
