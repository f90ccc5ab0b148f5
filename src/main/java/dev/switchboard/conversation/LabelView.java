package dev.switchboard.conversation;

import java.util.UUID;

/** A label as the API and the dashboard show it. */
public record LabelView(UUID id, String name, String colour) {

    public static LabelView of(Label l) {
        return new LabelView(l.id, l.name, l.colour);
    }
}
