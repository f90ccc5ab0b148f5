package dev.switchboard.common.messaging;

import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.Metadata;

/** Outgoing messages for channels that may be carried by Kafka (see {@link LocalTopicConnector}). */
public final class KeyedMessages {

    private KeyedMessages() {}

    /**
     * A message with a partitioning key: Kafka keeps the messages of one key on one partition, in the order sent, and
     * the local connector keeps every order anyway (it ignores the key). {@code onFailure} hears of a message that
     * could not be sent.
     */
    public static <T> Message<T> keyed(String key, T payload, Consumer<Throwable> onFailure) {
        return Message.of(payload, Metadata.of(OutgoingKafkaRecordMetadata.<String>builder().withKey(key).build()),
                () -> CompletableFuture.completedFuture(null),
                failure -> {
                    onFailure.accept(failure);
                    return CompletableFuture.completedFuture(null);
                });
    }
}
