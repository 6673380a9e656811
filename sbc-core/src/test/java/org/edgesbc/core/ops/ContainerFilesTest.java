package org.edgesbc.core.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.edgesbc.core.config.ConfigLoader;
import org.edgesbc.core.config.SbcConfig;
import org.edgesbc.core.config.SipConfig;
import org.edgesbc.core.config.ZoneConfig;
import org.edgesbc.transport.SipTransport;
import org.junit.jupiter.api.Test;

/**
 * The Dockerfile and docker/compose.yaml checked without Docker: every file they name exists and is in the build
 * context, images are pinned, and the ports, addresses and paths agree with the SBC configurations they run.
 */
class ContainerFilesTest {
    private static final Path DOCKERFILE = OperationsFiles.DOCKER.resolve("Dockerfile");
    private static final Pattern COPY = Pattern.compile("^COPY\\s+(?!--from)(\\S+)\\s+(\\S+)\\s*$");
    private static final Pattern FROM = Pattern.compile("^FROM\\s+(\\S+)");
    /** An image reference pinned to an exact release: a tag with at least major.minor, or a digest. */
    private static final Pattern PINNED = Pattern.compile("[^:@]+(:[^@]*\\d+\\.\\d+[^@]*)?(@sha256:[0-9a-f]{64})?");

    @Test
    void everyFileTheDockerfileCopiesExistsAndIsInTheBuildContext() throws Exception {
        List<String> included = new ArrayList<>();
        for (String line : OperationsFiles.lines(OperationsFiles.DOCKER.resolve("Dockerfile.dockerignore"))) {
            if (line.startsWith("!")) {
                included.add(line.substring(1));
            }
        }
        List<String> sources = new ArrayList<>();
        for (String line : OperationsFiles.lines(DOCKERFILE)) {
            Matcher copy = COPY.matcher(line);
            if (copy.matches()) {
                String source = copy.group(1);
                sources.add(source);
                assertThat(OperationsFiles.REPOSITORY.resolve(source)).as("COPY source %s", source).exists();
                assertThat(included).as("%s is in the build context (Dockerfile.dockerignore)", source)
                        .anySatisfy(kept -> assertThat(source.equals(kept) || (source + "/").equals(kept)
                                || kept.endsWith("/") && source.startsWith(kept)).isTrue());
            }
        }
        assertThat(sources).contains("pom.xml", "sbc-core", "config/sbc.yaml");
    }

    @Test
    void baseImagesArePinnedToExactReleases() throws Exception {
        for (Path dockerfile : List.of(DOCKERFILE, OperationsFiles.DOCKER.resolve("sipp.Dockerfile"))) {
            List<String> images = new ArrayList<>();
            for (String line : OperationsFiles.lines(dockerfile)) {
                Matcher from = FROM.matcher(line);
                if (from.find()) {
                    images.add(from.group(1));
                }
            }
            assertThat(images).as(dockerfile.toString()).isNotEmpty().allSatisfy(image -> assertThat(
                    PINNED.matcher(image).matches()
                            && (image.contains("@sha256:") || image.matches(".*:.*\\d+\\.\\d+.*")))
                    .as("%s is pinned to a release", image).isTrue());
        }
        JsonNode services = OperationsFiles.yaml(OperationsFiles.COMPOSE).path("services");
        List<String> builtHere = new ArrayList<>();
        services.forEach(service -> {
            if (service.has("build")) {
                builtHere.add(service.path("image").asText());
            }
        });
        for (JsonNode service : services) {
            String image = service.path("image").asText();
            if (!builtHere.contains(image)) {
                assertThat(image).as("compose image %s is pinned", image).matches(".*:v?\\d+\\.\\d+.*");
            }
        }
    }

