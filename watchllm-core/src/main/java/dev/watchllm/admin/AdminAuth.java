package dev.watchllm.admin;

import dev.watchllm.auth.ApiKeys;
import dev.watchllm.config.KeyEntry;
import dev.watchllm.openai.OpenAiError;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks the admin API's {@code Authorization: Bearer lgwa_...} header against the configured admin
 * keys' hashes. Only the header counts (no cookies, no query parameters). A project key is refused
 * with 403 by its shape alone, before any lookup; anything else unknown gets 401.
 */
final class AdminAuth {
    static final OpenAiError MISSING = new OpenAiError(401, "invalid_request_error", "missing_api_key",
            "The admin API needs an admin key: send 'Authorization: Bearer lgwa_...'.", null);
    static final OpenAiError INVALID = new OpenAiError(401, "invalid_request_error", "invalid_api_key",
            "Incorrect admin key provided.", null);
    static final OpenAiError PROJECT_KEY = new OpenAiError(403, "invalid_request_error", "permission_denied",
            "Project keys cannot use the admin API; send an admin key (lgwa_...).", null);

    /** sha256 hex -> the admin key */
    private final Map<String, KeyEntry> byHash = new HashMap<>();

    AdminAuth(List<KeyEntry> keys) {
        for (KeyEntry k : keys) byHash.put(k.sha256(), k);
    }

    /** Null when the header carries a configured admin key; otherwise the error to answer with. */
    OpenAiError check(String authorization) {
        if (authorization == null || authorization.isBlank()) return MISSING;
        if (authorization.length() < 7 || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) return MISSING;
        String key = authorization.substring(7).trim();
        if (key.isEmpty()) return MISSING;
        if (key.startsWith(ApiKeys.PREFIX)) return PROJECT_KEY;
        if (!AdminKeys.isWellFormed(key)) return INVALID;
        String hex = ApiKeys.sha256Hex(key);
        KeyEntry k = byHash.get(hex);
        // found by hash (time depends on the hash, not on how much of a key was guessed); compared again in constant time
        if (k != null && ApiKeys.sameHash(hex.getBytes(StandardCharsets.US_ASCII), k.sha256().getBytes(StandardCharsets.US_ASCII))) {
            return null;
        }
        return INVALID;
    }
}
