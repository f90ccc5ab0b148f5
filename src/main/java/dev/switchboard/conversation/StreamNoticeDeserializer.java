package dev.switchboard.conversation;

import io.quarkus.kafka.client.serialization.ObjectMapperDeserializer;

/** Reads {@link StreamNotice} from Kafka (profile kafka); written as JSON by ObjectMapperSerializer. */
public class StreamNoticeDeserializer extends ObjectMapperDeserializer<StreamNotice> {
    public StreamNoticeDeserializer() {
        super(StreamNotice.class);
    }
}
