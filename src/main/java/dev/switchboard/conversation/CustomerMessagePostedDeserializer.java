package dev.switchboard.conversation;

import io.quarkus.kafka.client.serialization.ObjectMapperDeserializer;

/** Reads {@link CustomerMessagePosted} from Kafka (profile kafka); written as JSON by ObjectMapperSerializer. */
public class CustomerMessagePostedDeserializer extends ObjectMapperDeserializer<CustomerMessagePosted> {
    public CustomerMessagePostedDeserializer() {
        super(CustomerMessagePosted.class);
    }
}
