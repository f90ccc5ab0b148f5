package dev.switchboard.protection;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** JSON bodies reach blocking endpoints already read on the event loop; other bodies are left to Quarkus REST. */
@QuarkusTest
class BodyPrefetchTest {

    @TestHTTPResource("/")
    URL root;

    @Test
    void aJsonBodyIsReadBeforeTheEndpointRuns() {
        given().contentType("application/json; charset=utf-8").body("{\"content\":\"hi\"}")
                .post("/test/body-probe").then().statusCode(200)
                .body("readBefore", equalTo(true)).body("bytes", equalTo(16));
        given().contentType("application/merge-patch+json").body("{}")
                .post("/test/body-probe").then().statusCode(200).body("readBefore", equalTo(true));
    }

    @Test
    void otherBodiesAreStreamedAsBefore() {
        given().contentType("text/plain").body("plain").post("/test/body-probe").then().statusCode(200)
                .body("readBefore", equalTo(false)).body("bytes", equalTo(5));
    }

    @Test
    void overHttp2TheBodyIsLeftToQuarkusRest() throws Exception {
        // the JDK client upgrades to h2c on the first request and keeps the connection
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
        URI probe = root.toURI().resolve("/test/body-probe");
        for (int i = 0; i < 2; i++) {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(probe)
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode(), response.body());
            if (response.version() == HttpClient.Version.HTTP_2) {
                assertTrue(response.body().contains("\"readBefore\":false"), response.body());
                return;
            }
        }
        throw new AssertionError("the client never spoke HTTP/2 to the server");
    }

    @Test
    void aClientExpecting100ContinueGetsItBeforeSendingTheBody() throws Exception {
        String body = "{\"content\":\"hi\"}";
        try (Socket socket = new Socket(root.getHost(), root.getPort())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /test/body-probe HTTP/1.1\r\nHost: " + root.getHost() + "\r\nContent-Type: "
                    + "application/json\r\nContent-Length: " + body.length() + "\r\nExpect: 100-continue\r\n"
                    + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            String interim = new String(in.readNBytes("HTTP/1.1 100 Continue".length()), StandardCharsets.US_ASCII);
            assertEquals("HTTP/1.1 100 Continue", interim);
            out.write(body.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String response = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(response.contains("HTTP/1.1 200"), response);
            assertTrue(response.contains("\"readBefore\":true"), response);
        }
    }

    @Test
    void aJsonBodyArrivingInPiecesIsReadWhole() throws Exception {
        String body = "{\"content\":\"" + "x".repeat(5000) + "\"}";
        try (Socket socket = new Socket(root.getHost(), root.getPort())) {
            socket.setSoTimeout(10_000); // a body that is never read must fail the test, not hang it
            OutputStream out = socket.getOutputStream();
            out.write(("POST /test/body-probe HTTP/1.1\r\nHost: " + root.getHost() + "\r\nContent-Type: "
                    + "application/json\r\nContent-Length: " + body.length() + "\r\nConnection: close\r\n\r\n"
                    + body.substring(0, 100)).getBytes(StandardCharsets.US_ASCII));
            out.flush();
            Thread.sleep(300);
            out.write(body.substring(100).getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            String response = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(response.startsWith("HTTP/1.1 200"), response);
            assertTrue(response.contains("\"bytes\":" + body.length()), response);
            assertTrue(response.contains("\"readBefore\":true"), response);
        }
    }
}