    @Test
    void theImageRunsUnprivilegedExposesTheShippedPortsAndChecksHealth() throws Exception {
        String dockerfile = Files.readString(DOCKERFILE);
        Map<String, String> env = dockerfileEnv(dockerfile);
        SbcConfig shipped = ConfigLoader.load(OperationsFiles.SHIPPED_CONFIG);

        assertThat(lastInstruction(dockerfile, "USER")).isNotIn("root", "0");
        List<String> exposed = List.of(lastInstruction(dockerfile, "EXPOSE").split("\\s+"));
        assertThat(exposed).containsAll(ports(shipped));
        assertThat(env).containsEntry("SBC_HEALTH_PORT", String.valueOf(shipped.management().port()))
                .containsEntry("SBC_HEALTH_ADDRESS", shipped.management().address())
                .containsEntry("SBC_DATA_DIR", "/var/lib/sbc");
        assertThat(lastInstruction(dockerfile, "HEALTHCHECK")).contains("GET /health")
                .contains("${SBC_HEALTH_ADDRESS}/${SBC_HEALTH_PORT}");
        assertThat(lastInstruction(dockerfile, "VOLUME")).contains("\"/var/lib/sbc\"");
        assertThat(lastInstruction(dockerfile, "CMD")).contains("\"/etc/sbc/sbc.yaml\"");
        assertThat(dockerfile).contains("COPY config/sbc.yaml /etc/sbc/sbc.yaml");
    }

    @Test
    void composeNamesOnlyFilesThatExist() throws Exception {
        JsonNode compose = OperationsFiles.yaml(OperationsFiles.COMPOSE);
        JsonNode services = compose.path("services");
        assertThat(services.fieldNames()).toIterable().contains("sbc", "trunk", "pbx", "prometheus");
        services.fields().forEachRemaining(entry -> {
            JsonNode build = entry.getValue().path("build");
            if (!build.isMissingNode()) {
                Path context = OperationsFiles.DOCKER.resolve(build.path("context").asText()).normalize();
                assertThat(context).as("%s build context", entry.getKey()).isDirectory();
                assertThat(context.resolve(build.path("dockerfile").asText())).as("%s Dockerfile", entry.getKey())
                        .isRegularFile();
            }
            for (JsonNode volume : entry.getValue().path("volumes")) {
                String source = volume.asText().split(":")[0];
                if (source.startsWith(".")) {
                    assertThat(OperationsFiles.DOCKER.resolve(source)).as("%s mounts %s", entry.getKey(), source)
                            .exists();
                } else {
                    assertThat(compose.path("volumes").has(source)).as("%s: named volume %s is declared",
                            entry.getKey(), source).isTrue();
                }
            }
        });
    }

