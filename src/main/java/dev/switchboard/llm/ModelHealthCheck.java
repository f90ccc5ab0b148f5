package dev.switchboard.llm;

import io.smallrye.health.api.Wellness;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;

/**
 * {@code chat-model} in {@code /q/health} (and {@code /q/health/well}): down, with the reason, while the configured
 * model cannot answer; up with the model's name, or with none configured (the bot then answers from the FAQ and hands
 * off the rest). A wellness check, not readiness: without its model the app still takes conversations, answers from
 * the FAQ and routes the rest to people, so it must not be taken out of service.
 */
@Wellness
@ApplicationScoped
public class ModelHealthCheck implements HealthCheck {

    @Inject
    ChatModelProvider provider;

    @Override
    public HealthCheckResponse call() {
        var response = HealthCheckResponse.named("chat-model");
        provider.problem().ifPresentOrElse(p -> response.down().withData("problem", p), response::up);
        response.withData("model", provider.model().map(ChatModel::modelName).orElse("none"));
        return response.build();
    }
}
