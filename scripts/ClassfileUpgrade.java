import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassFileVersion;
import java.lang.classfile.ClassHierarchyResolver;
import java.lang.classfile.ClassModel;
import java.lang.classfile.ClassTransform;
import java.lang.classfile.CodeTransform;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * Rewrites, in place, the classes of a jar whose class file version is older than Java 6 (50) as Java 8 (52)
 * class files, with the stack map frames the JDK's class-file API computes. The JDK AOT cache cannot hold such
 * old classes (JDK 25 skips them: "Old class has been linked"), so without this every run of jctr-runc loads,
 * verifies (with the slow inference verifier) and links picocli's 200 classes (class file version 49) anew.
 * The code itself is unchanged: same instructions, same constant pool entries; only the version and the
 * StackMapTable attributes the new verifier needs. Jars without old classes, signed jars and multi-release
 * entries are left alone; a jar that cannot be rewritten is left as it was.
 *
 * <p>Run by scripts/aot-cache.sh with the JDK's source launcher: {@code java ClassfileUpgrade.java JAR...}.
 */
public final class ClassfileUpgrade {

    private static final int OLDEST_CACHEABLE = ClassFile.JAVA_6_VERSION;
    private static final int TARGET = ClassFile.JAVA_8_VERSION;

    public static void main(String[] args) throws IOException {
        for (String arg : args) {
            Path jar = Path.of(arg);
            try {
                int upgraded = upgrade(jar);
                if (upgraded > 0) {
                    System.out.println("classfile-upgrade: " + jar.getFileName() + ": " + upgraded
                            + " classes rewritten as Java 8 class files");
                }
            } catch (IOException | RuntimeException e) {
                System.err.println("classfile-upgrade: " + jar.getFileName() + " left as it was: " + e);
            }
        }
    }

    /** Rewrites {@code jar} if it has old classes; returns how many it rewrote. */
    private static int upgrade(Path jar) throws IOException {
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            boolean signed = zip.stream().anyMatch(e -> e.getName().startsWith("META-INF/")
                    && e.getName().endsWith(".SF"));
            if (signed || !hasOldClass(zip)) {
                return 0;
            }
            // Stack maps name the common super class of merged types: resolve the jar's own classes from the jar.
            try (URLClassLoader classes = new URLClassLoader(new URL[] {jar.toUri().toURL()}, null)) {
                ClassFile classFile = ClassFile.of(
                        ClassFile.ClassHierarchyResolverOption.of(ClassHierarchyResolver.defaultResolver()
                                .orElse(ClassHierarchyResolver.ofResourceParsing(classes)).cached()),
                        ClassFile.StackMapsOption.GENERATE_STACK_MAPS);
                Path tmp = Files.createTempFile(jar.getParent(), jar.getFileName().toString(), ".tmp");
                int upgraded = 0;
                try {
                    try (OutputStream file = Files.newOutputStream(tmp); ZipOutputStream out = new ZipOutputStream(file)) {
                        for (ZipEntry entry : zip.stream().toList()) {
                            byte[] bytes;
                            try (InputStream in = zip.getInputStream(entry)) {
                                bytes = in.readAllBytes();
                            }
                            if (isOldClass(entry, bytes)) {
                                bytes = rewrite(classFile, bytes);
                                upgraded++;
                            }
                            ZipEntry copy = new ZipEntry(entry.getName());
                            copy.setTime(entry.getTime());
                            out.putNextEntry(copy);
                            out.write(bytes);
                            out.closeEntry();
                        }
                    }
                    Files.setPosixFilePermissions(tmp, Files.getPosixFilePermissions(jar));
                    Files.move(tmp, jar, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                } finally {
                    Files.deleteIfExists(tmp);
                }
                return upgraded;
            }
        }
    }

    private static boolean hasOldClass(ZipFile zip) throws IOException {
        for (ZipEntry entry : zip.stream().toList()) {
            if (entry.getName().endsWith(".class") && !entry.getName().startsWith("META-INF/")) {
                try (InputStream in = zip.getInputStream(entry)) {
                    if (isOldClass(entry, in.readNBytes(8))) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /** A class (not a multi-release variant) whose major version (bytes 6-7 of the header) is below 50. */
    private static boolean isOldClass(ZipEntry entry, byte[] bytes) {
        if (!entry.getName().endsWith(".class") || entry.getName().startsWith("META-INF/") || bytes.length < 8) {
            return false;
        }
        int major = ((bytes[6] & 0xff) << 8) | (bytes[7] & 0xff);
        return major < OLDEST_CACHEABLE;
    }

    /** Every method body rebuilt (so that its stack maps are generated) and the version raised. */
    private static byte[] rewrite(ClassFile classFile, byte[] bytes) {
        ClassModel model = classFile.parse(bytes);
        ClassTransform version = (builder, element) -> {
            if (element instanceof ClassFileVersion) {
                builder.withVersion(TARGET, 0);
            } else {
                builder.with(element);
            }
        };
        return classFile.transformClass(model,
                ClassTransform.transformingMethodBodies(CodeTransform.ACCEPT_ALL).andThen(version));
    }
}
