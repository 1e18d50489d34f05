package dev.trace2skill.service;

import jakarta.enterprise.context.RequestScoped;

/**
 * Who sent the request, as {@link ApiToken} established it: resources ask it before showing what only an admin may
 * see (the expected answers of tasks and trajectories).
 */
@RequestScoped
public class Access {
    /** What a request may do, from its bearer token. */
    public enum Role {
        /** No token, where reads are public ({@code T2S_PUBLIC_READS=true}). */
        PUBLIC,
        /** The read token ({@code T2S_READ_TOKEN}): reads only. */
        READ,
        /** The API token ({@code T2S_API_TOKEN}): reads and writes. */
        WRITE,
        /** The admin token ({@code T2S_ADMIN_TOKEN}): everything, expected answers included. */
        ADMIN
    }

    private Role role = Role.PUBLIC;

    public Role role() {
        return role;
    }

    void role(Role role) {
        this.role = role;
    }

    /** Whether this request may see expected answers. */
    public boolean admin() {
        return role == Role.ADMIN;
    }
}
