package jctr.kernel.sys;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import jctr.kernel.InvalidConfigException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class SignalsTest {

    @ParameterizedTest
    @CsvSource({"TERM,15", "SIGTERM,15", "sigkill,9", "kill,9", "9,9", "USR1,10", "SIGWINCH,28", "RTMIN,34",
        "RTMIN+3,37", "SIGRTMAX-1,63", "64,64", "CHLD,17", "cld,17"})
    void parsesAsRuncAndDockerDo(String text, int number) {
        assertEquals(number, Signals.parse(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "0", "65", "SIGFOO", "RTMIN+31", "-9", "TERM9"})
    void rejectsWhatIsNotASignal(String text) {
        assertThrows(InvalidConfigException.class, () -> Signals.parse(text));
    }

    @Test
    void namesRoundTrip() {
        for (int s = 1; s <= Signals.SIGRTMAX; s++) {
            if (s == 32 || s == 33) {
                continue; // used by glibc, no names
            }
            assertEquals(s, Signals.parse(Signals.name(s)), "signal " + s);
        }
    }
}
