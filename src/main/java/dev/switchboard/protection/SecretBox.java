package dev.switchboard.protection;

import dev.switchboard.common.OwnerOnlyFiles;
import dev.switchboard.common.config.SwitchboardConfig;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Encrypts secrets the platform must use again in plain text (webhook signing secrets) with AES-256-GCM under a
 * master key: {@code switchboard.secrets.master-key} (base64 of 32 bytes; env SWITCHBOARD_SECRETS_MASTER_KEY; every
 * replica needs the same), else {@code <data-dir>/master-key}, generated on first use. Each value is bound to a
 * context (the owning row's id) as associated data, so a ciphertext copied to another row does not decrypt.
 */
@ApplicationScoped
public class SecretBox {

    private static final Logger LOG = Logger.getLogger(SecretBox.class);
    private static final String VERSION = "v1.";
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    static final String KEY_FILE = "master-key";

    private static final SecureRandom RANDOM = new SecureRandom();

    @ConfigProperty(name = "switchboard.secrets.master-key")
    Optional<String> configuredKey;

    @Inject
    SwitchboardConfig config;

    private SecretKey key;

    @PostConstruct
    void init() {
        key = new SecretKeySpec(masterKey(configuredKey, Path.of(config.dataDir()).resolve(KEY_FILE)), "AES");
    }

    /** A box on a given 32-byte key (tests, tools). */
    static SecretBox withKey(byte[] masterKey) {
        SecretBox box = new SecretBox();
        box.key = new SecretKeySpec(masterKey, "AES");
        return box;
    }

    public String seal(String plain, String context) {
        try {
            byte[] nonce = new byte[NONCE_BYTES];
            RANDOM.nextBytes(nonce);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(context.getBytes(StandardCharsets.UTF_8));
            byte[] sealed = cipher.doFinal(plain.getBytes(StandardCharsets.UTF_8));
            return VERSION + Base64.getEncoder().encodeToString(
                    ByteBuffer.allocate(nonce.length + sealed.length).put(nonce).put(sealed).array());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is in every JDK", e);
        }
    }

    /** The plain value; fails when the master key or the context differs from the one it was sealed with. */
    public String open(String sealed, String context) {
        if (!sealed.startsWith(VERSION)) {
            throw new IllegalArgumentException("not a sealed value");
        }
        byte[] bytes = Base64.getDecoder().decode(sealed.substring(VERSION.length()));
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, bytes, 0, NONCE_BYTES));
            cipher.updateAAD(context.getBytes(StandardCharsets.UTF_8));
            return new String(cipher.doFinal(bytes, NONCE_BYTES, bytes.length - NONCE_BYTES),
                    StandardCharsets.UTF_8);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("A stored secret does not decrypt: was switchboard.secrets.master-key "
                    + "changed, or does this replica use another key than the one that stored it?", e);
        }
    }

    /** The configured key, else the one in {@code keyFile}, else a new random one written there (owner-only). */
    static byte[] masterKey(Optional<String> configured, Path keyFile) {
        if (configured.isPresent() && !configured.get().isBlank()) {
            return decodeKey(configured.get().strip(), "switchboard.secrets.master-key");
        }
        Path file = keyFile.toAbsolutePath().normalize();
        try {
            if (Files.exists(file)) {
                return decodeKey(Files.readString(file).strip(), file.toString());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Could not read the master key " + file, e);
        }
        byte[] fresh = new byte[32];
        RANDOM.nextBytes(fresh);
        OwnerOnlyFiles.write(file, Base64.getEncoder().encodeToString(fresh));
        LOG.infof("Generated the master key for stored secrets in %s; several replicas must share one: set "
                + "SWITCHBOARD_SECRETS_MASTER_KEY", file);
        return fresh;
    }

    private static byte[] decodeKey(String base64, String source) {
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("The master key in " + source + " is not base64", e);
        }
        if (bytes.length != 32) {
            throw new IllegalStateException("The master key in " + source + " must be 32 bytes (base64 of 32 random "
                    + "bytes, e.g. openssl rand -base64 32), not " + bytes.length);
        }
        return bytes;
    }
}
