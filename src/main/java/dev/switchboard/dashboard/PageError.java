package dev.switchboard.dashboard;

import dev.switchboard.common.ApiException;

/** A refused dashboard request: the same status as in the API, shown to the agent as a page instead of JSON. */
public class PageError extends ApiException {

    PageError(int status, String title, String detail) {
        super(status, title, detail);
    }

    public static PageError denied(String detail) {
        return new PageError(403, "Forbidden", detail);
    }

    static PageError missing(String detail) {
        return new PageError(404, "Not found", detail);
    }
}
