package dev.switchboard.bot;

import dev.switchboard.llm.ChatModelException;
import dev.switchboard.llm.ChatResult;
import io.smallrye.faulttolerance.api.CircuitBreakerName;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.temporal.ChronoUnit;
import java.util.function.Supplier;
import org.eclipse.microprofile.faulttolerance.CircuitBreaker;

/**
 * The circuit breaker around model calls: after {@code requestVolumeThreshold} calls in a row that failed (the
 * model errored, was unreachable or timed out), calls fail at once with CircuitBreakerOpenException for
 * {@code delay}, so a dead inference service costs each customer message no timeout and the service no load; then
 * one trial call decides whether it closes again. Tune with
 * {@code quarkus.fault-tolerance."inference".circuit-breaker.*} (request-volume-threshold, failure-ratio, delay).
 */
@ApplicationScoped
class ModelCircuit {

    static final String NAME = "inference";

    @CircuitBreaker(requestVolumeThreshold = 10, failureRatio = 1.0, delay = 30, delayUnit = ChronoUnit.SECONDS,
            successThreshold = 1, failOn = ChatModelException.class)
    @CircuitBreakerName(NAME)
    ChatResult call(Supplier<ChatResult> generation) {
        return generation.get();
    }
}
