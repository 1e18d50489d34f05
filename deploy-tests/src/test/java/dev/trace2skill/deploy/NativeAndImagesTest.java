package dev.trace2skill.deploy;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What can be checked of the images and native builds without a container runtime or GraalVM: the Dockerfiles' shape
 * (Quarkus layouts, non-root, the service's port), the native profile, and that every record a service hands to
 * skill-core's Jackson mapper outside REST is registered for reflection.
 */
class NativeAndImagesTest {
    private static final Pattern READ = Pattern.compile("Json\\.read\\([^;]*?([A-Z][A-Za-z]*)\\.class");
    private static final Pattern WRITE_NEW = Pattern.compile("Json\\.write\\(new ([A-Z][A-Za-z]*)");
    private static final Pattern TARGET = Pattern.compile("([A-Z][A-Za-z.]*)\\.class");

    @Test
    void everyServiceHasJvmAndNativeMicroDockerfiles() {
        for (String s : Repo.SERVICES) {
            Path docker = Repo.ROOT.resolve(s).resolve("src/main/docker");
            String jvm = Repo.read(docker.resolve("Dockerfile.jvm"));
            String nat = Repo.read(docker.resolve("Dockerfile.native-micro"));
            String port = Repo.applicationProperties(s).getProperty("quarkus.http.port");
            assertThat(jvm).contains("target/quarkus-app/lib/", "target/quarkus-app/app/", "target/quarkus-app/quarkus/",
                    "quarkus-run.jar", "EXPOSE " + port, "USER 185").doesNotContain("USER root", "USER 0");
            assertThat(nat).contains("target/*-runner", "EXPOSE " + port, "USER 1001", "-Dquarkus.http.host=0.0.0.0")
                    .doesNotContain("USER root", "USER 0");
            assertThat(jvm.lines().filter(l -> l.startsWith("FROM ")).toList()).singleElement().asString().contains("openjdk-21");
        }
    }

    @Test
    void theNativeProfileIsThereAndOffByDefault() {
        String pom = Repo.read(Repo.ROOT.resolve("pom.xml"));
        int start = pom.indexOf("<id>native</id>");
        assertThat(start).isPositive();
        String profile = pom.substring(start, pom.indexOf("</profile>", start));
        assertThat(profile).contains("<quarkus.native.enabled>true</quarkus.native.enabled>",
                "<quarkus.package.jar.enabled>false</quarkus.package.jar.enabled>");
        assertThat(profile).doesNotContain("activeByDefault");
        assertThat(pom).contains("<module>deploy-tests</module>");
    }

    @Test
    void everyJacksonPayloadOutsideRestIsRegisteredForReflection() throws Exception {
        for (String s : Repo.SERVICES) {
            Path src = Repo.ROOT.resolve(s).resolve("src/main/java");
            if (!Files.isDirectory(src)) {
                continue;
            }
            Set<String> used = new TreeSet<>();
            String registration = null;
            for (Path f : Repo.mainJavaSources()) {
                if (!f.startsWith(src)) {
                    continue;
                }
                String code = Repo.read(f);
                if (f.getFileName().toString().equals("NativeReflection.java")) {
                    registration = code;
                }
                for (Pattern p : new Pattern[]{READ, WRITE_NEW}) {
                    Matcher m = p.matcher(code);
                    while (m.find()) {
                        used.add(m.group(1));
                    }
                }
            }
            if (used.isEmpty()) {
                continue;
            }
            assertThat(registration).as(s + " has a NativeReflection class").isNotNull();
            Set<String> registered = new TreeSet<>();
            Matcher m = TARGET.matcher(registration.substring(registration.indexOf("targets")));
            while (m.find()) {
                String t = m.group(1);
                registered.add(t.substring(t.lastIndexOf('.') + 1));
            }
            used.remove("String"); // String[] and String need nothing
            assertThat(registered).as(s + ": Json.read/Json.write targets registered for reflection").containsAll(used);
        }
    }
}
