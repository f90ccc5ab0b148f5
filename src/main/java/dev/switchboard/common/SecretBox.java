package dev.switchboard.common;

import dev.switchboard.common.config.SwitchboardConfig;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.jboss.logging.Logger;

/**
 * Encrypts secrets that Switchboard must be able to read back (unlike API keys, which are only ever compared and so
 * are stored hashed): identity secrets, webhook secrets. AES-256-GCM with a random 96-bit nonce per value and the
 * caller's {@code context} as associated data, so a sealed value copied to another row or purpose does not open.
 *
 * <p>The master key is {@code switchboard.master-key} (base64 of 32 bytes) or else a key generated on first start in
 * {@code <data-dir>/master-key} (mode 0600). Losing it makes every sealed value unreadable.
 */
@ApplicationScoped
public class SecretBox {

    private static final Logger LOG = Logger.getLogger(SecretBox.class);

    static final String KEY_FILE = "master-key";
    /** Marks the format, so a later key rotation or algorithm change can tell old values apart. */
    private static final String VERSION = "v1:";
    private static final int KEY_BYTES = 32;
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final SecureRandom RANDOM = new SecureRandom();

    @Inject
    SwitchboardConfig config;

    private SecretKeySpec key;

    /** For CDI. */
    SecretBox() {}

    /** A box with a given 32-byte key (tools and tests; the application injects the configured one). */
    public static SecretBox withKey(byte[] key) {
        SecretBox box = new SecretBox();
        box.key = aesKey(key, "the key");
        return box;
    }

    /**
     * A box with the key kept in {@code file} (base64, as {@code switchboard.master-key}), generated there with mode
     * 0600 when the file does not exist yet.
     */
    public static SecretBox withKeyFile(Path file) {
        SecretBox box = new SecretBox();
        box.key = aesKey(keyFromFile(file), file.toString());
        return box;
    }

    @PostConstruct
    void init() {
        key = config.masterKey().filter(k -> !k.isBlank())
                .map(k -> aesKey(decodeKey(k, "switchboard.master-key"), "switchboard.master-key"))
                .orElseGet(() -> withKeyFile(Path.of(config.dataDir()).resolve(KEY_FILE).toAbsolutePath().normalize())
                        .key);
    }

    /**
     * Seals {@code plaintext} for storage: {@code "v1:" + base64url(nonce | ciphertext | tag)}. {@code context} names
     * what the value belongs to (e.g. {@code "identity-secret:" + workspaceId}) and must be given again to open it.
     */
    public String encrypt(String plaintext, String context) {
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        try {
            Cipher cipher = cipher(Cipher.ENCRYPT_MODE, nonce, context);
            byte[] sealed = cipher.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
            return VERSION + Base64.getUrlEncoder().withoutPadding().encodeToString(
                    ByteBuffer.allocate(NONCE_BYTES + sealed.length).put(nonce).put(sealed).array());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is in every JDK", e);
        }
    }

    /**
     * Opens a value sealed by {@link #encrypt} with the same context.
     *
     * @throws IllegalStateException when it was sealed under another key or context, or was altered
     */
    public String decrypt(String sealed, String context) {
        if (sealed == null || !sealed.startsWith(VERSION)) {
            throw new IllegalStateException("Not a sealed secret (expected the " + VERSION + " format)");
        }
        byte[] bytes;
        try {
            bytes = Base64.getUrlDecoder().decode(sealed.substring(VERSION.length()));
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("Not a sealed secret (bad base64)", e);
        }
        if (bytes.length < NONCE_BYTES + TAG_BITS / 8) {
            throw new IllegalStateException("Not a sealed secret (too short)");
        }
        try {
            byte[] nonce = Arrays.copyOf(bytes, NONCE_BYTES);
            Cipher cipher = cipher(Cipher.DECRYPT_MODE, nonce, context);
            return new String(cipher.doFinal(bytes, NONCE_BYTES, bytes.length - NONCE_BYTES), StandardCharsets.UTF_8);
        } catch (AEADBadTagException e) {
            throw new IllegalStateException("A stored secret does not open with the master key: it was sealed under "
                    + "another switchboard.master-key or for another purpose, or was altered", e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is in every JDK", e);
        }
    }

    /** A new random key in the form {@code switchboard.master-key} takes. */
    public static String newKey() {
        byte[] bytes = new byte[KEY_BYTES];
        RANDOM.nextBytes(bytes);
        return Base64.getEncoder().encodeToString(bytes);
    }

    private Cipher cipher(int mode, byte[] nonce, String context) throws GeneralSecurityException {
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(mode, key, new GCMParameterSpec(TAG_BITS, nonce));
        cipher.updateAAD(context.getBytes(StandardCharsets.UTF_8));
        return cipher;
    }

    private static byte[] keyFromFile(Path file) {
        String existing = OwnerOnlyFiles.read(file).orElse(null);
        if (existing != null) {
            return decodeKey(existing, file.toString());
        }
        String generated = newKey();
        OwnerOnlyFiles.write(file, generated);
        LOG.warnf("Generated a master key in %s: back it up (stored secrets cannot be read without it), or set "
                + "SWITCHBOARD_MASTER_KEY", file);
        return decodeKey(generated, file.toString());
    }

    private static byte[] decodeKey(String base64, String where) {
        try {
            return Base64.getDecoder().decode(base64.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(where + " is not base64 (expected 32 random bytes, e.g. from "
                    + "`openssl rand -base64 32`)", e);
        }
    }

    private static SecretKeySpec aesKey(byte[] bytes, String where) {
        if (bytes.length != KEY_BYTES) {
            throw new IllegalStateException(where + " has " + bytes.length + " bytes; an AES-256 key needs "
                    + KEY_BYTES + " (e.g. `openssl rand -base64 32`)");
        }
        return new SecretKeySpec(bytes, "AES");
    }
}
