package jctr.ns.seccomp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class SyscallTableTest {

    private static final Path ASM = Path.of("/usr/include/x86_64-linux-gnu/asm");

    @Test
    void wellKnownNumbers() {
        assertEquals(OptionalLong.of(0), SyscallTable.number(SeccompArch.X86_64, "read"));
        assertEquals(OptionalLong.of(39), SyscallTable.number(SeccompArch.X86_64, "getpid"));
        assertEquals(OptionalLong.of(63), SyscallTable.number(SeccompArch.X86_64, "uname"));
        assertEquals(OptionalLong.of(169), SyscallTable.number(SeccompArch.X86_64, "reboot"));
        assertEquals(OptionalLong.of(435), SyscallTable.number(SeccompArch.X86_64, "clone3"));
        assertEquals(OptionalLong.of(462), SyscallTable.number(SeccompArch.X86_64, "mseal"));
        assertEquals(OptionalLong.of(88), SyscallTable.number(SeccompArch.X86, "reboot"));
        assertEquals(OptionalLong.of(102), SyscallTable.number(SeccompArch.X86, "socketcall"));
        assertEquals(OptionalLong.of(0x4000_0000L + 512), SyscallTable.number(SeccompArch.X32, "rt_sigaction"));
        assertEquals(OptionalLong.of(0x4000_0000L + 39), SyscallTable.number(SeccompArch.X32, "getpid"));
        assertTrue(SyscallTable.number(SeccompArch.X86_64, "chown32").isEmpty());
        assertTrue(SyscallTable.number(SeccompArch.X86, "arch_prctl").isPresent());
        assertTrue(SyscallTable.number(SeccompArch.X86, "map_shadow_stack").isEmpty());
    }

    /** Every syscall the installed kernel headers define has the same number in the table. */
    @Test
    void agreesWithTheInstalledKernelHeaders() throws IOException {
        Assumptions.assumeTrue(Files.isDirectory(ASM), "kernel headers (linux-libc-dev) not installed");
        int checked = compare("unistd_64.h", SeccompArch.X86_64, 0)
                + compare("unistd_32.h", SeccompArch.X86, 0)
                + compare("unistd_x32.h", SeccompArch.X32, 0x4000_0000L);
        assertTrue(checked > 1000, checked + " definitions");
    }

    private static int compare(String header, SeccompArch arch, long bit) throws IOException {
        Pattern p = Pattern.compile("#define __NR_(\\w+) \\(?(?:__X32_SYSCALL_BIT \\+ )?(\\d+)\\)?");
        int n = 0;
        for (String line : Files.readAllLines(ASM.resolve(header))) {
            Matcher m = p.matcher(line.strip());
            if (m.matches()) {
                assertEquals(OptionalLong.of(Long.parseLong(m.group(2)) | bit), SyscallTable.number(arch, m.group(1)),
                        arch + " " + m.group(1));
                n++;
            }
        }
        return n;
    }
}
