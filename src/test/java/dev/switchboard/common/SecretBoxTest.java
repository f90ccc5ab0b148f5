package dev.switchboard.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretBoxTest {

    private final SecretBox box = SecretBox.withKey(Base64.getDecoder().decode(SecretBox.newKey()));

    @Test
    void opensWhatItSealedWithTheSameContextOnly() {
        String sealed = box.encrypt("is_very-secret ü", "identity-secret:w1");
        assertTrue(sealed.startsWith("v1:"), sealed);
        assertFalse(sealed.contains("very-secret"), sealed);
        assertEquals("is_very-secret ü", box.decrypt(sealed, "identity-secret:w1"));
        assertThrows(IllegalStateException.class, () -> box.decrypt(sealed, "identity-secret:w2"),
                "a value copied to another row must not open");
        assertNotEquals(sealed, box.encrypt("is_very-secret ü", "identity-secret:w1"), "a fresh nonce every time");
    }

    @Test
    void refusesAlteredValuesAndOtherKeys() {
        String sealed = box.encrypt("secret", "c");
        char[] chars = sealed.toCharArray();
        int i = chars.length - 5;
        chars[i] = chars[i] == 'A' ? 'B' : 'A';
        assertThrows(IllegalStateException.class, () -> box.decrypt(new String(chars), "c"));
        SecretBox other = SecretBox.withKey(Base64.getDecoder().decode(SecretBox.newKey()));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> other.decrypt(sealed, "c"));
        assertTrue(e.getMessage().contains("master-key"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> box.decrypt("plain text", "c"));
        assertThrows(IllegalStateException.class, () -> box.decrypt("v1:@@@", "c"));
    }

    @Test
    void rejectsKeysOfTheWrongLength() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> SecretBox.withKey(new byte[16]));
        assertTrue(e.getMessage().contains("32"), e.getMessage());
    }

    @Test
    void generatesAnOwnerOnlyKeyFileOnceAndReusesIt(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("sub").resolve("master-key");
        String sealed = SecretBox.withKeyFile(file).encrypt("webhook secret", "webhook:1");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals(32, Base64.getDecoder().decode(Files.readString(file).strip()).length);
        assertEquals("webhook secret", SecretBox.withKeyFile(file).decrypt(sealed, "webhook:1"),
                "a restart reads the same key back");
    }
}
