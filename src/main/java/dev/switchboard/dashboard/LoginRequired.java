package dev.switchboard.dashboard;

/** No valid dashboard session: the browser is sent to the login page (and a stale cookie is cleared). */
public class LoginRequired extends RuntimeException {

    public LoginRequired() {
        super("login required", null, false, false);
    }
}