    @Test
    void composePortsAddressesAndPeersAgreeWithTheSbcConfigurationItMounts() throws Exception {
        JsonNode services = OperationsFiles.yaml(OperationsFiles.COMPOSE).path("services");
        JsonNode sbc = services.path("sbc");
        String configInContainer = argumentAfter(sbc.path("command"), "--config");
        SbcConfig config = ConfigLoader.load(hostPathOf(sbc, configInContainer));
        String sbcAddress = sbc.path("networks").path("sip").path("ipv4_address").asText();

        List<String> exposed = new ArrayList<>();
        sbc.path("expose").forEach(port -> exposed.add(port.asText()));
        assertThat(exposed).containsExactlyInAnyOrderElementsOf(ports(config));
        assertThat(config.sip().listeners()).allSatisfy(listener -> assertThat(listener.address())
                .isEqualTo(sbcAddress));
        assertThat(config.media().address()).isEqualTo(sbcAddress);
        assertThat(config.management().address()).isIn("0.0.0.0", sbcAddress);

        int udpPort = config.sip().listeners().stream().filter(l -> l.transport() == SipTransport.UDP)
                .mapToInt(SipConfig.ListenerConfig::port).findFirst().orElseThrow();
        for (ZoneConfig zone : config.zones()) {
            if (zone.peer() == null) {
                continue;
            }
            JsonNode sipp = services.path(zone.role() == ZoneConfig.ZoneRole.TRUNK ? "trunk" : "pbx");
            assertThat(sipp.path("networks").path("sip").path("ipv4_address").asText())
                    .as("the %s stand-in's address is the zone's peer", zone.name()).isEqualTo(zone.peer().host());
            assertThat(argumentAfter(sipp.path("command"), "-i")).isEqualTo(zone.peer().host());
            assertThat(argumentAfter(sipp.path("command"), "-p")).isEqualTo(String.valueOf(zone.peer().port()));
            if (zone.role() == ZoneConfig.ZoneRole.TRUNK) {
                List<String> command = new ArrayList<>();
                sipp.path("command").forEach(argument -> command.add(argument.asText()));
                assertThat(command).as("the trunk calls the SBC's UDP listener")
                        .contains(sbcAddress + ":" + udpPort);
            }
        }

        JsonNode prometheus = OperationsFiles.yaml(OperationsFiles.PROMETHEUS_CONFIG);
        assertThat(hostPathOf(services.path("prometheus"), "/etc/prometheus/prometheus.yml"))
                .isEqualTo(OperationsFiles.PROMETHEUS_CONFIG);
        List<String> targets = new ArrayList<>();
        for (JsonNode job : prometheus.path("scrape_configs")) {
            job.path("static_configs").forEach(c -> c.path("targets").forEach(t -> targets.add(t.asText())));
        }
        assertThat(targets).containsExactly(sbcAddress + ":" + config.management().port());
        for (JsonNode rules : prometheus.path("rule_files")) {
            Path mounted = hostPathOf(services.path("prometheus"), "/etc/prometheus/" + rules.asText());
            assertThat(mounted).as("rule file %s is mounted beside prometheus.yml", rules.asText()).isRegularFile();
        }
        String prometheusAddress = services.path("prometheus").path("networks").path("sip").path("ipv4_address")
                .asText();
        JsonNode datasources = OperationsFiles.yaml(OperationsFiles.DOCKER.resolve("grafana/provisioning/datasources/"
                + "prometheus.yml"));
        assertThat(datasources.path("datasources").get(0).path("url").asText())
                .isEqualTo("http://" + prometheusAddress + ":9090");
    }

    /** Each listener's port and protocol, the management port and the RTP range, as EXPOSE writes them. */
    private static List<String> ports(SbcConfig config) {
        List<String> ports = new ArrayList<>();
        for (SipConfig.ListenerConfig listener : config.sip().listeners()) {
            ports.add(listener.port() + "/" + (listener.transport() == SipTransport.UDP ? "udp" : "tcp"));
        }
        ports.add(config.management().port() + "/tcp");
        ports.add(config.media().portMin() + "-" + config.media().portMax() + "/udp");
        return ports;
    }

    /** The host file that {@code service} mounts at {@code containerPath}. */
    private static Path hostPathOf(JsonNode service, String containerPath) {
        for (JsonNode volume : service.path("volumes")) {
            String[] parts = volume.asText().split(":");
            if (parts.length >= 2 && parts[1].equals(containerPath)) {
                return OperationsFiles.DOCKER.resolve(parts[0]).normalize();
            }
        }
        throw new AssertionError("nothing is mounted at " + containerPath);
    }

    private static String argumentAfter(JsonNode command, String option) {
        for (int i = 0; i + 1 < command.size(); i++) {
            if (command.get(i).asText().equals(option)) {
                return command.get(i + 1).asText();
            }
        }
        throw new AssertionError("no " + option + " in " + command);
    }

    private static String lastInstruction(String dockerfile, String instruction) {
        String joined = dockerfile.replace("\\\n", " ");
        String found = null;
        for (String line : joined.split("\n")) {
            if (line.toUpperCase(Locale.ROOT).startsWith(instruction + " ")) {
                found = line.substring(instruction.length() + 1).trim();
            }
        }
        assertThat(found).as("a %s instruction", instruction).isNotNull();
        return found;
    }

    private static Map<String, String> dockerfileEnv(String dockerfile) {
        Map<String, String> env = new HashMap<>();
        for (String pair : lastInstruction(dockerfile, "ENV").split("\\s+")) {
            int equals = pair.indexOf('=');
            if (equals > 0) {
                env.put(pair.substring(0, equals), pair.substring(equals + 1));
            }
        }
        return env;
    }
}
