package dev.switchboard.inference.server;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** multipart/form-data as SDKs and curl send it: parts by name, file bytes kept exactly (line breaks included). */
class MultipartTest {
    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void partsKeepTheirBytesAndNames() {
        String body = "preamble\r\n--b-1\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\nbatch\r\n"
                + "--b-1\r\ncontent-disposition: form-data; name=\"file\"; filename=\"a b.jsonl\"\r\n"
                + "Content-Type: application/octet-stream\r\n\r\n{\"x\":1}\r\n{\"y\":\"--b-\"}\r\n\r\n--b-1--\r\n";
        Map<String, Multipart.Part> parts = Multipart.parse("multipart/form-data; boundary=\"b-1\"", bytes(body));
        assertEquals("batch", parts.get("purpose").text());
        assertEquals(null, parts.get("purpose").filename());
        assertEquals("a b.jsonl", parts.get("file").filename());
        assertArrayEquals(bytes("{\"x\":1}\r\n{\"y\":\"--b-\"}\r\n"), parts.get("file").content());
    }

    @Test
    void malformedBodiesAreRefusedSayingWhy() {
        ApiException unclosed = assertThrows(ApiException.class, () -> Multipart.parse(
                "multipart/form-data; boundary=b", bytes("--b\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\nx")));
        assertEquals(400, unclosed.status);
        assertTrue(unclosed.getMessage().contains("no closing boundary"), unclosed.getMessage());
        ApiException noBoundary = assertThrows(ApiException.class,
                () -> Multipart.parse("multipart/form-data", bytes("--b--")));
        assertTrue(noBoundary.getMessage().contains("names no boundary"), noBoundary.getMessage());
        ApiException json = assertThrows(ApiException.class, () -> Multipart.parse("application/json", bytes("{}")));
        assertEquals(415, json.status);
        ApiException unnamed = assertThrows(ApiException.class, () -> Multipart.parse(
                "multipart/form-data; boundary=b", bytes("--b\r\nContent-Type: text/plain\r\n\r\nx\r\n--b--")));
        assertTrue(unnamed.getMessage().contains("no Content-Disposition name"), unnamed.getMessage());
    }
}
