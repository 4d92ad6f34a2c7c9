package dev.watchllm.auth;

import java.time.Instant;
import java.util.Objects;

/**
 * A stored key: never the key itself, only its SHA-256 and a masked hint for display.
 */
public record ApiKeyRecord(String id, String projectId, String sha256, String hint, Instant createdAt, boolean revoked) {
    public ApiKeyRecord {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(projectId, "projectId");
        Objects.requireNonNull(sha256, "sha256");
        if (hint == null) hint = "lgw_…";
    }

    public ApiKeyRecord revoke() {
        return new ApiKeyRecord(id, projectId, sha256, hint, createdAt, true);
    }
}
