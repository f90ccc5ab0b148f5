package dev.switchboard.protection;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretBoxTest {

    private static final byte[] KEY = new byte[32];
    private static final byte[] OTHER_KEY = Base64.getDecoder().decode("q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA=");

    @Test
    void sealedValuesOpenOnlyWithTheSameKeyAndContext() {
        SecretBox box = SecretBox.withKey(KEY);
        String sealed = box.seal("whsec_secret", "webhook-1");
        assertFalse(sealed.contains("whsec_secret"));
        assertEquals("whsec_secret", box.open(sealed, "webhook-1"));
        assertNotEquals(sealed, box.seal("whsec_secret", "webhook-1"), "a fresh nonce every time");

        assertThrows(IllegalStateException.class, () -> box.open(sealed, "webhook-2"));
        assertThrows(IllegalStateException.class, () -> SecretBox.withKey(OTHER_KEY).open(sealed, "webhook-1"));
        byte[] bytes = Base64.getDecoder().decode(sealed.substring(3));
        bytes[bytes.length - 1] ^= 1;
        String tampered = "v1." + Base64.getEncoder().encodeToString(bytes);
        assertThrows(IllegalStateException.class, () -> box.open(tampered, "webhook-1"));
    }

    @Test
    void withoutAConfiguredKeyOneIsGeneratedOnceIntoAnOwnerOnlyFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("data").resolve(SecretBox.KEY_FILE);
        byte[] first = SecretBox.masterKey(Optional.empty(), file);
        assertEquals(32, first.length);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertArrayEquals(first, SecretBox.masterKey(Optional.empty(), file), "read back, not replaced");
        assertArrayEquals(OTHER_KEY, SecretBox.masterKey(Optional.of(Base64.getEncoder().encodeToString(OTHER_KEY)),
                file), "a configured key wins");
    }

    @Test
    void aMalformedConfiguredKeyIsAClearError(@TempDir Path dir) {
        Path file = dir.resolve(SecretBox.KEY_FILE);
        IllegalStateException shortKey = assertThrows(IllegalStateException.class,
                () -> SecretBox.masterKey(Optional.of(Base64.getEncoder().encodeToString(new byte[16])), file));
        assertTrue(shortKey.getMessage().contains("must be 32 bytes"), shortKey.getMessage());
        assertThrows(IllegalStateException.class, () -> SecretBox.masterKey(Optional.of("not base64!"), file));
        assertFalse(Files.exists(file));
    }
}
