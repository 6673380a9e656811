package org.edgesbc.core.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * Reads {@code sbc.yaml} into an immutable {@link SbcConfig}: binds, validates every key and every whole-config
 * rule, and reports all problems at once. Defaults for omitted keys are the ones {@code config/sbc.yaml} documents.
 *
 * <p>Each top-level section has its own reader ({@link SipSectionReader}, {@link MediaSectionReader},
 * {@link SecuritySectionReader}, {@link RegistrationSectionReader}, {@link FraudSectionReader},
 * {@link ZonesSectionReader}, {@link StirShakenSectionReader}, {@link ManagementSectionReader},
 * {@link LogsSectionReader}, {@link ClusterSectionReader}); all of them report into one {@link ConfigReader}, and
 * {@link CrossSectionCheck} applies the rules that span sections once every section is bound.
 */
public final class ConfigLoader {
    private static final Set<String> TOP_LEVEL_KEYS = Set.of("data-dir", "sip", "media", "security", "registration",
            "fraud", "zones", "stir-shaken", "management", "logs", "routing", "dns", "cluster");

    private ConfigLoader() { }

    /**
     * Reads, binds and validates {@code file}. Relative paths in it (data-dir, TLS files, prefix files, STIR/SHAKEN
     * key and trust anchors) resolve against the file's folder. Binds nothing and starts nothing, so
     * {@code sbc check} can call it on a live host.
     *
     * @throws ConfigException with every problem found, each as {@code file:line: key.path = 'value': rule}
     */
    public static SbcConfig load(Path file) throws ConfigException {
        return load(file, null);
    }

    /**
     * {@link #load(Path)} with the file's {@code data-dir} replaced by {@code dataDir} (the {@code --data-dir}
     * option), so that one configuration folder serves a host and a container whose data lives elsewhere. A
     * reload must pass the same folder, or state files would move under a running SBC.
     *
     * @param dataDir the data folder, relative to the working directory; null keeps the file's {@code data-dir}
     */
    public static SbcConfig load(Path file, Path dataDir) throws ConfigException {
        String fileName = file.toString();
        YamlTree tree;
        try (Reader source = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            tree = YamlTree.read(source);
        } catch (YamlTree.SyntaxException e) {
            throw new ConfigException(List.of(fileName + ":" + e.line() + ": " + e.getMessage()));
        } catch (IOException e) {
            throw new ConfigException(List.of(fileName + ": cannot read configuration: " + e.getMessage()));
        }
        Path folder = file.toAbsolutePath().getParent();
        ConfigReader reader = new ConfigReader(fileName, folder);
        SbcConfig config = bind(reader, tree, file, folder, dataDir == null ? null : dataDir.toAbsolutePath());
        if (!reader.errors().isEmpty()) {
            throw new ConfigException(reader.errors());
        }
        return config;
    }

    /** Binds every section in document order of the schema; the result is meaningful only without errors. */
    private static SbcConfig bind(ConfigReader reader, YamlTree tree, Path file, Path folder, Path dataDirOverride) {
        YamlTree.Mapping root = reader.mapping(tree, "(document)");
        if (root == null) {
            return null;
        }
        reader.onlyKeys(root, "", TOP_LEVEL_KEYS);
        String dataDirInFile = reader.string(root, "", "data-dir", "data", false);
        Path dataDir = (dataDirOverride != null ? dataDirOverride : folder.resolve(dataDirInFile)).normalize();
        SipConfig sip = new SipSectionReader(reader).read(root);
        MediaSettings media = new MediaSectionReader(reader).read(root, sip);
        SecurityConfig security = new SecuritySectionReader(reader).read(root, dataDir);
        RegistrationConfig registration = new RegistrationSectionReader(reader).read(root);
        FraudConfig fraud = new FraudSectionReader(reader).read(root);
        List<ZoneConfig> zones = new ZonesSectionReader(reader).read(root);
        RoutingConfig routing = new RoutingSectionReader(reader).read(root, zones);
        DnsConfig dns = new DnsSectionReader(reader).read(root);
        StirShakenConfig stirShaken = new StirShakenSectionReader(reader).read(root);
        ManagementConfig management = new ManagementSectionReader(reader).read(root);
        LogsConfig logs = new LogsSectionReader(reader).read(root);
        ClusterConfig cluster = new ClusterSectionReader(reader).read(root);
        CrossSectionCheck crossSection = new CrossSectionCheck(reader);
        if (sip != null) {
            crossSection.check(root, sip, zones);
        }
        crossSection.checkStirShakenZones(root, zones);
        return new SbcConfig(file, dataDir, sip, media, security, fraud, zones, management, registration,
                stirShaken, logs, routing, dns, cluster);
    }
}
