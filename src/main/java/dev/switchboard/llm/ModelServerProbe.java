package dev.switchboard.llm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Asks an OpenAI-compatible server whether it can answer for the configured model ({@code GET <url>/models}): the
 * mistakes a first setup makes (a wrong URL or port, a server not started, another model's name) show at start-up
 * instead of as a handoff at the first customer's message. A server without {@code /models} (404) passes.
 */
final class ModelServerProbe {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ModelServerProbe() {}

    /** Why the server cannot answer for the model, or empty when it can (as far as its model list tells). */
    static Optional<String> check(OpenAiChatModel.Settings settings) {
        URI models = URI.create(settings.baseUrl().toString().replaceAll("/+$", "") + "/models");
        HttpRequest.Builder request = HttpRequest.newBuilder(models).timeout(settings.connectTimeout().plus(
                Duration.ofSeconds(5))).GET();
        settings.apiKey().ifPresent(key -> request.header("Authorization", "Bearer " + key));
        try (HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(settings.connectTimeout()).build()) {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 404) {
                return Optional.empty();
            }
            if (response.statusCode() != 200) {
                return Optional.of("switchboard.inference.url: GET " + models + " answered HTTP "
                        + response.statusCode() + (response.statusCode() == 401 || response.statusCode() == 403
                                ? " (check switchboard.inference.api-key)" : ""));
            }
            List<String> ids = new ArrayList<>();
            for (JsonNode m : JSON.readTree(response.body()).path("data")) {
                ids.add(m.path("id").asText());
            }
            if (!ids.isEmpty() && !ids.contains(settings.model())) {
                return Optional.of("the server at " + settings.baseUrl() + " serves " + ids + ", not '"
                        + settings.model() + "' (switchboard.inference.model)");
            }
            return Optional.empty();
        } catch (IOException e) {
            return Optional.of("switchboard.inference.url: cannot reach " + models + " ("
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()) + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("switchboard.inference.url: the check of " + models + " was interrupted");
        }
    }
}
